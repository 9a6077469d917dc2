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
