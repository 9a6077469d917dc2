// The shape every policy rule works on, and the helpers they share. Pure: no Pulumi runtime, no I/O, so the same
// rules run in mocha over the resources the mock harness records and, through policy-pack/, inside `pulumi preview
// --policy-pack` against what the engine sends.

/**
 * One resource as the rules see it. Offline this is what tests/support/harness.ts records (type, name, inputs,
 * opts, parent name, URN); in the CrossGuard pack, policy-pack/adapter.ts builds it from the engine's view.
 */
export interface PolicyResource {
    /** Pulumi type token, e.g. `aws:ec2/launchTemplate:LaunchTemplate`. */
    readonly type: string;
    /** The logical name the program gave the resource. */
    readonly name: string;
    /**
     * Inputs as the program passed them. Offline, values made with `pulumi.secret` keep their secret wrapper
     * (see isSecretValue); in the pack the engine has already unwrapped them. Unknown preview values are UNKNOWN.
     */
    readonly inputs: Readonly<Record<string, unknown>>;
    /** Provider outputs where known (ASG names, bucket names); used only to pair resources. */
    readonly outputs?: Readonly<Record<string, unknown>>;
    readonly opts?: {
        readonly protect?: boolean;
        readonly additionalSecretOutputs?: readonly string[];
    };
    /** Logical name of the parent (a component), if any. */
    readonly parent?: string;
    /** `urn:pulumi:<stack>::<project>::<parent types $ type>::<name>`: carries the stack and the component chain. */
    readonly urn?: string;
}

/** What the rules need to know about the stack beyond its resources. */
export interface RuleContext {
    readonly stack: string;
    /** Stacks held to production rules (protected cluster, no force-destroyed buckets). */
    readonly productionStacks: readonly string[];
    /**
     * Whether Pulumi secrets are still wrapped in `inputs`. True offline (the mock harness keeps the wrapper); false
     * in the pack, where the policy SDK hands rules plain values and only `additionalSecretOutputs` says what is secret.
     */
    readonly secretsVisible: boolean;
}

/** A violation of one rule. `resource` is absent when the stack as a whole is at fault. */
export interface Finding {
    readonly resource?: PolicyResource;
    readonly message: string;
}

export interface Rule {
    /** Stable id: the CrossGuard policy name and how a violation is reported. */
    readonly id: string;
    /** One line: what must hold. */
    readonly description: string;
    /** The production lesson behind it (seed / design note), so nobody "simplifies" it away. */
    readonly why: string;
    /** What to change when it fires. */
    readonly remediation: string;
    /** The resource types the rule inspects (coverage reporting; CrossGuard skips other types quickly). */
    readonly types: readonly string[];
    /** Checks one resource on its own (CrossGuard `validateResource`). */
    readonly checkResource?: (resource: PolicyResource, ctx: RuleContext) => string[];
    /** Checks that need several resources at once (CrossGuard `validateStack`). */
    readonly checkStack?: (resources: readonly PolicyResource[], ctx: RuleContext) => Finding[];
}

/** One violation, attributed to its rule. */
export interface Violation {
    readonly rule: string;
    /** `<type>::<name>` of the offending resource, or "stack". */
    readonly target: string;
    readonly message: string;
}

export const DEFAULT_PRODUCTION_STACKS: readonly string[] = ["prod"];

export function isProduction(ctx: RuleContext): boolean {
    // Stack names may be qualified (`org/prod`, `org/project/prod`); production lists hold the short name.
    const short = ctx.stack.split("/").pop() ?? ctx.stack;
    return ctx.productionStacks.includes(short) || ctx.productionStacks.includes(ctx.stack);
}

/** The stack name inside a URN (`urn:pulumi:<stack>::…`), or undefined if it is not one. */
export function stackOfUrn(urn: string | undefined): string | undefined {
    const match = urn === undefined ? null : /^urn:pulumi:([^:]+)::/.exec(urn);
    return match?.[1];
}

/** The type tokens of a resource's component ancestors, outermost first (read from its URN). */
export function ancestorTypes(resource: PolicyResource): string[] {
    const qualified = resource.urn?.split("::")[2];
    if (!qualified) return [];
    const chain = qualified.split("$");
    return chain.slice(0, -1);
}

/** Stands for a value that is not known yet (a preview of a resource that depends on one not yet created). */
export const UNKNOWN: unique symbol = Symbol("eks-gitlab-runners/policy-unknown");
export const isUnknown = (v: unknown): v is typeof UNKNOWN => v === UNKNOWN;

