// Policy rule s3-bucket-private-encrypted: the cache bucket stays private, encrypted and, in production, not force-destroyed.
import { strict as assert } from "assert";
import { PolicyResource, TYPES, UNKNOWN } from "../policies";
import { assertFires, ctxOf, mutate, res, run1, shippedPolicyStacks } from "./support/policyRules";

describe("policy rules", () => {
    const { stacks, ctx } = shippedPolicyStacks();

    describe("s3-bucket-private-encrypted", () => {
        const bucket = (inputs: Record<string, unknown> = {}) =>
            res(TYPES.bucket, "cache", { bucket: "cache-bucket", ...inputs }, { parent: "c" });
        const block = (flags: Record<string, unknown>) =>
            res(
                TYPES.bucketPublicAccessBlock,
                "cache-pab",
                {
                    bucket: "cache-bucket",
                    blockPublicAcls: true,
                    blockPublicPolicy: true,
                    ignorePublicAcls: true,
                    restrictPublicBuckets: true,
                    ...flags,
                },
                { parent: "c" },
            );
        const sse = res(
            TYPES.bucketEncryption,
            "cache-sse",
            { bucket: "cache-bucket", rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }] },
            { parent: "c" },
        );
        const check = (resources: PolicyResource[], stack = "test") =>
            run1("s3-bucket-private-encrypted", resources, ctxOf(stack)).map((v) => v.message);

        it("fires on a bucket with neither a public access block nor encryption", () => {
            assert.deepEqual(check([bucket()]), [
                "bucket cache has no BucketPublicAccessBlock; add one with blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets all true",
                "bucket cache has no default encryption; add a BucketServerSideEncryptionConfiguration (sseAlgorithm AES256 or aws:kms)",
            ]);
        });

        it("fires on a half-open access block and on a public ACL; passes a private, encrypted bucket", () => {
            assert.deepEqual(check([bucket(), block({ restrictPublicBuckets: false }), sse]), [
                "public access block of bucket cache does not set restrictPublicBuckets to true",
            ]);
            assert.deepEqual(check([bucket({ acl: "public-read" }), block({}), sse]), [
                "bucket cache has the public ACL public-read",
            ]);
            assert.deepEqual(check([bucket(), block({}), sse]), []);
            // Inline encryption counts too.
            assert.deepEqual(
                check([
                    bucket({
                        serverSideEncryptionConfiguration: {
                            rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
                        },
                    }),
                    block({}),
                ]),
                [],
            );
        });

        it("does not pair another bucket's access block; pairs by parent when the bucket is not known yet", () => {
            const other = { ...block({}), inputs: { ...block({}).inputs, bucket: "someone-elses" } };
            assert.equal(check([bucket(), other, sse]).length, 1);
            const previewed = { ...block({}), inputs: { ...block({}).inputs, bucket: UNKNOWN } };
            assert.deepEqual(check([bucket(), previewed, sse]), []);
        });

        it("fires on forceDestroy in production only", () => {
            const resources = [bucket({ forceDestroy: true }), block({}), sse];
            assert.deepEqual(check(resources, "test"), []);
            assert.match(check(resources, "prod")[0], /bucket cache has forceDestroy in production stack prod/);
        });

        it("fires when the real prod cache loses its access block or becomes force-destroyed", () => {
            const noBlock = mutate(
                stacks.prod,
                (r) => r.type === TYPES.bucketPublicAccessBlock,
                () => undefined,
            );
            assertFires(
                run1("s3-bucket-private-encrypted", noBlock, ctx("prod")),
                "s3-bucket-private-encrypted",
                /bucket gitlab-cache-bucket has no BucketPublicAccessBlock/,
            );
            const forced = mutate(
                stacks.prod,
                (r) => r.type === TYPES.bucket,
                (r) => ({ ...r, inputs: { ...r.inputs, forceDestroy: true } }),
            );
            assertFires(
                run1("s3-bucket-private-encrypted", forced, ctx("prod")),
                "s3-bucket-private-encrypted",
                /forceDestroy in production stack prod/,
            );
        });
    });
});
