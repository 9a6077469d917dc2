/**
 * Which input changes make a provider replace a resource instead of updating it, for the resource types this
 * program registers. Offline there is no provider to ask, so this is a table read from each provider's source;
 * together with the `replaceOnChanges` the program records, it says why a diff replaces something. A type that is
 * not in the table is reported as an update with that caveat, never silently as one.
 */
import type { DiffResult } from "@pulumi/pulumi/dynamic";
import { suspensionDiff } from "../components/nodegroups/azRebalance";
import { scalingDiff } from "../components/nodegroups/lifecycle/nodeGroupScaling";
import { GitlabRunnerState, runnerDiff } from "../components/runners/registration/lifecycle";
import { AWS_IMMUTABLE_INPUTS } from "./awsImmutableInputs";

export type Inputs = Record<string, unknown>;

export interface ImmutableInputs {
    /** Pulumi input paths (camelCase, dotted) whose change replaces the resource. */
    readonly paths: readonly string[];
    /** Where this is decided upstream. */
    readonly source: string;
    /**
     * A replacement the provider decides from the old and new inputs at plan time (not a fixed attribute): the
     * input path that forces it, or undefined.
     */
    readonly replacesWhen?: (olds: Inputs, news: Inputs, changed: readonly string[]) => string | undefined;
}

const K8S = "pulumi/pulumi-kubernetes provider/pkg/provider (commit cafe8c4)";

/** Whether `changed` is `path` or inside it, or contains it (a whole object replaced). */
const touches = (changed: string, path: string) =>
    path === "*" || changed === path || changed.startsWith(`${path}.`) || path.startsWith(`${changed}.`);

/** Every Kubernetes object: "changing the identity of the resource always causes a replacement". */
const K8S_IDENTITY = ["metadata.name", "metadata.namespace"];

/**
 * The switches of the program's Kubernetes provider that decide whether Secret and ConfigMap data can change in
 * place: components/cluster/runnerCluster.ts sets neither (tests check the recorded provider), and both default to
 * off (@pulumi/kubernetes provider.d.ts: "disabled by default").
 */
export const PROGRAM_K8S_PROVIDER = { enableConfigMapMutable: false, enableSecretMutable: false } as const;

/**
 * A ConfigMap's immutable inputs under a provider with these switches: diff.go forceNewProperties adds .binaryData
 * and .data unless the provider enables enableConfigMapMutable and the new object is not `immutable: true`
 * (provider.go Diff passes the new inputs).
 */
export function configMapImmutableInputs(provider: { readonly enableConfigMapMutable: boolean }): ImmutableInputs {
    const data = ["binaryData", "data"];
    if (!provider.enableConfigMapMutable) {
        return {
            paths: [...K8S_IDENTITY, ...data],
            source: `${K8S} diff.go (ConfigMap without enableConfigMapMutable: .binaryData, .data)`,
        };
    }
    return {
        paths: K8S_IDENTITY,
        source: `${K8S} diff.go (ConfigMap with enableConfigMapMutable: .binaryData, .data only when immutable)`,
        replacesWhen: (_olds, news, changed) =>
            news.immutable === true ? changed.find((c) => data.some((d) => touches(c, d))) : undefined,
    };
}

export const IMMUTABLE_INPUTS: Readonly<Record<string, ImmutableInputs>> = {
    ...AWS_IMMUTABLE_INPUTS,
    "kubernetes:helm.sh/v3:Release": {
        paths: ["name", "namespace"],
        source: `${K8S} helm_release.go (forceNewFields .name, .namespace)`,
    },
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": {
        paths: [...K8S_IDENTITY, "roleRef"],
        source: `${K8S} diff.go (roleBinding: .roleRef)`,
    },
    // The provider is built without enableSecretMutable (components/cluster/runnerCluster.ts), so a Secret's data is
    // immutable to it.
    "kubernetes:core/v1:Secret": {
        paths: [...K8S_IDENTITY, "type", "stringData", "data"],
        source: `${K8S} diff.go (Secret without enableSecretMutable: .type, .stringData, .data)`,
    },
    // Likewise without enableConfigMapMutable: a ConfigMap's data is immutable (Fluent Bit's logging ConfigMap).
    "kubernetes:core/v1:ConfigMap": configMapImmutableInputs(PROGRAM_K8S_PROVIDER),
    "kubernetes:core/v1:ResourceQuota": {
        paths: [...K8S_IDENTITY, "spec.scopes"],
        source: `${K8S} diff.go (ResourceQuota: .spec.scopes)`,
    },
    // DiffConfig replaces the provider when its kubeconfig points at another cluster, and every object with it.
    "pulumi:providers:kubernetes": {
        paths: ["kubeconfig"],
        source: `${K8S} provider.go DiffConfig (a kubeconfig for another cluster)`,
    },
};

