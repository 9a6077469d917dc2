import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { CacheConfig } from "../../config/cache";
import { accessLogBucketPolicy, cacheAccessPolicy, cacheBucketPolicy, cacheRoleTrustPolicy } from "./cachePolicies";

export interface RunnerCacheArgs {
    readonly settings: CacheConfig;
    /** EKS cluster name (config value, so the trust policy is plain data). */
    readonly clusterName: string;
    readonly region: string;
    /**
     * Namespace and service accounts of the runner managers that use the cache role (Kubernetes runners; a VM runner's
     * manager has a role of its own with the same access). None: no role.
     */
    readonly managerNamespace: string;
    readonly serviceAccounts: readonly string[];
    readonly tags: Record<string, string>;
}

/**
 * The stack's shared S3 build cache (`[runners.cache]` Type "s3", Shared = true) and the one IAM role the runner
 * managers reach it with through EKS Pod Identity. No access keys exist anywhere (seed 003 used them: don't).
 * Private (public access blocked, bucket-owner-enforced, TLS only), encrypted (SSE-S3), unversioned (a cache is
 * rebuilt, not restored), objects expire. Kept on `pulumi destroy` unless `cache.retainOnDestroy` is false.
 */
export class RunnerCache extends pulumi.ComponentResource {
    public readonly bucket: aws.s3.Bucket;
    public readonly bucketName: pulumi.Output<string>;
    public readonly bucketArn: pulumi.Output<string>;
    /** Undefined when no manager uses it (a trust policy needs a principal). */
    public readonly role?: aws.iam.Role;
    public readonly roleArn?: pulumi.Output<string>;
    public readonly region: string;
    /** Where the cache bucket's S3 server access logs go (undefined when `cache.accessLogs.enabled` is false). */
    public readonly accessLogs?: { readonly bucketName: pulumi.Input<string>; readonly prefix: string };
    private readonly settings: CacheConfig;

