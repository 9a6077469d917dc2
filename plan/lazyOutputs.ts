/**
 * The plan's lazy resource outputs. When a custom resource is registered, the Pulumi runtime puts an Output on the
 * resource object for every property of its type (`transferProperties`, @pulumi/pulumi 3.248.0 runtime/rpc.js):
 * four pending promises plus the ten or so an Output makes of them, for each of the 20–40 properties of a typical
 * AWS resource, most of which the program never reads. That was half the cost of registering a resource offline.
 *
 * In plan mode (plan/engine.ts) each property is a getter instead, which makes its Output the first time something
 * reads it, from whatever the registration answered or will answer. What a reader sees is what the runtime's
 * Output would show: the value, whether it is known, whether it is secret, the resources it depends on, the error
 * of a failed registration. The resolvers it returns are called by the runtime exactly as before (`resolveProperties`).
 * The one difference: a property nobody reads never becomes an Output, so it cannot report a failed registration;
 * the resource's `urn` and `id`, which are made as before, still do.
 */
import * as pulumi from "@pulumi/pulumi";

const rpc = require("@pulumi/pulumi/runtime/rpc") as { transferProperties: TransferProperties };
const { isGrpcError } = require("@pulumi/pulumi/errors") as { isGrpcError(err: unknown): boolean };
const { Output } = require("@pulumi/pulumi/output") as {
    Output: new (
        resources: unknown,
        value: Promise<unknown>,
        isKnown: Promise<boolean>,
        isSecret: Promise<boolean>,
        allResources: Promise<unknown[]>,
    ) => pulumi.Output<unknown>;
};

/** How the runtime resolves one transferred property (runtime/rpc.js `transferProperties`). */
type Resolver = (value: unknown, isKnown: boolean, isSecret: boolean, deps?: unknown[], err?: Error) => void;
type TransferProperties = (onto: object, label: string, props: Record<string, unknown>) => Record<string, Resolver>;

interface Settled {
    readonly value: unknown;
    readonly isKnown: boolean;
    readonly isSecret: boolean;
    readonly deps: unknown[];
    readonly err?: Error;
}

/** `transferProperties` with each Output made when it is first read. */
export const lazyTransferProperties: TransferProperties = (onto, label, props) => {
    const resolvers: Record<string, Resolver> = {};
    for (const key of Object.keys(props)) {
        // As the runtime does: `id` and `urn` are made by prepareResource; a property never replaces another.
        if (key === "id" || key === "urn") continue;
        if (Object.prototype.hasOwnProperty.call(onto, key)) {
            throw new Error(`Property '${key}' is already initialized on target '${label}`);
        }
        let settled: Settled | undefined;
        let deliver: ((s: Settled) => void) | undefined;
        let output: pulumi.Output<unknown> | undefined;
        resolvers[key] = (value, isKnown, isSecret, deps = [], err) => {
            // The runtime leaves a property pending forever when the engine went away (a gRPC error).
            if (err && isGrpcError(err)) return;
            settled = { value, isKnown, isSecret, deps, err };
            deliver?.(settled);
        };
        Object.defineProperty(onto, key, {
            configurable: true,
            enumerable: true,
            get() {
                if (output === undefined) {
                    const state = settled ? Promise.resolve(settled) : new Promise<Settled>((resolve) => (deliver = resolve));
                    const part = <T>(pick: (s: Settled) => T) => state.then((s) => (s.err ? Promise.reject(s.err) : pick(s)));
                    output = new Output(
                        onto,
                        part((s) => s.value),
                        part((s) => s.isKnown),
                        part((s) => s.isSecret),
                        part((s) => s.deps),
                    );
                }
                return output;
            },
            // A class that assigns the property itself (none of the SDKs' does) gets a plain property, as before.
            set(value: unknown) {
                Object.defineProperty(onto, key, { value, writable: true, enumerable: true, configurable: true });
            },
        });
    }
    return resolvers;
};

/** Makes the runtime transfer properties lazily until the returned function is called. */
export function useLazyOutputs(): () => void {
    const original = rpc.transferProperties;
    rpc.transferProperties = lazyTransferProperties;
    return () => {
        rpc.transferProperties = original;
    };
}