// The engine's wire format for secrets: { "4dabf181…": "1b47061…", value }. The mock harness records inputs in it.
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export function isSecretValue(v: unknown): v is { value: unknown } {
    return isObject(v) && v[SIG_KEY] === SECRET_SIG;
}

export function isObject(v: unknown): v is Record<string, unknown> {
    return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** A value with every secret wrapper removed (rules other than the token scan read values, not secretness). */
export function reveal(v: unknown): unknown {
    if (isSecretValue(v)) return reveal(v.value);
    if (Array.isArray(v)) return v.map(reveal);
    if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, reveal(x)]));
    return v;
}

/** Reads a dotted path out of revealed inputs; UNKNOWN propagates, missing keys give undefined. */
export function at(root: unknown, path: string): unknown {
    let node = reveal(root);
    for (const key of path.split(".")) {
        if (isUnknown(node)) return UNKNOWN;
        if (Array.isArray(node) && /^\d+$/.test(key)) node = node[Number(key)];
        else if (isObject(node)) node = node[key];
        else return undefined;
    }
    return node;
}

/** Every string in a value, with its property path; `skip` decides which subtrees are not entered. */
export function strings(
    v: unknown,
    skip: (value: unknown, path: string) => boolean,
    path = "",
): { path: string; value: string }[] {
    if (skip(v, path)) return [];
    if (typeof v === "string") return [{ path, value: v }];
    if (Array.isArray(v)) return v.flatMap((x, i) => strings(x, skip, `${path}[${i}]`));
    if (isObject(v)) return Object.entries(v).flatMap(([k, x]) => strings(x, skip, path ? `${path}.${k}` : k));
    return [];
}

/** `a` or `[a, b]` → `[a, b]`; anything else → []. */
export function asArray(v: unknown): unknown[] {
    if (Array.isArray(v)) return v;
    return v === undefined || v === null ? [] : [v];
}

/** Parses a JSON document given as a string (or already an object); UNKNOWN stays UNKNOWN, junk gives an Error. */
export function parseJsonDocument(v: unknown): Record<string, unknown> | typeof UNKNOWN | Error | undefined {
    const value = reveal(v);
    if (value === undefined || value === null || value === "") return undefined;
    if (isUnknown(value)) return UNKNOWN;
    if (isObject(value)) return value;
    if (typeof value !== "string") return new Error(`expected a JSON document, got ${typeof value}`);
    try {
        const parsed: unknown = JSON.parse(value);
        return isObject(parsed) ? parsed : new Error("the JSON document is not an object");
    } catch (err) {
        return new Error(`not valid JSON (${(err as Error).message})`);
    }
}

/** `<type>::<name>`: how violations name a resource. */
export const resourceLabel = (r: PolicyResource) => `${r.type}::${r.name}`;

/** Resource type tokens the rules look at (@pulumi/aws 7.x, @pulumi/kubernetes 4.x, @pulumi/eks 4.x, this program). */
export const TYPES = {
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    instance: "aws:ec2/instance:Instance",
    nodeGroup: "aws:eks/nodeGroup:NodeGroup",
    asgTag: "aws:autoscaling/tag:Tag",
    asgProcessSuspension: "pulumi-nodejs:dynamic/eks-gitlab-runners:AsgProcessSuspension",
    eksComponentCluster: "eks:index:Cluster",
    eksCluster: "aws:eks/cluster:Cluster",
    iamPolicy: "aws:iam/policy:Policy",
    iamRolePolicy: "aws:iam/rolePolicy:RolePolicy",
    iamUserPolicy: "aws:iam/userPolicy:UserPolicy",
    iamGroupPolicy: "aws:iam/groupPolicy:GroupPolicy",
    iamRole: "aws:iam/role:Role",
    bucket: "aws:s3/bucket:Bucket",
    bucketV2: "aws:s3/bucketV2:BucketV2",
    bucketPublicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    bucketEncryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    bucketEncryptionV2: "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    bucketAcl: "aws:s3/bucketAcl:BucketAcl",
    bucketAclV2: "aws:s3/bucketAclV2:BucketAclV2",
    helmRelease: "kubernetes:helm.sh/v3:Release",
    namespace: "kubernetes:core/v1:Namespace",
    secret: "kubernetes:core/v1:Secret",
    role: "kubernetes:rbac.authorization.k8s.io/v1:Role",
    roleBinding: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
    clusterRole: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
    clusterRoleBinding: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
    nodePool: "kubernetes:karpenter.sh/v1:NodePool",
    ec2NodeClass: "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass",
    networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    serviceAccount: "kubernetes:core/v1:ServiceAccount",
    iamRolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
} as const;
