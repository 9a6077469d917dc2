import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { PROJECT } from "../../config";
import { mockCall, mockState } from "./mocks";

// Not in the public typings, but the runtime's own way to wait until every outstanding registration has finished.
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
const { runInPulumiStack } = require("@pulumi/pulumi/runtime/stack") as { runInPulumiStack(init: () => Promise<unknown>): Promise<Record<string, unknown> | undefined> };
const STACK_TYPE = "pulumi:pulumi:Stack";

export const ROOT = path.resolve(__dirname, "..", "..");

/** One resource the program registered, with the inputs it was given. */
export interface Recorded {
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    readonly inputs: Record<string, any>;
    /** Resource options as the program passed them (ignoreChanges, protect, aliases, dependsOn, …). */
    opts?: pulumi.CustomResourceOptions;
    /** Name of the parent resource (a component), if any. */
    parent?: string;
    /** The URN (carries the parent's type: `parentType$type`). */
    urn?: string;
}

/** Config map as the Pulumi engine hands it to a program: `namespace:key` → value (objects JSON-encoded). */
export type ConfigMap = Record<string, unknown>;

/** The `config:` section of `Pulumi.<stack>.yaml`. */
export function stackFileConfig(stack: string): ConfigMap {
    const doc = parseYaml(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8"));
    return { ...(doc?.config ?? {}) };
}

export interface RunOptions {
    stack: string;
    config: ConfigMap;
    /** Keys of `config` that are secrets (as `pulumi config set --secret` marks them). */
    secretKeys?: string[];
    /** Whether to simulate `pulumi preview` (unknown outputs) rather than `pulumi up`. */
    preview?: boolean;
}

export class Run {
    constructor(public readonly resources: Recorded[], public readonly outputs: Record<string, unknown>, public readonly calls: { token: string; inputs: any }[]) {}

    ofType(type: string): Recorded[] {
        return this.resources.filter((r) => r.type === type);
    }
    /** The single resource of `type` named `name` (or the only one of that type); fails loudly otherwise. */
    one(type: string, name?: string): Recorded {
        const found = this.ofType(type).filter((r) => name === undefined || r.name === name);
        if (found.length !== 1) {
            throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}: ${this.ofType(type).map((r) => r.name).join(", ")}`);
        }
        return found[0];
    }
    countByType(): Record<string, number> {
        const counts: Record<string, number> = {};
        for (const r of this.resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
        return counts;
    }
}

/** The program threw; `resources` holds whatever it had registered before (must be none for config errors). */
export class ProgramError extends Error {
    constructor(public readonly cause: Error, public readonly resources: Recorded[]) {
        super(cause.message);
    }
}

/** Resolves an Output (or plain value) to its value, for assertions. */
export function valueOf<T>(o: pulumi.Input<T>): Promise<T> {
    return new Promise((resolve) => pulumi.output(o).apply((v) => { resolve(v as T); return v; }));
}

/**
 * Runs the real program (index.ts) under Pulumi mocks with the given stack config and records every resource it
 * registers. Each call starts a fresh mock engine, so one process can evaluate several stacks.
 */
export async function runProgram(options: RunOptions): Promise<Run> {
    const resources: Recorded[] = [];
    const calls: { token: string; inputs: any }[] = [];
    const region = String(options.config["aws:region"] ?? "eu-west-1");
    const encoded: Record<string, string> = {};
    for (const [k, v] of Object.entries(options.config)) encoded[k] = typeof v === "string" ? v : JSON.stringify(v);
    pulumi.runtime.setAllConfig(encoded, options.secretKeys ?? []);
    await pulumi.runtime.setMocks({
        newResource(args) {
            resources.push({ type: args.type, name: args.name, custom: args.custom ?? true, inputs: args.inputs });
            return { id: args.custom === false ? undefined : `${args.name}-id`, state: mockState(args.type, args.name, args.inputs, region) };
        },
        call(args) {
            calls.push({ token: args.token, inputs: args.inputs });
            return mockCall(args.token, args.inputs, region);
        },
    }, PROJECT, options.stack, options.preview ?? false);

    // Imported lazily so that every run sees the config and mocks set above.
    const program: () => Record<string, unknown> = require(path.join(ROOT, "index.ts"));
    const seenOptions: { type: string; name: string; opts: pulumi.CustomResourceOptions; parent?: string }[] = [];
    let outputs: Record<string, unknown>;
    try {
        // The same root Stack resource the Pulumi CLI creates, so that a stack transformation sees every resource's options.
        outputs = (await runInPulumiStack(async () => {
            pulumi.runtime.registerStackTransformation((args) => {
                const parent = args.opts.parent as unknown as { __name?: string; constructor: { name: string } } | undefined;
                seenOptions.push({ type: args.type, name: args.name, opts: args.opts, parent: parent?.constructor.name === "Stack" ? undefined : parent?.__name });
                return undefined;
            });
            return program();
        })) ?? {};
    } catch (error) {
        await waitForRPCs();
        throw new ProgramError(error as Error, resources.filter((r) => r.type !== STACK_TYPE));
    }
    await waitForRPCs();
    const stackIndex = resources.findIndex((r) => r.type === STACK_TYPE);
    if (stackIndex >= 0) resources.splice(stackIndex, 1);
    for (const o of seenOptions) {
        const r = resources.find((x) => x.name === o.name && x.type === o.type && x.opts === undefined);
        if (r) { r.opts = o.opts; r.parent = o.parent; }
    }

    const monitor = pulumi.runtime.getMonitor() as unknown as { resources: Map<string, { urn: string }> };
    for (const urn of monitor.resources.keys()) {
        const [, , qualifiedType, name] = urn.split("::");
        const type = qualifiedType.split("$").pop();
        const r = resources.find((x) => x.name === name && x.type === type && x.urn === undefined);
        if (r) r.urn = urn;
    }
    return new Run(resources, outputs, calls);
}

/** Runs a shipped stack file, with fake runner tokens for every runner it declares (tokens are never in the repo). */
export function runStackFile(stack: string, overrides: ConfigMap = {}): Promise<Run> {
    const config = { ...stackFileConfig(stack), ...overrides };
    const withTokens = { ...fakeRunnerTokens(config), ...config };
    return runProgram({ stack, config: withTokens, secretKeys: RUNNER_TOKENS_KEY in withTokens ? [RUNNER_TOKENS_KEY] : [] });
}

/** The secret config key holding runner authentication tokens (`pulumi config set --secret --path 'runnerTokens.<runner>'`). */
export const RUNNER_TOKENS_KEY = `${PROJECT}:runnerTokens`;

/** Fake token of a runner in tests: recognisable, so a scan for "glrt-" finds any leak. */
export const fakeRunnerToken = (runner: string) => `glrt-test-${runner}`;

/** `runnerTokens` with a fake token for every runner of `config` that does not read its token from SSM. */
export function fakeRunnerTokens(config: ConfigMap): ConfigMap {
    const runners = (config[`${PROJECT}:runners`] ?? {}) as Record<string, { tokenSsmParameter?: string }>;
    const names = Object.entries(runners).filter(([, r]) => !r?.tokenSsmParameter).map(([name]) => name);
    return names.length === 0 ? {} : { [RUNNER_TOKENS_KEY]: Object.fromEntries(names.map((n) => [n, fakeRunnerToken(n)])) };
}

/** Whether a recorded input is a Pulumi secret (the mock monitor keeps the secret envelope of inputs). */
export function isSecretInput(value: unknown): value is { value: unknown } {
    const { specialSigKey, specialSecretSig } = require("@pulumi/pulumi/runtime/rpc") as { specialSigKey: string; specialSecretSig: string };
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[specialSigKey] === specialSecretSig;
}
