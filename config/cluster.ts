import { z } from "zod";
import { cidrError } from "./cidr";
import { strictObject } from "./problems";
import { EKS_DEFAULT_QUOTAS, quotasSchema } from "./quotas";
import { EKS_VERSION_RANGE, isEksVersion } from "./versions";

/** Control-plane log types EKS accepts (`enabledClusterLogTypes`). */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

export const CLUSTER_DEFAULTS = {
    /** api + audit + authenticator: who did what; the noisy scheduler/controllerManager logs stay off. */
    logTypes: ["api", "audit", "authenticator"] as (typeof CONTROL_PLANE_LOG_TYPES)[number][],
    endpoint: {
        privateAccess: true,
        publicAccess: false,
        publicAccessCidrs: [] as string[],
        privateAccessCidrs: [] as string[],
        privateAccessSecurityGroupIds: [] as string[],
    },
    protect: false,
};

const IAM_ROLE_ARN = /^arn:aws(-cn|-us-gov)?:iam::\d{12}:role\/[\w+=,.@\-/]{1,512}$/;

export const iamRoleArn = z.string().refine((s) => IAM_ROLE_ARN.test(s), {
    error: (iss) => `${JSON.stringify(iss.input)} is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)`,
});

const cidr = z.string().superRefine((s, ctx) => {
    const why = cidrError(s);
    if (why) ctx.addIssue({ code: "custom", message: why });
});

const endpointSchema = strictObject({
    /** Private endpoint: nodes and in-VPC CI runners reach the API without leaving the VPC. */
    privateAccess: z.boolean().default(CLUSTER_DEFAULTS.endpoint.privateAccess),
    /** Public endpoint, off by default; when on, `publicAccessCidrs` must list who may reach it. */
    publicAccess: z.boolean().default(CLUSTER_DEFAULTS.endpoint.publicAccess),
    /** At most 40: "Public endpoint access CIDR ranges per cluster", not adjustable (EKS service quotas). */
    publicAccessCidrs: z
        .array(cidr)
        .max(EKS_DEFAULT_QUOTAS.publicAccessCidrs, {
            error: `EKS accepts at most ${EKS_DEFAULT_QUOTAS.publicAccessCidrs} public access CIDRs per cluster (a quota that cannot be raised); use wider blocks or the private endpoint`,
        })
        .default(CLUSTER_DEFAULTS.endpoint.publicAccessCidrs),
    /**
     * Networks (CIDRs inside the VPC or connected to it) allowed to reach the private endpoint on 443, e.g. the deploy
     * runner's subnet. The private endpoint answers only through the EKS-created cluster security group, which admits
     * only its own members (EKS user guide, "Cluster API server endpoint": a private-only endpoint needs ingress on
     * 443 from the connected network); each entry becomes an ingress rule there.
     */
    privateAccessCidrs: z.array(cidr).default(CLUSTER_DEFAULTS.endpoint.privateAccessCidrs),
    /** Security groups (e.g. the deploy runner instance's) allowed to reach the private endpoint on 443. */
    privateAccessSecurityGroupIds: z
        .array(
            z.string().regex(/^sg-[0-9a-f]{8}([0-9a-f]{9})?$/, {
                error: (iss) => `${JSON.stringify(iss.input)} is not a security group id like sg-0123456789abcdef0`,
            }),
        )
        .default(CLUSTER_DEFAULTS.endpoint.privateAccessSecurityGroupIds),
}).superRefine((e, ctx) => {
    if (!e.privateAccess && !e.publicAccess) {
        ctx.addIssue({
            code: "custom",
            path: ["privateAccess"],
            message: "privateAccess and publicAccess cannot both be false: nothing could reach the cluster API",
        });
    }
    if (e.publicAccess && e.publicAccessCidrs.length === 0) {
        ctx.addIssue({
            code: "custom",
            path: ["publicAccessCidrs"],
            message:
                "publicAccess is true but no CIDRs are listed; name the addresses allowed to reach the API (e.g. the deploy runner's NAT IP/32)",
        });
    }
    const privateSources = e.privateAccessCidrs.length + e.privateAccessSecurityGroupIds.length;
    if (e.privateAccess && !e.publicAccess && privateSources === 0) {
        ctx.addIssue({
            code: "custom",
            path: ["privateAccessCidrs"],
            message:
                "the API is private-only, so nothing outside the cluster could reach it (the cluster security group admits only itself): list the deploy runner's network in privateAccessCidrs or its security group in privateAccessSecurityGroupIds",
        });
    }
    if (!e.privateAccess && privateSources > 0) {
        ctx.addIssue({
            code: "custom",
            path: [e.privateAccessCidrs.length > 0 ? "privateAccessCidrs" : "privateAccessSecurityGroupIds"],
            message:
                "sources of the private endpoint are listed but privateAccess is false; set privateAccess: true or remove them",
        });
    }
    if (!e.publicAccess && e.publicAccessCidrs.length > 0) {
        ctx.addIssue({
            code: "custom",
            path: ["publicAccessCidrs"],
            message: "CIDRs are listed but publicAccess is false; set publicAccess: true or remove them",
        });
    }
});

