/**
 * The offline engine: evaluates the real program (index.ts) for a stack's configuration under Pulumi mocks, with no
 * cloud, CLI or plugin, and records every resource it registers. The offline plan and the test suite both use it.
 */
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { PROJECT } from "../config";
import { mockCall, mockState } from "./mocks";

// Not in the public typings, but the runtime's own way to wait until every outstanding registration has finished.
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
const { runInPulumiStack } = require("@pulumi/pulumi/runtime/stack") as {
    runInPulumiStack(init: () => Promise<unknown>): Promise<Record<string, unknown> | undefined>;
};
const STACK_TYPE = "pulumi:pulumi:Stack";

/** The repository root: where Pulumi.yaml and the stack files are (also when this file runs compiled from bin/). */
export const ROOT = findUp(__dirname, "Pulumi.yaml");

/** The program, index.ts next to this folder (index.js when compiled). */
const PROGRAM = path.join(__dirname, "..", "index");

function findUp(dir: string, file: string): string {
    for (let d = dir; ; d = path.dirname(d)) {
        if (fs.existsSync(path.join(d, file))) return d;
        if (path.dirname(d) === d) throw new Error(`no ${file} above ${dir}`);
    }
}

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
export function stackFileConfig(stack: string, file = path.join(ROOT, `Pulumi.${stack}.yaml`)): ConfigMap {
    const doc = parseYaml(fs.readFileSync(file, "utf8"));
    return { ...(doc?.config ?? {}) };
}

export interface RunOptions {
    stack: string;
    config: ConfigMap;
    /** Keys of `config` that are secrets (as `pulumi config set --secret` marks them). */
    secretKeys?: string[];
    /** Whether to simulate `pulumi preview` (unknown outputs) rather than `pulumi up`. */
    preview?: boolean;
    /** Values of SSM SecureString parameters by name (stand-ins; others are answered as runner tokens). */
    secureParameters?: Readonly<Record<string, string>>;
}

export class Run {
    constructor(
        public readonly resources: Recorded[],
        public readonly outputs: Record<string, unknown>,
        public readonly calls: { token: string; inputs: any }[],
    ) {}

