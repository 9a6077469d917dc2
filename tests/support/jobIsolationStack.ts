// Resource types the job-isolation stack tests look up, as the mock harness records them.
export const T = {
    release: "kubernetes:helm.sh/v3:Release",
    serviceAccount: "kubernetes:core/v1:ServiceAccount",
    networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    quota: "kubernetes:core/v1:ResourceQuota",
    limitRange: "kubernetes:core/v1:LimitRange",
    role: "kubernetes:rbac.authorization.k8s.io/v1:Role",
    iamRole: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    association: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    bucket: "aws:s3/bucket:Bucket",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    bucketLogging: "aws:s3/bucketLogging:BucketLogging",
} as const;
