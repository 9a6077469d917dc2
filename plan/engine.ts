/**
 * The offline engine: evaluates the real program (index.ts) for a stack's configuration under Pulumi mocks, with no
 * cloud, CLI or plugin, and records every resource it registers. The offline plan and the test suite both use it.
 */
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { PROJECT } from "../config";
import { mockCall, mockState } from "./mocks";
import { captureLog, Logged } from "./programLog";
import { useLazyOutputs } from "./lazyOutputs";
import { usePlainSerialization } from "./plainSerialization";
import { usePlainStructs } from "./plainStruct";
import { ConfigMap, readStackFile } from "./stackFile";

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

/** The program of another checkout of this repository (the base of a diff): its index.ts. */
export const programIn = (root: string) => path.join(root, "index");

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

export { isMap, StackFileError } from "./stackFile";
export type { Logged } from "./programLog";
export type { ConfigMap } from "./stackFile";

/** The `config:` section of `Pulumi.<stack>.yaml` (a StackFileError when the file is not YAML or has no such map). */
export function stackFileConfig(stack: string, file = path.join(ROOT, `Pulumi.${stack}.yaml`)): ConfigMap {
    return readStackFile(file);
}

export interface RunOptions {
    stack: string;
    config: ConfigMap;
    /** Keys of `config` that are secrets (as `pulumi config set --secret` marks them). */
    secretKeys?: string[];
    /** Whether to simulate `pulumi preview` (unknown outputs) rather than `pulumi up`. */
    preview?: boolean;
    /** The program module to evaluate (default: this checkout's index.ts). */
    program?: string;
    /**
     * `faithful` (default) runs the Pulumi runtime as `pulumi up` does. `plan` leaves out what only the real engine
     * uses, for the offline plan's speed: dynamic providers are recorded as a fingerprint of their code instead of
     * Pulumi's closure serialization (a V8 inspector session and a TypeScript parse of every captured function), no
     * source position is captured per resource (a full stack trace each), and promises are not tracked for the
     * leak report. The resources and inputs recorded are the same but for the providers' serialized text.
     */
    mode?: "faithful" | "plan";
    /** Values of SSM SecureString parameters by name (stand-ins; others are answered as runner tokens). */
    secureParameters?: Readonly<Record<string, string>>;
}

export class Run {
    constructor(
        public readonly resources: Recorded[],
        public readonly outputs: Record<string, unknown>,
        public readonly calls: { token: string; inputs: any }[],
        /** What the program logged through `pulumi.log` (plan/programLog.ts). */
        public readonly logs: readonly Logged[] = [],
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
    /**
     * The same run with its resources in URN order. Registration order follows promise timing, which a runtime
     * version or the plan mode can change; URNs do not, so a plan read in this order is the same for the same stack.
     */
    inUrnOrder(): Run {
        const resources = [...this.resources].sort((a, b) => (a.urn! < b.urn! ? -1 : a.urn! > b.urn! ? 1 : 0));
        return new Run(resources, this.outputs, this.calls, this.logs);
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
    const program: () => Record<string, unknown> = require(options.program ?? PROGRAM);
    const logs: Logged[] = [];
    const restoreLog = captureLog(logs);
    const restorePlanMode = options.mode === "plan" ? planMode() : () => {};
    const restoreSerializer = () => {
        restorePlanMode();
        restoreLog();
    };
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
        restoreSerializer();
        throw new ProgramError(
            error as Error,
            resources.filter((r) => r.type !== STACK_TYPE),
        );
    }
    await waitForRPCs();
    restoreSerializer();
    const stackIndex = resources.findIndex((r) => r.type === STACK_TYPE);
    if (stackIndex >= 0) resources.splice(stackIndex, 1);

    // Options and URNs are matched to the recorded resources by type and name, each in one pass (a stack of a
    // thousand resources must not cost a million comparisons). Type and name are unique within a stack except
    // across parents, where the first unmatched one takes the next.
    const byKey = new Map<string, Recorded[]>();
    for (const r of resources) {
        const key = `${r.type}::${r.name}`;
        const list = byKey.get(key);
        if (list) list.push(r);
        else byKey.set(key, [r]);
    }
    const next = (key: string, free: (r: Recorded) => boolean) => byKey.get(key)?.find(free);
    for (const o of seenOptions) {
        const r = next(`${o.type}::${o.name}`, (x) => x.opts === undefined);
        if (r) {
            r.opts = o.opts;
            r.parent = o.parent;
        }
    }
    const monitor = pulumi.runtime.getMonitor() as unknown as { resources: Map<string, { urn: string }> };
    for (const urn of monitor.resources.keys()) {
        const [, , qualifiedType, name] = urn.split("::");
        const r = next(`${qualifiedType.split("$").pop()}::${name}`, (x) => x.urn === undefined);
        if (r) r.urn = urn;
    }
    return new Run(resources, outputs, calls, logs);
}

/**
 * Switches the Pulumi runtime to the plan's mode until the returned function is called (see RunOptions.mode). Each
 * replaced function is read through its module object by the runtime at call time, so swapping the export is
 * enough: the closure serializer (called by the dynamic-resource module), `Resource.callsites` (the source position
 * of every registration) and `debuggablePromise` (the leak bookkeeping of every runtime promise); protobuf
 * Structs are kept as JavaScript (plan/plainStruct.ts), resource outputs made when read (plan/lazyOutputs.ts) and
 * plain values serialized at once (plan/plainSerialization.ts).
 * tests/planMode.test.ts checks that both modes record the same.
 */
function planMode(): () => void {
    const closure = require("@pulumi/pulumi/runtime/closure/serializeClosure") as {
        serializeFunction: (f: () => unknown, args?: unknown) => Promise<{ text: string; containsSecrets: boolean }>;
    };
    const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise: <T>(p: Promise<T>) => Promise<T> };
    const resource = pulumi.Resource as unknown as { callsites: () => unknown[] };
    const originals = [closure.serializeFunction, debuggable.debuggablePromise, resource.callsites] as const;
    closure.serializeFunction = async (f) => {
        const provider = f() as Record<string, unknown>;
        const code = Object.keys(provider)
            .sort()
            .map((k) => `${k}=${String(provider[k])}`)
            .join("\n");
        return { text: `offline-fingerprint:${createHash("sha256").update(code).digest("hex")}`, containsSecrets: false };
    };
    debuggable.debuggablePromise = (p) => p;
    resource.callsites = () => [];
    const restore = [usePlainStructs(), useLazyOutputs(), usePlainSerialization()];
    return () => {
        [closure.serializeFunction, debuggable.debuggablePromise, resource.callsites] = originals;
        for (const undo of restore) undo();
    };
}
export {
    GITLAB_API_TOKEN_CONFIG_KEY,
    RUNNER_TOKENS_KEY,
    standInGitlabApiToken,
    standInRunnerTokens,
    withoutEncryptedValues,
} from "./standIns";
