/**
 * The plan's fast path for serializing plain values. The Pulumi runtime serializes every resource's inputs, and
 * under mocks every state the mock answers, with `serializeProperty` (@pulumi/pulumi 3.248.0 runtime/rpc.js): an
 * async function that awaits each nested value in turn, so a Helm release's values or a tag map cost one promise
 * per leaf. A value made only of primitives, arrays and plain objects needs no waiting; in plan mode
 * (plan/engine.ts) such a value is copied at once, by the same rules: object keys holding `undefined` or a function
 * are left out, array elements that are `undefined` or a function become `null`. Anything else (an Output, a
 * promise, a resource, an asset, a class instance, an object with one of the runtime's `__pulumi…` marker keys)
 * goes to the runtime's own function, key by key, as before.
 */
const rpc = require("@pulumi/pulumi/runtime/rpc") as Rpc;

type Serialized = [Record<string, unknown>, Map<string, Set<unknown>>];
interface Rpc {
    serializeProperty(ctx: string, prop: unknown, dependentResources: Set<unknown>, opts?: object): Promise<unknown>;
    serializeProperties(label: string, props: Record<string, unknown>, opts?: object): Promise<Record<string, unknown>>;
    serializeResourceProperties(label: string, props: Record<string, unknown>, opts?: object): Promise<Serialized>;
}

/** Returned by plainCopy for a value that is not plain. */
export const NOT_PLAIN: unique symbol = Symbol("not plain");

/** What serializeProperty makes of a plain value, computed at once; NOT_PLAIN for anything else. */
export function plainCopy(value: unknown): unknown {
    switch (typeof value) {
        case "undefined":
        case "boolean":
        case "number":
        case "string":
            return value;
        case "function":
            return undefined;
        case "object":
            break;
        default:
            return NOT_PLAIN; // symbol, bigint: whatever the runtime does with them
    }
    if (value === null) return null;
    const proto = Object.getPrototypeOf(value);
    if (proto === Array.prototype) {
        const list = value as unknown[];
        const copy = new Array(list.length);
        for (let i = 0; i < list.length; i++) {
            const element = plainCopy(list[i]);
            if (element === NOT_PLAIN) return NOT_PLAIN;
            copy[i] = element === undefined ? null : element;
        }
        return copy;
    }
    if (proto !== Object.prototype && proto !== null) return NOT_PLAIN;
    const object = value as Record<string, unknown>;
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(object)) {
        if (key.startsWith("__pulumi")) return NOT_PLAIN;
        const field = plainCopy(object[key]);
        if (field === NOT_PLAIN) return NOT_PLAIN;
        if (field !== undefined) copy[key] = field;
    }
    return copy;
}

/** serializeResourceProperties with plain values copied at once; the result has the same shape. */
async function serializeResourceProperties(label: string, props: Record<string, unknown>, opts?: object): Promise<Serialized> {
    const result: Record<string, unknown> = {};
    const dependencies = new Map<string, Set<unknown>>();
    for (const key of Object.keys(props)) {
        if (key === "id" || key === "urn") continue;
        const dependentResources = new Set<unknown>();
        let value = plainCopy(props[key]);
        if (value === NOT_PLAIN) {
            try {
                value = await rpc.serializeProperty(`${label}.${key}`, props[key], dependentResources, opts);
            } catch (err) {
                // As the runtime does: the same error, with the property named.
                if (err instanceof Error) {
                    err.message = `error serializing property "${key}": ${err.message}`;
                    throw err;
                }
                throw new Error(`error serializing property "${key}": ${String(err)}`);
            }
        }
        if (value !== undefined) {
            result[key] = value;
            dependencies.set(key, dependentResources);
        }
    }
    return [result, dependencies];
}

/** Makes the runtime copy plain values at once until the returned function is called. */
export function usePlainSerialization(): () => void {
    const { serializeProperties, serializeResourceProperties: original } = rpc;
    rpc.serializeResourceProperties = serializeResourceProperties;
    rpc.serializeProperties = async (label, props, opts) => {
        const copy = plainCopy(props);
        return copy !== NOT_PLAIN && typeof copy === "object" && copy !== null
            ? (copy as Record<string, unknown>)
            : serializeProperties(label, props, opts);
    };
    return () => {
        Object.assign(rpc, { serializeProperties, serializeResourceProperties: original });
    };
}
