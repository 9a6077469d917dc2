/**
 * The security-relevant picture of a stack, read from the resources the program registered (never from config):
 * who may reach the cluster (access entries and their policies), how its API endpoint is exposed, what every IAM
 * document allows, and which chart and add-on versions run. The snapshot plan prints it; a diff compares it.
 */
import type { Recorded } from "./engine";
import { policyStatements, StatementSummary } from "./iamDocuments";

const CLUSTER_COMPONENT = "eks-gitlab-runners:index:RunnerCluster";
export const TYPES = {
    cluster: "eks:index:Cluster",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    policy: "aws:iam/policy:Policy",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    podIdentity: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    release: "kubernetes:helm.sh/v3:Release",
    eksAddon: "aws:eks/addon:Addon",
} as const;

export interface AccessEntryView {
    readonly key: string;
    readonly principalArn: string;
    /** The 12-digit account of the principal (a foreign account is worth a second look). */
    readonly account: string;
    /** Access policy name and scope, e.g. `AmazonEKSClusterAdminPolicy (cluster)`. */
    readonly policies: readonly string[];
}

export interface EndpointView {
    readonly privateAccess: boolean | "missing";
    readonly publicAccess: boolean | "missing";
    /** Who may reach the public endpoint (EKS allows everyone, 0.0.0.0/0, when public and empty). */
    readonly publicAccessCidrs: readonly string[];
    /** Ingress rules on the cluster security group: who may reach the private endpoint. */
    readonly ingress: readonly { readonly source: string; readonly ports: string; readonly description: string }[];
}

export interface IamDocumentView {
    /** The registered resource holding the document. */
    readonly resource: string;
    readonly kind: "trust policy" | "inline policy" | "managed policy" | "bucket policy";
    /** The component the document belongs to (its role), for grouping. */
    readonly owner: string;
    readonly statements: readonly StatementSummary[];
    /** For attached managed policies: the policy ARN (its document is AWS's, not in the program). */
    readonly policyArn?: string;
}

export interface IdentityView {
    /** `namespace/serviceAccount` → role, from Pod Identity associations (of add-ons and runner managers). */
    readonly serviceAccount: string;
    readonly roleArn: string;
}

export interface VersionView {
    readonly name: string;
    readonly kind: "helm chart" | "EKS add-on";
    readonly component: string;
    readonly version: string;
}

export interface SecurityView {
    readonly accessEntries: readonly AccessEntryView[];
    readonly endpoint: EndpointView;
    readonly iam: readonly IamDocumentView[];
    readonly identities: readonly IdentityView[];
    readonly versions: readonly VersionView[];
}

const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const bool = (v: unknown): boolean | "missing" => (typeof v === "boolean" ? v : "missing");

/** Reads the security view out of the recorded resources. */
/**
 * The ingress rules that open the private API endpoint: those of the cluster component (components/cluster), not
 * the ones other components put on security groups of their own (a VM runner's SSH from the cluster).
 */
export function apiIngress(resources: readonly Recorded[]): Recorded[] {
    const clusters = new Set(resources.filter((r) => r.type === CLUSTER_COMPONENT).map((r) => r.name));
    return resources.filter((r) => r.type === TYPES.ingress && r.parent !== undefined && clusters.has(r.parent));
}

