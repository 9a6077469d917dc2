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
