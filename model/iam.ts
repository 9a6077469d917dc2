/** An IAM policy document as plain data, JSON-stringified into the resource (so renderers are tested directly). */
export interface PolicyDocument {
    readonly Version: "2012-10-17";
    readonly Statement: readonly PolicyStatement[];
}

export interface PolicyStatement {
    readonly Sid?: string;
    readonly Effect: "Allow" | "Deny";
    readonly Principal?: unknown;
    readonly Action: string | readonly string[];
    readonly Resource?: string | readonly string[];
    readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/**
 * Trust policy of a role used through EKS Pod Identity: the Pod Identity service assumes it and tags the session
 * with the pod's cluster, namespace and service account (EKS user guide, "pod-id-role"). `condition` narrows it
 * further, e.g. to one cluster's service accounts.
 */
export function podIdentityTrustPolicy(sid = "EksPodIdentity", condition?: PolicyStatement["Condition"]): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: sid,
                Effect: "Allow",
                Principal: { Service: "pods.eks.amazonaws.com" },
                Action: ["sts:AssumeRole", "sts:TagSession"],
                ...(condition ? { Condition: condition } : {}),
            },
        ],
    };
}

/** Where ARNs point: the stack's partition, region and account (known only at deploy time). */
export interface AwsScope {
    readonly partition: string;
    readonly region: string;
    readonly accountId: string;
}

/** ARN of an AWS-managed IAM policy in the given partition. */
export function awsManagedPolicyArn(partition: string, policyName: string): string {
    return `arn:${partition}:iam::aws:policy/${policyName}`;
}

/**
 * The ARN partition of a region (ARN format, IAM User Guide "IAM identifiers": `aws`, `aws-cn` for the China regions,
 * `aws-us-gov` for AWS GovCloud (US)). The stack's region pattern admits no other partition.
 */
export function partitionOfRegion(region: string): string {
    if (region.startsWith("cn-")) return "aws-cn";
    if (region.startsWith("us-gov-")) return "aws-us-gov";
    return "aws";
}

/** Verbs of IAM actions that only read. A wildcard whose fixed prefix starts with one of them cannot match a write. */
const READ_VERBS = /^(Describe|Get|List|View|Search|Lookup|BatchGet|Query|Scan)/;

/**
 * Whether an action pattern with a wildcard can match a write action: `*`, `s3:*`, `s3:Put*`, `iam:*Role` can;
 * `ec2:Describe*` and `s3:Get*` cannot. Shared by config validation (job identities) and the policy rules.
 */
export function isWildcardWrite(action: string): boolean {
    if (!action.includes("*") && !action.includes("?")) return false;
    const [, name = action] = action.split(":", 2);
    const fixedPrefix = name.split(/[*?]/)[0];
    return !READ_VERBS.test(fixedPrefix);
}

/**
 * Trust policy of a role that exactly one set of service accounts of one cluster may use through EKS Pod Identity:
 * the Pod Identity service tags the session with the pod's cluster, namespace and service account, and the
 * conditions require those tags (EKS user guide, "Create IAM role with trust policy required by EKS Pod Identity",
 * https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html, session tags `eks-cluster-name`,
 * `kubernetes-namespace`, `kubernetes-service-account`). The same shape as the runner managers' cache role.
 */
export function podIdentityTrustFor(
    sid: string,
    who: { clusterName: string; namespace: string; serviceAccounts: readonly string[] },
): PolicyDocument {
    return podIdentityTrustPolicy(sid, {
        StringEquals: {
            "aws:RequestTag/eks-cluster-name": who.clusterName,
            "aws:RequestTag/kubernetes-namespace": who.namespace,
            "aws:RequestTag/kubernetes-service-account": [...who.serviceAccounts].sort(),
        },
    });
}

/** One statement of an inline policy as the stack file gives it. */
export interface InlineStatement {
    readonly effect: "Allow" | "Deny";
    readonly actions: readonly string[];
    readonly resources: readonly string[];
}

/** An inline identity policy from stack-file statements, each with a stable Sid (its position). */
export function inlinePolicyDocument(statements: readonly InlineStatement[], sidPrefix: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: statements.map((s, i) => ({
            Sid: `${sidPrefix}${i}`,
            Effect: s.effect,
            Action: [...s.actions],
            Resource: [...s.resources],
        })),
    };
}