/** `cluster`: the EKS control plane. */
export const clusterSchema = strictObject({
    /** EKS cluster name (also the Cluster Autoscaler discovery key): 1–100 of [A-Za-z0-9_-], starting alphanumeric. */
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/, {
        error: (iss) =>
            `${JSON.stringify(iss.input)} is not a valid EKS cluster name (1–100 letters, digits, "-" or "_", starting with a letter or digit)`,
    }),
    /** Kubernetes minor, e.g. "1.34" (quote it in YAML: 1.30 would otherwise read as the number 1.3). */
    version: z
        .string({
            error: (iss) => `${JSON.stringify(iss.input)} must be a quoted string such as "1.34" (YAML reads 1.30 as 1.3)`,
        })
        .refine(isEksVersion, {
            error: (iss) => `${JSON.stringify(iss.input)} is not a supported EKS version (${EKS_VERSION_RANGE})`,
        }),
    /** IAM roles (e.g. SSO permission-set roles) granted AmazonEKSClusterAdminPolicy through access entries. */
    adminRoleArns: z.array(iamRoleArn).default([]),
    /** IAM roles granted the read-only AmazonEKSViewPolicy through access entries. */
    viewerRoleArns: z.array(iamRoleArn).default([]),
    /**
     * The role the pipeline's deploy jobs assume (`<STACK>_DEPLOY_ROLE_ARN` in .gitlab-ci.yml): its own access entry
     * with AmazonEKSClusterAdminPolicy, so CI reaches the cluster whoever created it. EKS makes only the creator
     * admin on its own (@pulumi/eks v4.3.0 sets `bootstrapClusterCreatorAdminPermissions: true`,
     * nodejs/eks/cluster/cluster.ts), and that creator must then be someone else: a principal has one access entry.
     */
    deployRoleArn: iamRoleArn.optional(),
    // prefault, not default: the rules (a private-only endpoint needs a source) hold for the defaults too.
    endpoint: endpointSchema.prefault({}),
    /** → `enabledClusterLogTypes`; shipped to CloudWatch Logs. */
    logTypes: z.array(z.enum(CONTROL_PLANE_LOG_TYPES)).default(CLUSTER_DEFAULTS.logTypes),
    /** Pulumi `protect` on the control plane: a destroy or replacement then fails instead of deleting the cluster. */
    protect: z.boolean().default(CLUSTER_DEFAULTS.protect),
    /** The account's applied EKS quotas, where raised above the defaults (config/quotas.ts). */
    quotas: quotasSchema,
    /** Extra AWS tags on every taggable resource of the stack (cost allocation); AWS's limits: config/tags.ts. */
    tags: z.record(z.string(), z.string()).default({}),
}).superRefine((c, ctx) => {
    // EKS allows one access entry per principal (a second CreateAccessEntry fails with ResourceInUseException).
    const firstSeen = new Map<string, string>();
    if (c.deployRoleArn) firstSeen.set(c.deployRoleArn, "deployRoleArn");
    for (const [list, arns] of [
        ["adminRoleArns", c.adminRoleArns],
        ["viewerRoleArns", c.viewerRoleArns],
    ] as const) {
        arns.forEach((arn, i) => {
            const first = firstSeen.get(arn);
            const problem =
                first === undefined
                    ? undefined
                    : first.startsWith(`${list}[`)
                      ? `${arn} is listed twice`
                      : first === "deployRoleArn"
                        ? `${arn} is also deployRoleArn, which has its own admin access entry; one principal has one access entry, remove it here`
                        : `${arn} is also ${first}; one principal has one access entry, keep it in one list`;
            if (problem) ctx.addIssue({ code: "custom", path: [list, i], message: problem });
            else firstSeen.set(arn, `${list}[${i}]`);
        });
    }
});

export type ClusterConfig = z.output<typeof clusterSchema>;