    constructor(name: string, args: RunnerCacheArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-gitlab-runners:index:RunnerCache", name, {}, opts);
        const { settings, tags } = args;
        this.settings = settings;
        this.region = args.region;
        // Everything that protects the bucket stays with it: a retained bucket must not lose its public access block.
        const keep: pulumi.CustomResourceOptions = { parent: this, retainOnDelete: settings.retainOnDestroy };

        this.bucket = new aws.s3.Bucket(
            `${name}-bucket`,
            {
                bucket: settings.bucketName,
                // Only when the stack owner asked for a disposable cache: emptied and deleted with the stack.
                forceDestroy: !settings.retainOnDestroy,
                tags: { ...tags, "eks-gitlab-runners/purpose": "runner-cache" },
            },
            keep,
        );
        const bucketId = this.bucket.bucket; // the name (= id in AWS); one value for every resource and the TOML

        const publicAccess = new aws.s3.BucketPublicAccessBlock(
            `${name}-public-access`,
            {
                bucket: bucketId,
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            },
            keep,
        );
        new aws.s3.BucketOwnershipControls(
            `${name}-ownership`,
            {
                bucket: bucketId,
                rule: { objectOwnership: "BucketOwnerEnforced" }, // ACLs off: the bucket policy and IAM decide everything
            },
            keep,
        );
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-encryption`,
            {
                bucket: bucketId,
                rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
            },
            keep,
        );
        new aws.s3.BucketVersioning(
            `${name}-versioning`,
            {
                bucket: bucketId,
                // A cache is rebuilt on a miss; old versions would only cost money.
                versioningConfiguration: { status: "Disabled" },
            },
            keep,
        );
        new aws.s3.BucketLifecycleConfiguration(
            `${name}-lifecycle`,
            expiringObjects(bucketId, "expire-cache", settings.expirationDays),
            keep,
        );
        new aws.s3.BucketPolicy(
            `${name}-tls-only`,
            {
                bucket: bucketId,
                policy: this.bucket.arn.apply((arn) => JSON.stringify(cacheBucketPolicy(arn))),
            },
            { ...keep, dependsOn: [publicAccess] },
        );

        this.accessLogs = this.accessLogging(name, keep, tags);

        if (args.serviceAccounts.length > 0) {
            this.role = new aws.iam.Role(
                `${name}-role`,
                {
                    description: `GitLab runner managers of ${args.clusterName}: the shared S3 build cache (EKS Pod Identity)`,
                    assumeRolePolicy: JSON.stringify(
                        cacheRoleTrustPolicy({
                            clusterName: args.clusterName,
                            namespace: args.managerNamespace,
                            serviceAccounts: args.serviceAccounts,
                        }),
                    ),
                    tags,
                },
                { parent: this },
            );
            new aws.iam.RolePolicy(
                `${name}-access`,
                {
                    role: this.role.id,
                    policy: this.bucket.arn.apply((arn) => JSON.stringify(cacheAccessPolicy(arn))),
                },
                { parent: this },
            );
            this.roleArn = this.role.arn;
        }

        this.bucketName = this.bucket.bucket;
        this.bucketArn = this.bucket.arn;
        this.registerOutputs({
            bucketName: this.bucketName,
            bucketArn: this.bucket.arn,
            roleArn: this.roleArn,
            accessLogBucket: this.accessLogs?.bucketName,
        });
    }

    /**
     * S3 server access logging of the cache bucket (AWS Security Hub control S3.9), into an existing bucket named in
     * config or into a log bucket created here: private like the cache, SSE-S3 encrypted (the only default encryption
     * a log target may have: S3 User Guide, "Enabling Amazon S3 server access logging"), expiring, in the same region
     * and account as the cache (required of a log target), retained with the cache.
     */
    private accessLogging(
        name: string,
        keep: pulumi.CustomResourceOptions,
        tags: Record<string, string>,
    ): RunnerCache["accessLogs"] {
        const logs = this.settings.accessLogs;
        if (!logs.enabled) return undefined;
        let target: pulumi.Input<string> = logs.targetBucket ?? "";
        const waitFor: pulumi.Resource[] = [];
        if (logs.targetBucket === undefined) {
            const bucket = new aws.s3.Bucket(
                `${name}-logs-bucket`,
                {
                    forceDestroy: !this.settings.retainOnDestroy,
                    tags: { ...tags, "eks-gitlab-runners/purpose": "runner-cache-access-logs" },
                },
                keep,
            );
            target = bucket.bucket;
            const publicAccess = new aws.s3.BucketPublicAccessBlock(
                `${name}-logs-public-access`,
                {
                    bucket: bucket.bucket,
                    blockPublicAcls: true,
                    blockPublicPolicy: true,
                    ignorePublicAcls: true,
                    restrictPublicBuckets: true,
                },
                keep,
            );
            new aws.s3.BucketOwnershipControls(
                `${name}-logs-ownership`,
                { bucket: bucket.bucket, rule: { objectOwnership: "BucketOwnerEnforced" } },
                keep,
            );
            new aws.s3.BucketServerSideEncryptionConfiguration(
                `${name}-logs-encryption`,
                { bucket: bucket.bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
                keep,
            );
            new aws.s3.BucketLifecycleConfiguration(
                `${name}-logs-lifecycle`,
                expiringObjects(bucket.bucket, "expire-access-logs", logs.expirationDays),
                keep,
            );
            const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
            waitFor.push(
                new aws.s3.BucketPolicy(
                    `${name}-logs-policy`,
                    {
                        bucket: bucket.bucket,
                        policy: pulumi
                            .all([bucket.arn, this.bucket.arn, account])
                            .apply(([logBucketArn, sourceBucketArn, accountId]) =>
                                JSON.stringify(
                                    accessLogBucketPolicy({ logBucketArn, prefix: logs.prefix, sourceBucketArn, accountId }),
                                ),
                            ),
                    },
                    { ...keep, dependsOn: [publicAccess] },
                ),
            );
        }
        new aws.s3.BucketLogging(
            `${name}-access-logging`,
            { bucket: this.bucket.bucket, targetBucket: target, targetPrefix: logs.prefix },
            // Log delivery must be allowed before logging is switched on.
            { ...keep, dependsOn: waitFor },
        );
        return { bucketName: target, prefix: logs.prefix };
    }
}

/** Lifecycle rules of a bucket whose every object expires after `days`, and whose unfinished uploads after a day. */
function expiringObjects(bucket: pulumi.Input<string>, id: string, days: number): aws.s3.BucketLifecycleConfigurationArgs {
    return {
        bucket,
        rules: [
            {
                id,
                status: "Enabled",
                filter: { prefix: "" },
                expiration: { days },
                abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
            },
        ],
    };
}