    ofType(type: string): Recorded[] {
        return this.resources.filter((r) => r.type === type);
    }
    /** The single resource of `type` named `name` (or the only one of that type); fails loudly otherwise. */
    one(type: string, name?: string): Recorded {
        const found = this.ofType(type).filter((r) => name === undefined || r.name === name);
        if (found.length !== 1) {
            throw new Error(
                `expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}: ${this.ofType(type)
                    .map((r) => r.name)
                    .join(", ")}`,
            );
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
    constructor(
        public readonly cause: Error,
        public readonly resources: Recorded[],
    ) {
        super(cause.message);
    }
}

/** Resolves an Output (or plain value) to its value, for assertions. */
export function valueOf<T>(o: pulumi.Input<T>): Promise<T> {
    return new Promise((resolve) =>
        pulumi.output(o).apply((v) => {
            resolve(v as T);
            return v;
        }),
    );
}

/**
 * Runs the real program (index.ts) under Pulumi mocks with the given stack config and records every resource it
 * registers. Each call starts a fresh mock engine, so one process can evaluate several stacks.
 */
export async function runProgram(options: RunOptions): Promise<Run> {
    // The Pulumi runtime captures a stack trace for every resource and promise; offline nobody reads them, and under
    // ts-node every one is source-mapped: most of an evaluation's time. Off while the program runs (PLAN_DEBUG keeps
    // them, as in plan/run.js), restored afterwards so a failing test still shows where it failed.
    const stackTraceLimit = Error.stackTraceLimit;
    if (!process.env.PLAN_DEBUG) Error.stackTraceLimit = 0;
    try {
        return await evaluateProgram(options);
    } finally {
        Error.stackTraceLimit = stackTraceLimit;
    }
}

async function evaluateProgram(options: RunOptions): Promise<Run> {
    const resources: Recorded[] = [];
    const calls: { token: string; inputs: any }[] = [];
    const region = String(options.config["aws:region"] ?? "eu-west-1");
    const encoded: Record<string, string> = {};
    for (const [k, v] of Object.entries(options.config)) encoded[k] = typeof v === "string" ? v : JSON.stringify(v);
    pulumi.runtime.setAllConfig(encoded, options.secretKeys ?? []);
    await pulumi.runtime.setMocks(
        {
            newResource(args) {
                resources.push({ type: args.type, name: args.name, custom: args.custom ?? true, inputs: args.inputs });
                return {
                    id: args.custom === false ? undefined : `${args.name}-id`,
                    state: mockState(args.type, args.name, args.inputs, region),
                };
            },
            call(args) {
                calls.push({ token: args.token, inputs: args.inputs });
                return mockCall(args.token, args.inputs, region, options.secureParameters);
            },
        },
        PROJECT,
        options.stack,
        options.preview ?? false,
    );

    // The mock monitor of @pulumi/pulumi 3.248 cannot register resource hooks (the drain hook of the node groups);
    // answer the registration as the engine would. Hooks never run under mocks: tests call their functions directly.
    const mockMonitor = pulumi.runtime.getMonitor() as unknown as {
        registerResourceHook?: (req: unknown, cb: (e: null, r: object) => void) => void;
    };
    mockMonitor.registerResourceHook ??= (_req, done) => done(null, {});

    // Imported lazily so that every run sees the config and mocks set above.
    const program: () => Record<string, unknown> = require(PROGRAM);
    const seenOptions: { type: string; name: string; opts: pulumi.CustomResourceOptions; parent?: string }[] = [];
    let outputs: Record<string, unknown>;
    try {
        // The same root Stack resource the Pulumi CLI creates, so that a stack transformation sees every resource's options.
        outputs =
            (await runInPulumiStack(async () => {
                pulumi.runtime.registerStackTransformation((args) => {
                    const parent = args.opts.parent as unknown as { __name?: string; constructor: { name: string } } | undefined;
                    seenOptions.push({
                        type: args.type,
                        name: args.name,
                        opts: args.opts,
                        parent: parent?.constructor.name === "Stack" ? undefined : parent?.__name,
                    });
                    return undefined;
                });
                return program();
            })) ?? {};
    } catch (error) {
        await waitForRPCs();
        throw new ProgramError(
            error as Error,
            resources.filter((r) => r.type !== STACK_TYPE),
        );
    }
    await waitForRPCs();
    const stackIndex = resources.findIndex((r) => r.type === STACK_TYPE);
    if (stackIndex >= 0) resources.splice(stackIndex, 1);
    for (const o of seenOptions) {
        const r = resources.find((x) => x.name === o.name && x.type === o.type && x.opts === undefined);
        if (r) {
            r.opts = o.opts;
            r.parent = o.parent;
        }
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

/** The secret config key holding runner authentication tokens (`pulumi config set --secret --path 'runnerTokens.<runner>'`). */
export const RUNNER_TOKENS_KEY = `${PROJECT}:runnerTokens`;

/**
 * Stand-in tokens for the runners and VM runners of `config` that have none in it and do not read theirs from SSM, so that a
 * stack file (which never holds real tokens) evaluates offline. Returns the config key to merge and the runners
 * that got a stand-in.
 */
export function standInRunnerTokens(
    config: ConfigMap,
    token: (runner: string) => string,
): { config: ConfigMap; runners: string[] } {
    // Runners and VM runners both need a token (config/runnerTokens.ts).
    type TokenFields = { tokenSsmParameter?: string; registration?: unknown };
    const runners = {
        ...((config[`${PROJECT}:runners`] ?? {}) as Record<string, TokenFields>),
        ...((config[`${PROJECT}:vmRunners`] ?? {}) as Record<string, TokenFields>),
    };
    const existing = (config[RUNNER_TOKENS_KEY] ?? {}) as Record<string, unknown>;
    // Registered runners get their token from GitLab (the registration resource), never from config.
    const missing = Object.entries(runners)
        .filter(([name, r]) => !r?.tokenSsmParameter && !r?.registration && !(name in existing))
        .map(([name]) => name);
    if (missing.length === 0) return { config: {}, runners: [] };
    return {
        config: { [RUNNER_TOKENS_KEY]: { ...existing, ...Object.fromEntries(missing.map((n) => [n, token(n)])) } },
        runners: missing,
    };
}

/** The secret config key of the GitLab API token (`pulumi config set --secret gitlabApiToken …`). */
export const GITLAB_API_TOKEN_CONFIG_KEY = `${PROJECT}:gitlabApiToken`;

/**
 * A stand-in GitLab API token for a stack whose runners are registered through the API, so that it evaluates
 * offline: the answer to the SSM lookup of `gitlab.apiTokenSsmParameter`, or a secret `gitlabApiToken` when the file
 * names neither source (`missing` then says so). Nothing for a stack without registered runners.
 */
export function standInGitlabApiToken(
    config: ConfigMap,
    token: string,
): { config: ConfigMap; secureParameters: Record<string, string>; missing: boolean } {
    const none = { config: {}, secureParameters: {}, missing: false };
    const runners = (config[`${PROJECT}:runners`] ?? {}) as Record<string, { registration?: unknown } | undefined>;
    if (!Object.values(runners).some((r) => r?.registration !== undefined)) return none;
    const parameter = (config[`${PROJECT}:gitlab`] as { apiTokenSsmParameter?: unknown } | undefined)?.apiTokenSsmParameter;
    if (typeof parameter === "string") return { ...none, secureParameters: { [parameter]: token } };
    if (GITLAB_API_TOKEN_CONFIG_KEY in config) return none;
    return { config: { [GITLAB_API_TOKEN_CONFIG_KEY]: token }, secureParameters: {}, missing: true };
}

/**
 * Replaces encrypted values of a stack file (`{secure: v1:…}`, which only the Pulumi CLI can decrypt) with
 * stand-ins, and names the keys that held them so they are registered as secrets.
 */
export function withoutEncryptedValues(
    config: ConfigMap,
    standIn: (path: string) => string,
): { config: ConfigMap; secretKeys: string[] } {
    const secretKeys = new Set<string>();
    const walk = (value: unknown, key: string, path: string): unknown => {
        if (value && typeof value === "object" && !Array.isArray(value)) {
            const entries = Object.entries(value as Record<string, unknown>);
            if (entries.length === 1 && entries[0][0] === "secure") {
                secretKeys.add(key);
                return standIn(path);
            }
            return Object.fromEntries(entries.map(([k, v]) => [k, walk(v, key, `${path}.${k}`)]));
        }
        return value;
    };
    const out = Object.fromEntries(Object.entries(config).map(([k, v]) => [k, walk(v, k, k)]));
    return { config: out, secretKeys: [...secretKeys] };
}
