// Turns what the CrossGuard SDK hands a policy into the PolicyResource the rules take, and back into reports.
// Kept apart from index.ts (which starts the policy server on import) so tests can drive it directly.
import type { PolicyResource as SdkResource, PolicyResourceOptions, ResourceValidationArgs } from "@pulumi/policy";
import { contextFor, DEFAULT_PRODUCTION_STACKS, PolicyResource, RuleContext, UNKNOWN } from "../policies";

/** Configuration every policy of the pack accepts (`pulumi preview --policy-pack-config <file>`). */
export interface PackConfig {
    /** Short stack names held to production rules. */
    productionStacks?: string[];
}

export const PACK_CONFIG_SCHEMA = {
    properties: {
        productionStacks: { type: "array" as const, items: { type: "string" as const }, default: [...DEFAULT_PRODUCTION_STACKS] },
    },
};

// The engine's markers for values a preview cannot know yet; the SDK's proxy throws on reading them.
const UNKNOWN_SENTINELS = new Set([
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
    "030794c1-ac77-496b-92df-f27374a8bd58",
    "e48ece36-62e2-4504-bad9-02848725956a",
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
]);

const isUnknownValueError = (err: unknown) => err instanceof Error && err.constructor.name === "UnknownValueError";

function read(container: Record<string | number, unknown>, key: string | number): unknown {
    try {
        return plain(container[key]);
    } catch (err) {
        if (isUnknownValueError(err)) return UNKNOWN;
        throw err;
    }
}

/**
 * A plain copy of a value the SDK handed over: unknown preview values become UNKNOWN (instead of the SDK's proxy
 * throwing and turning the whole policy advisory), everything else is copied key by key.
 */
export function plain(value: unknown): unknown {
    if (typeof value === "string") return UNKNOWN_SENTINELS.has(value) ? UNKNOWN : value;
    if (value === null || typeof value !== "object") return value;
    if (Array.isArray(value)) {
        const out: unknown[] = [];
        for (let i = 0; i < value.length; i++) out.push(read(value as unknown as Record<number, unknown>, i));
        return out;
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) out[key] = read(value as Record<string, unknown>, key);
    return out;
}

const nameOfUrn = (urn: string | undefined) => urn?.split("::").pop();

function options(opts: PolicyResourceOptions | undefined): PolicyResource["opts"] {
    return { protect: opts?.protect ?? false, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? [])] };
}

/** validateResource's view: the resource's inputs. */
export function fromResourceArgs(args: Pick<ResourceValidationArgs, "type" | "name" | "urn" | "props" | "opts">): PolicyResource {
    const inputs = plain(args.props) as Record<string, unknown>;
    return {
        type: args.type,
        name: args.name,
        urn: args.urn,
        inputs,
        opts: options(args.opts),
        parent: nameOfUrn(args.opts?.parent),
    };
}

/** validateStack's view: the resources' outputs, which hold their inputs too; pairing uses the parent chain. */
export function fromStackResource(r: Pick<SdkResource, "type" | "name" | "urn" | "props" | "opts" | "parent">): PolicyResource {
    const props = plain(r.props) as Record<string, unknown>;
    return {
        type: r.type,
        name: r.name,
        urn: r.urn,
        inputs: props,
        outputs: props,
        opts: options(r.opts),
        parent: r.parent?.name,
    };
}

/** The rules' context inside the pack: stack from the URNs, production stacks from the pack config. */
export function packContext(resources: readonly PolicyResource[], config: PackConfig): RuleContext {
    // The SDK unwraps secrets before policies see them: rules fall back to additionalSecretOutputs.
    return contextFor(resources, {
        productionStacks: config.productionStacks ?? DEFAULT_PRODUCTION_STACKS,
        secretsVisible: false,
    });
}