export function readSecurity(resources: readonly Recorded[]): SecurityView {
    const ofType = (type: string) => resources.filter((r) => r.type === type);
    const cluster = ofType(TYPES.cluster)[0]?.inputs ?? {};
    const entries = (cluster.accessEntries ?? {}) as Record<string, { principalArn?: string; accessPolicies?: unknown }>;
    const accessEntries = Object.entries(entries)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, e]) => ({
            key,
            principalArn: str(e?.principalArn) ?? "missing",
            account: str(e?.principalArn)?.split(":")[4] ?? "missing",
            policies: Object.values(
                (e?.accessPolicies ?? {}) as Record<string, { policyArn?: string; accessScope?: { type?: string } }>,
            ).map((p) => `${str(p?.policyArn)?.split("/").pop() ?? "missing"} (${p?.accessScope?.type ?? "missing"})`),
        }));

    const endpoint: EndpointView = {
        privateAccess: bool(cluster.endpointPrivateAccess),
        publicAccess: bool(cluster.endpointPublicAccess),
        publicAccessCidrs: Array.isArray(cluster.publicAccessCidrs) ? cluster.publicAccessCidrs.map(String) : [],
        ingress: apiIngress(resources).map((r) => ({
            source: str(r.inputs.cidrIpv4) ?? str(r.inputs.referencedSecurityGroupId) ?? str(r.inputs.cidrIpv6) ?? "missing",
            ports:
                r.inputs.fromPort === r.inputs.toPort
                    ? `${r.inputs.ipProtocol}/${r.inputs.fromPort}`
                    : `${r.inputs.ipProtocol}/${r.inputs.fromPort}-${r.inputs.toPort}`,
            description: str(r.inputs.description) ?? "",
        })),
    };

    const owner = (r: Recorded) => r.parent ?? r.name;
    const iam: IamDocumentView[] = [
        ...ofType(TYPES.role).map((r) => doc(r, "trust policy", owner(r), r.inputs.assumeRolePolicy)),
        ...ofType(TYPES.rolePolicy).map((r) => doc(r, "inline policy", owner(r), r.inputs.policy)),
        ...ofType(TYPES.policy).map((r) => doc(r, "inline policy", owner(r), r.inputs.policy)),
        ...ofType(TYPES.bucketPolicy).map((r) => doc(r, "bucket policy", owner(r), r.inputs.policy)),
        ...ofType(TYPES.attachment).map((r): IamDocumentView => ({
            resource: r.name,
            kind: "managed policy",
            owner: owner(r),
            statements: [],
            policyArn: str(r.inputs.policyArn) ?? "missing",
        })),
    ];

    const identities: IdentityView[] = [
        ...ofType(TYPES.podIdentity).map((r) => ({
            serviceAccount: `${r.inputs.namespace}/${r.inputs.serviceAccount}`,
            roleArn: str(r.inputs.roleArn) ?? "missing",
        })),
        ...ofType(TYPES.eksAddon).flatMap((r) =>
            (Array.isArray(r.inputs.podIdentityAssociations) ? r.inputs.podIdentityAssociations : []).map(
                (a: { serviceAccount?: string; roleArn?: string }) => ({
                    serviceAccount: `${r.inputs.addonName} add-on/${a.serviceAccount}`,
                    roleArn: str(a.roleArn) ?? "missing",
                }),
            ),
        ),
    ];

    const versions: VersionView[] = [
        ...ofType(TYPES.release).map((r) => ({
            name: str(r.inputs.chart) ?? "missing",
            kind: "helm chart" as const,
            component: r.inputs.name ?? r.name,
            version: str(r.inputs.version) ?? "missing",
        })),
        ...ofType(TYPES.eksAddon).map((r) => ({
            name: str(r.inputs.addonName) ?? "missing",
            kind: "EKS add-on" as const,
            component: r.parent ?? r.name,
            version: str(r.inputs.addonVersion) ?? "newest for the cluster version",
        })),
        ...(["vpcCniOptions", "kubeProxyAddonOptions"] as const).flatMap((key) => {
            const options = cluster[key] as { addonVersion?: string; version?: string } | undefined;
            if (!options) return [];
            return [
                {
                    name: key === "vpcCniOptions" ? "vpc-cni" : "kube-proxy",
                    kind: "EKS add-on" as const,
                    component: "cluster",
                    version: options.addonVersion ?? options.version ?? "missing",
                },
            ];
        }),
    ];
    return { accessEntries, endpoint, iam, identities, versions };
}

function doc(r: Recorded, kind: IamDocumentView["kind"], owner: string, document: unknown): IamDocumentView {
    return { resource: r.name, kind, owner, statements: policyStatements(document) };
}
