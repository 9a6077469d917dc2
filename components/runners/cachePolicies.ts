// IAM and bucket policy documents of the shared S3 cache, as plain data (tested directly).
import { PolicyDocument, podIdentityTrustPolicy } from "../../model/iam";

/** The only S3 actions a runner manager needs for the distributed cache: presign GET/PUT, expire, and list. */
export const CACHE_OBJECT_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"] as const;

/** Identity policy of the cache role: object read/write/delete in the bucket, ListBucket on the bucket itself. */
export function cacheAccessPolicy(bucketArn: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "CacheObjects", Effect: "Allow", Action: [...CACHE_OBJECT_ACTIONS], Resource: `${bucketArn}/*` },
            { Sid: "CacheList", Effect: "Allow", Action: "s3:ListBucket", Resource: bucketArn },
        ],
    };
}

/**
 * Trust policy for EKS Pod Identity: the pods.eks.amazonaws.com service assumes the role and tags the session with
 * the cluster, namespace and service account of the pod (EKS user guide, "Create IAM role with trust policy
 * required by EKS Pod Identity"). The conditions pin the role to this cluster's runner managers, so no other Pod
 * Identity association in the account can use it.
 */
export function cacheRoleTrustPolicy(args: {
    clusterName: string;
    namespace: string;
    serviceAccounts: readonly string[];
}): PolicyDocument {
    return podIdentityTrustPolicy("EksPodIdentityRunnerManagers", {
        StringEquals: {
            "aws:RequestTag/eks-cluster-name": args.clusterName,
            "aws:RequestTag/kubernetes-namespace": args.namespace,
            "aws:RequestTag/kubernetes-service-account": [...args.serviceAccounts].sort(),
        },
    });
}

/** Bucket policy: refuse plain-HTTP requests (everything else is governed by IAM; the bucket is never public). */
export function cacheBucketPolicy(bucketArn: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [bucketArn, `${bucketArn}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ],
    };
}

/**
 * Policy of the bucket that receives the cache bucket's S3 server access logs: TLS only, and S3's log delivery
 * (`logging.s3.amazonaws.com`) may put objects under the prefix for this source bucket and account only. With
 * bucket-owner-enforced ownership a bucket policy is the only way to grant log delivery (S3 User Guide, "Enabling
 * Amazon S3 server access logging", permissions for log delivery: s3:PutObject on `<bucket>/<prefix>*`, conditions
 * `aws:SourceArn` = the source bucket ARN and `aws:SourceAccount` = its account).
 */
export function accessLogBucketPolicy(args: {
    logBucketArn: string;
    prefix: string;
    sourceBucketArn: string;
    accountId: string;
}): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            ...cacheBucketPolicy(args.logBucketArn).Statement,
            {
                Sid: "S3ServerAccessLogDelivery",
                Effect: "Allow",
                Principal: { Service: "logging.s3.amazonaws.com" },
                Action: "s3:PutObject",
                Resource: `${args.logBucketArn}/${args.prefix}*`,
                Condition: {
                    ArnLike: { "aws:SourceArn": args.sourceBucketArn },
                    StringEquals: { "aws:SourceAccount": args.accountId },
                },
            },
        ],
    };
}