/** Kubernetes kinds whose only immutable inputs are the name and namespace (same source). */
for (const type of [
    // Custom resources: diff.go has no kind entry for them, so only their identity replaces them.
    "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass",
    "kubernetes:karpenter.sh/v1:NodePool",
    "kubernetes:core/v1:LimitRange",
    "kubernetes:core/v1:Namespace",
    "kubernetes:core/v1:ServiceAccount",
    "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    "kubernetes:rbac.authorization.k8s.io/v1:Role",
    "kubernetes:policy/v1:PodDisruptionBudget",
    "kubernetes:scheduling.k8s.io/v1:PriorityClass",
]) {
    (IMMUTABLE_INPUTS as Record<string, ImmutableInputs>)[type] = {
        paths: K8S_IDENTITY,
        source: `${K8S} provider.go Diff (.metadata.name, .metadata.namespace)`,
    };
}

/** Dynamic providers of this program decide replacement in their own diff functions: asked directly. */
const DYNAMIC_DIFFS: Readonly<Record<string, (olds: never, news: never) => DiffResult>> = {
    "pulumi-nodejs:dynamic/eks-gitlab-runners:AsgProcessSuspension": suspensionDiff,
    "pulumi-nodejs:dynamic/eks-gitlab-runners:NodeGroupScaling": scalingDiff,
    // Its state also holds the runner's ID in GitLab; from inputs alone, the runner an earlier adoption took over is
    // the one in state (a new adoptRunnerId names another runner: a replacement, as in the provider).
    "pulumi-nodejs:dynamic/eks-gitlab-runners:RunnerRegistration": (olds: Record<string, unknown>, news: never) =>
        runnerDiff({ ...olds, runnerId: olds.adoptRunnerId } as unknown as GitlabRunnerState, news),
};

/** The changed input paths that make the provider replace a resource with these immutable inputs. */
export function immutableHits(table: ImmutableInputs, changed: readonly string[], olds: Inputs, news: Inputs): string[] {
    const hits: string[] = [];
    for (const path of table.paths) {
        const hit = changed.find((c) => touches(c, path));
        if (hit && !hits.includes(hit)) hits.push(hit);
    }
    const conditional = changed.length > 0 ? table.replacesWhen?.(olds, news, changed) : undefined;
    if (conditional && !hits.includes(conditional)) hits.push(conditional);
    return hits;
}

/**
 * Why a resource of `type` with these changed input paths is replaced, or an empty list for an in-place update.
 * `replaceOnChanges` are the resource options the program recorded; `olds`/`news` the inputs (dynamic resources).
 */
export function replacementReasons(
    type: string,
    changed: readonly string[],
    replaceOnChanges: readonly string[],
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
): string[] {
    const reasons: string[] = [];
    for (const path of replaceOnChanges) {
        const hit = changed.find((c) => touches(c, path));
        if (hit) reasons.push(`${hit} (replaceOnChanges of the program)`);
    }
    const table = IMMUTABLE_INPUTS[type];
    if (table) {
        for (const hit of immutableHits(table, changed, olds, news))
            if (!reasons.some((r) => r.startsWith(`${hit} `))) reasons.push(`${hit} (immutable: ${table.source})`);
    }
    const dynamic = DYNAMIC_DIFFS[type];
    if (dynamic) {
        let replaces: readonly string[];
        try {
            replaces = dynamic(olds as never, news as never).replaces ?? [];
        } catch {
            replaces = changed; // inputs of another shape (an older program): assume the worst
        }
        for (const key of replaces) reasons.push(`${key} (the provider's own diff, ${type.split(":").pop()})`);
    }
    return reasons;
}

/** Whether the table (or the program's own diff function) knows this type's immutable inputs. */
export const knowsReplacement = (type: string) => type in IMMUTABLE_INPUTS || type in DYNAMIC_DIFFS;
