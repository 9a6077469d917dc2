/**
 * What `pulumi up` would do to each resource, from two recordings of the program (base and head): matched by URN
 * (and by the aliases the head records), compared input by input. A change of an input the provider cannot update
 * in place (plan/replacement.ts) or that the program lists in `replaceOnChanges` is a replacement; inputs in
 * `ignoreChanges` are left out, as the engine leaves them out. Components are structure only and not listed,
 * except @pulumi/eks's Cluster, which is the EKS control plane.
 */
import type { Recorded } from "./engine";
import { knowsReplacement, replacementReasons } from "./replacement";

export type ChangeKind = "add" | "remove" | "replace" | "update";

export interface ResourceChange {
    readonly kind: ChangeKind;
    readonly type: string;
    readonly name: string;
    /** The component it belongs to. */
    readonly parent?: string;
    /** Changed inputs (dotted paths) and options (`option protect`). */
    readonly changed: readonly string[];
    /** For a replacement: the input that forces it and where that rule comes from. */
    readonly because: readonly string[];
    /** An update of a type whose immutable inputs this plan does not know (the provider may replace instead). */
    readonly unverified?: boolean;
}

/** Remote components that are real infrastructure (not only grouping). */
const REMOTE_COMPONENTS = new Set(["eks:index:Cluster"]);
const OPTIONS = ["protect", "retainOnDelete", "deleteBeforeReplace"] as const;
/** Children that name their node group's ASG or node group: replaced with it (a new group has a new ASG and name). */
const FOLLOWS_NODE_GROUP = new Set([
    "aws:autoscaling/tag:Tag",
    "pulumi-nodejs:dynamic/eks-gitlab-runners:AsgProcessSuspension",
    "pulumi-nodejs:dynamic/eks-gitlab-runners:NodeGroupScaling",
]);
const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** Structural equality of recorded inputs (key order ignored). */
export function sameValue(a: unknown, b: unknown): boolean {
    if (a === b) return true;
    if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
    if (isObject(a) && isObject(b)) {
        const keys = Object.keys(a);
        return keys.length === Object.keys(b).length && keys.every((k) => k in b && sameValue(a[k], b[k]));
    }
    return false;
}

/** Dotted paths where `a` and `b` differ; lists and secrets are compared whole. */
export function changedPaths(a: unknown, b: unknown, prefix = ""): string[] {
    if (isObject(a) && isObject(b) && !(SECRET_SIG in a) && !(SECRET_SIG in b)) {
        const out: string[] = [];
        for (const key of new Set([...Object.keys(a), ...Object.keys(b)]))
            out.push(...changedPaths(a[key], b[key], prefix ? `${prefix}.${key}` : key));
        return out;
    }
    return sameValue(a, b) ? [] : [prefix || "(all inputs)"];
}

const shown = (r: Recorded) => r.custom || REMOTE_COMPONENTS.has(r.type);

/** Candidate base URNs of a head resource: its own and those its components' type aliases give it. */
function candidateUrns(r: Recorded, aliasTypes: ReadonlyMap<string, readonly string[]>): string[] {
    const urn = r.urn ?? `${r.type}::${r.name}`;
    const out = [urn];
    for (const [type, olds] of aliasTypes) for (const old of olds) if (urn.includes(type)) out.push(urn.split(type).join(old));
    return out;
}

