// S3 buckets (the shared runner cache): private, encrypted, and not force-destroyed in production.
import {
    asArray,
    at,
    resourceLabel,
    Finding,
    isObject,
    isProduction,
    isUnknown,
    PolicyResource,
    reveal,
    Rule,
    TYPES,
} from "./model";

const PUBLIC_ACLS = ["public-read", "public-read-write", "authenticated-read"];
const BLOCK_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

/** Every value a sibling resource may use to point at this bucket (its name, its id). */
function bucketIds(bucket: PolicyResource): string[] {
    return [at(bucket.inputs, "bucket"), at(bucket.outputs, "bucket"), at(bucket.outputs, "id")].filter(
        (v): v is string => typeof v === "string",
    );
}

/**
 * The resources of `type` that configure `bucket`: those whose `bucket` input names it, or, when either side is not
 * known yet (a preview), those under the same parent component.
 */
function configuring(resources: readonly PolicyResource[], type: string, bucket: PolicyResource): PolicyResource[] {
    const ids = bucketIds(bucket);
    return resources.filter((r) => {
        if (r.type !== type) return false;
        const target = at(r.inputs, "bucket");
        if (typeof target === "string" && ids.length > 0) return ids.includes(target);
        return r.parent !== undefined && r.parent === bucket.parent;
    });
}

function inlineEncryption(bucket: PolicyResource): boolean {
    const algorithm = at(bucket.inputs, "serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault.sseAlgorithm");
    return (typeof algorithm === "string" && algorithm !== "") || isUnknown(algorithm);
}

function encryptionResourceEncrypts(r: PolicyResource): boolean {
    const rules = at(r.inputs, "rules");
    if (isUnknown(rules)) return true;
    return asArray(rules).some((rule) => {
        const algorithm = isObject(rule) ? at(rule, "applyServerSideEncryptionByDefault.sseAlgorithm") : undefined;
        return isUnknown(algorithm) || (typeof algorithm === "string" && algorithm !== "");
    });
}

export const s3BucketsPrivateEncrypted: Rule = {
    id: "s3-bucket-private-encrypted",
    description:
        "Every S3 bucket has a public access block with all four flags true, default encryption, no public ACL, and (in production stacks) no forceDestroy.",
    why:
        "DESIGN (Cache) and seed 003: the shared runner cache holds build outputs and dependencies of every project. It must never be " +
        "public, must be encrypted at rest, and a production teardown must not silently delete it with everything in it.",
    remediation:
        "Create buckets through components/runners/runnerCache.ts (RunnerCache), which adds the access block and encryption; keep cache.retainOnDestroy true in production.",
    types: [
        TYPES.bucket,
        TYPES.bucketV2,
        TYPES.bucketPublicAccessBlock,
        TYPES.bucketEncryption,
        TYPES.bucketEncryptionV2,
        TYPES.bucketAcl,
        TYPES.bucketAclV2,
    ],
    checkStack(resources, ctx) {
        const findings: Finding[] = [];
        for (const bucket of resources.filter((r) => r.type === TYPES.bucket || r.type === TYPES.bucketV2)) {
            const name = `bucket ${bucket.name}`;
            const blocks = configuring(resources, TYPES.bucketPublicAccessBlock, bucket);
            if (blocks.length === 0) {
                findings.push({
                    resource: bucket,
                    message: `${name} has no BucketPublicAccessBlock; add one with ${BLOCK_FLAGS.join(", ")} all true`,
                });
            }
            for (const block of blocks) {
                const off = BLOCK_FLAGS.filter((flag) => !isUnknown(at(block.inputs, flag)) && at(block.inputs, flag) !== true);
                if (off.length > 0)
                    findings.push({
                        resource: block,
                        message: `public access block of ${name} does not set ${off.join(", ")} to true`,
                    });
            }
            const encryptions = [
                ...configuring(resources, TYPES.bucketEncryption, bucket),
                ...configuring(resources, TYPES.bucketEncryptionV2, bucket),
            ];
            if (!inlineEncryption(bucket) && !encryptions.some(encryptionResourceEncrypts)) {
                findings.push({
                    resource: bucket,
                    message: `${name} has no default encryption; add a BucketServerSideEncryptionConfiguration (sseAlgorithm AES256 or aws:kms)`,
                });
            }
            const acl = at(bucket.inputs, "acl");
            if (typeof acl === "string" && PUBLIC_ACLS.includes(acl))
                findings.push({ resource: bucket, message: `${name} has the public ACL ${acl}` });
            for (const aclResource of [
                ...configuring(resources, TYPES.bucketAcl, bucket),
                ...configuring(resources, TYPES.bucketAclV2, bucket),
            ]) {
                const value = at(aclResource.inputs, "acl");
                if (typeof value === "string" && PUBLIC_ACLS.includes(value))
                    findings.push({
                        resource: aclResource,
                        message: `${name} gets the public ACL ${value} from ${resourceLabel(aclResource)}`,
                    });
            }
            if (isProduction(ctx) && reveal(bucket.inputs.forceDestroy) === true) {
                findings.push({
                    resource: bucket,
                    message: `${name} has forceDestroy in production stack ${ctx.stack}: a destroy or replacement would delete every object; set cache.retainOnDestroy: true`,
                });
            }
        }
        return findings;
    },
};