export function diffResources(base: readonly Recorded[], head: readonly Recorded[]): ResourceChange[] {
    const byUrn = new Map(base.map((r) => [r.urn ?? `${r.type}::${r.name}`, r]));
    // Type aliases the head records on its components (a node group moving between the jobs and scale-to-zero kinds).
    const aliasTypes = new Map<string, string[]>();
    for (const r of head) {
        for (const alias of (r.opts?.aliases ?? []) as unknown[]) {
            const type = isObject(alias) ? alias.type : undefined;
            if (typeof type === "string") aliasTypes.set(r.type, [...(aliasTypes.get(r.type) ?? []), type]);
        }
    }
    const matched = new Set<Recorded>();
    const changes: ResourceChange[] = [];
    const replacedGroups = new Set<string>();
    const pending: { b: Recorded; h: Recorded }[] = [];
    for (const h of head) {
        const b = candidateUrns(h, aliasTypes)
            .map((u) => byUrn.get(u))
            .find((x) => x !== undefined && !matched.has(x));
        if (b) matched.add(b);
        if (!shown(h)) continue;
        if (!b) {
            changes.push({ kind: "add", type: h.type, name: h.name, parent: h.parent, changed: [], because: [] });
            continue;
        }
        pending.push({ b, h });
    }
    const byName = new Map<string, number>();
    const record = (c: ResourceChange) => {
        const key = `${c.type}::${c.name}`;
        const at = byName.get(key);
        if (at === undefined) byName.set(key, changes.push(c) - 1);
        else changes[at] = c;
    };
    const updatedTemplates = new Set<string>();
    for (const { b, h } of pending) {
        const ignored = (h.opts?.ignoreChanges ?? []) as string[];
        const changed = changedPaths(b.inputs, h.inputs).filter((p) => !ignored.some((i) => p === i || p.startsWith(`${i}.`)));
        for (const option of OPTIONS) {
            const was = (b.opts as Record<string, unknown> | undefined)?.[option];
            const is = (h.opts as Record<string, unknown> | undefined)?.[option];
            if (Boolean(was) !== Boolean(is)) changed.push(`option ${option}`);
        }
        if (changed.length === 0) continue;
        const inputs = changed.filter((p) => !p.startsWith("option "));
        const because = replacementReasons(h.type, inputs, (h.opts?.replaceOnChanges ?? []) as string[], b.inputs, h.inputs);
        if (h.type === LAUNCH_TEMPLATE && inputs.length > 0 && h.parent) updatedTemplates.add(h.parent);
        record({
            kind: because.length > 0 ? "replace" : "update",
            type: h.type,
            name: h.name,
            parent: h.parent,
            changed,
            because,
            unverified: because.length === 0 && inputs.length > 0 && !knowsReplacement(h.type) ? true : undefined,
        });
    }
    // The mocks give every launch template version 1: an updated template is a new version, which the node group
    // takes through `launchTemplate.version`, one of the inputs the program replaces it on.
    for (const { h } of pending) {
        if (h.type !== NODE_GROUP || !h.parent || !updatedTemplates.has(h.parent)) continue;
        const existing = changes[byName.get(`${h.type}::${h.name}`) ?? -1];
        const because = "launchTemplate.version (its launch template changed: a new version; replaceOnChanges of the program)";
        record({
            kind: "replace",
            type: h.type,
            name: h.name,
            parent: h.parent,
            changed: [...new Set([...(existing?.changed ?? []), "launchTemplate.version"])],
            because: [because, ...(existing?.because ?? [])],
        });
    }
    for (const c of changes) if (c.kind === "replace" && c.type === NODE_GROUP && c.parent) replacedGroups.add(c.parent);
    // A replaced node group gets a new name and ASG: what names them is replaced too (their inputs only look equal
    // here because the mocks name every group's ASG the same way).
    for (const { h } of pending) {
        if (!FOLLOWS_NODE_GROUP.has(h.type) || !h.parent || !replacedGroups.has(h.parent)) continue;
        const existing = changes[byName.get(`${h.type}::${h.name}`) ?? -1];
        record({
            kind: "replace",
            type: h.type,
            name: h.name,
            parent: h.parent,
            changed: existing?.changed ?? [],
            because: ["its node group is replaced (a new node group and ASG)"],
        });
    }
    for (const b of base) {
        if (!matched.has(b) && shown(b))
            changes.push({ kind: "remove", type: b.type, name: b.name, parent: b.parent, changed: [], because: [] });
    }
    const order: Record<ChangeKind, number> = { replace: 0, remove: 1, add: 2, update: 3 };
    return changes.sort((x, y) => order[x.kind] - order[y.kind] || x.type.localeCompare(y.type) || x.name.localeCompare(y.name));
}
