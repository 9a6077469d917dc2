// Every rejection of a runner (and the cache it uses) with its exact path and message start.
import { strict as assert } from "assert";
import { problemsOf, validDocument, withValue } from "./support/fixtures";

/** The fixture plus an arm64 Spot runner with its own token, so cross-runner rules have something to compare. */
function twoRunners(): Record<string, any> {
    let doc = withValue(validDocument(), ["runners", "arm64"], { nodeGroup: "arm64-spot", tags: ["arm64"], concurrent: 10 });
    doc = withValue(doc, ["runnerTokens", "arm64"], "glrt-fixture-arm64");
    return doc;
}

describe("runner config rejections", () => {
    // Each row: a document, and the exact problem (path and message start) it must produce.
    const token = "`pulumi config set --secret --path 'runnerTokens.amd64' glrt-…`";
    const cases: { name: string; doc: () => Record<string, any>; expect: string }[] = [
        {
            name: "a node group that does not exist",
            doc: () => withValue(validDocument(), ["runners", "amd64", "nodeGroup"], "amd46"),
            expect: 'runners.amd64.nodeGroup: "amd46" is not a node group (jobs groups: amd64, arm64-spot)',
        },
        {
            name: "the management group as job group",
            doc: () => withValue(validDocument(), ["runners", "amd64", "nodeGroup"], "management"),
            expect: 'runners.amd64.nodeGroup: "management" is the management group; job pods must run on a jobs group (amd64, arm64-spot)',
        },
        {
            name: "a malformed CPU quantity",
            doc: () => withValue(validDocument(), ["runners", "amd64", "cpuRequest"], "1 CPU"),
            expect: 'runners.amd64.cpuRequest: "1 CPU" is not a valid CPU quantity (e.g. 500m, 1, 2.5)',
        },
        {
            name: "a malformed memory quantity",
            doc: () => withValue(validDocument(), ["runners", "amd64", "helper"], { memoryLimit: "512MB" }),
            expect: 'runners.amd64.helper.memoryLimit: "512MB" is not a valid memory quantity (e.g. 512Mi, 4Gi)',
        },
        {
            name: "a memory ceiling below the request",
            doc: () =>
                withValue(
                    withValue(validDocument(), ["runners", "amd64", "memoryRequest"], "3Gi"),
                    ["runners", "amd64", "memoryRequestMax"],
                    "2Gi",
                ),
            expect: "runners.amd64.memoryRequestMax: 2Gi is below memoryRequest 3Gi",
        },
        {
            name: "a request above the derived ceiling",
            doc: () => withValue(validDocument(), ["runners", "amd64", "services"], { cpuRequest: "7" }),
            expect: 'runners.amd64.services.cpuRequest: 7 is above cpuRequestMax 6360m (by default what one m7i.2xlarge in node group "amd64" can give it); lower it',
        },
        {
            name: "a memory request above the limit",
            doc: () => withValue(validDocument(), ["runners", "amd64", "memoryRequest"], "6Gi"),
            expect: "runners.amd64.memoryRequest: 6Gi is above memoryLimit 4Gi; Kubernetes rejects a container whose request exceeds its limit",
        },
        {
            name: "a CPU request above the CPU limit",
            doc: () => withValue(validDocument(), ["runners", "amd64", "cpuLimit"], "500m"),
            expect: "runners.amd64.cpuRequest: 1 is above cpuLimit 500m",
        },
        {
            name: "a memory limit ceiling above the smallest node",
            doc: () => withValue(twoRunners(), ["runners", "arm64", "memoryLimitMax"], "64Gi"),
            expect: 'runners.arm64.memoryLimitMax: 64Gi exceeds the allocatable memory of m7g.2xlarge (≈ 30.9Gi) in node group "arm64-spot"; no job can use more than 31622Mi there',
        },
        {
            name: "a CPU request ceiling with no room for the helper",
            doc: () => withValue(validDocument(), ["runners", "amd64", "cpuRequestMax"], "7.4"),
            expect: 'runners.amd64.cpuRequestMax: 7.4 exceeds the allocatable CPU of m7i.2xlarge (≈ 7.46) in node group "amd64" less the helper container\'s request (100m): a job asking for it could never schedule; at most 7360m',
        },
        {
            name: "a memory request ceiling with no room for build and helper",
            doc: () => withValue(validDocument(), ["runners", "amd64", "services"], { memoryRequestMax: "30Gi" }),
            expect: 'runners.amd64.services.memoryRequestMax: 30Gi exceeds the allocatable memory of m7i.2xlarge (≈ 30.9Gi) in node group "amd64" less the build and helper containers\' requests (2.1Gi)',
        },
        {
            name: "a default job that fits no node",
            doc: () =>
                withValue(
                    withValue(validDocument(), ["runners", "amd64", "cpuRequest"], "8"),
                    ["runners", "amd64", "cpuLimitMax"],
                    undefined,
                ),
            expect: 'runners.amd64.cpuRequest: 8 plus the helper container\'s 100m exceeds the allocatable CPU of m7i.2xlarge (≈ 7.46) in node group "amd64": no job of this runner could ever schedule',
        },
        {
            name: "a request ceiling above the limit ceiling",
            doc: () =>
                withValue(
                    withValue(validDocument(), ["runners", "amd64", "memoryRequestMax"], "16Gi"),
                    ["runners", "amd64", "memoryLimitMax"],
                    "8Gi",
                ),
            expect: "runners.amd64.memoryRequestMax: memoryRequestMax 16Gi is above memoryLimitMax 8Gi",
        },
        {
            name: "concurrent 0",
            doc: () => withValue(validDocument(), ["runners", "amd64", "concurrent"], 0),
            expect: "runners.amd64.concurrent: must be at least 1 (jobs this runner runs at once)",
        },
        {
            name: "no concurrent",
            doc: () => withValue(validDocument(), ["runners", "amd64", "concurrent"], undefined),
            expect: "runners.amd64.concurrent: is required",
        },
        {
            name: "no tags without runUntagged",
            doc: () => withValue(validDocument(), ["runners", "amd64", "tags"], []),
            expect: "runners.amd64.tags: no tags and runUntagged is false: this runner could never pick up a job",
        },
        {
            name: "a tag with a comma",
            doc: () => withValue(validDocument(), ["runners", "amd64", "tags"], ["amd64,spot"]),
            expect: 'runners.amd64.tags[0]: "amd64,spot" is not a valid GitLab tag',
        },
        {
            name: "a tag listed twice",
            doc: () => withValue(validDocument(), ["runners", "amd64", "tags"], ["amd64", "amd64"]),
            expect: 'runners.amd64.tags[1]: "amd64" is listed twice',
        },
        {
            name: "the same tag set on two runners",
            doc: () =>
                withValue(
                    withValue(validDocument(), ["runners", "amd64b"], { nodeGroup: "amd64", tags: ["amd64"], concurrent: 5 }),
                    ["runnerTokens", "amd64b"],
                    "glrt-x",
                ),
            expect: "runners.amd64b.tags: same tags as runners.amd64 ([amd64]): GitLab would hand their jobs to either at random",
        },
        {
            name: "two runners taking untagged jobs",
            doc: () =>
                withValue(
                    withValue(
                        withValue(twoRunners(), ["runners", "amd64", "runUntagged"], true),
                        ["runners", "arm64", "runUntagged"],
                        true,
                    ),
                    ["runners", "arm64", "tags"],
                    ["arm64"],
                ),
            expect: "runners.arm64.runUntagged: runners.amd64 already runs untagged jobs; with two, an untagged job lands on either at random",
        },
        {
            name: "a tag shared across architectures",
            doc: () => withValue(twoRunners(), ["runners", "arm64", "tags"], ["arm64", "amd64"]),
            expect: "runners.arm64.tags: shares [amd64] with runners.amd64, whose jobs run on ON_DEMAND amd64 nodes while these run on SPOT arm64 nodes: a job tagged only [amd64] could land on either",
        },
        {
            name: "a privileged runner taking untagged jobs",
            doc: () =>
                withValue(
                    withValue(validDocument(), ["runners", "amd64", "privileged"], true),
                    ["runners", "amd64", "runUntagged"],
                    true,
                ),
            expect: "runners.amd64.privileged: a privileged runner must not run untagged jobs",
        },
        {
            name: "privileged as a string",
            doc: () => withValue(validDocument(), ["runners", "amd64", "privileged"], "yes"),
            expect: 'runners.amd64.privileged: must be true or false (found the string "yes")',
        },
        {
            name: "no token at all",
            doc: () => withValue(validDocument(), ["runnerTokens"], undefined),
            expect: `runnerTokens.amd64: runner "amd64" has no runner authentication token: set it with ${token} or name an SSM SecureString parameter holding it in runners.amd64.tokenSsmParameter, or let the stack create the runner in GitLab with runners.amd64.registration`,
        },
        {
            name: "two token sources",
            doc: () => withValue(validDocument(), ["runners", "amd64", "tokenSsmParameter"], "/ci/runners/amd64/token"),
            expect: "runners.amd64.tokenSsmParameter: runnerTokens.amd64 is set too; keep one source of the token",
        },
        {
            name: "a token for a runner that does not exist",
            doc: () => withValue(validDocument(), ["runnerTokens", "amd46"], "glrt-x"),
            expect: 'runnerTokens.amd46: there is no runner named "amd46" (did you mean "amd64"?)',
        },
        {
            name: "a registration token instead of an authentication token",
            doc: () => withValue(validDocument(), ["runnerTokens", "amd64"], "GR1348941abcdef"),
            expect: 'runnerTokens.amd64: is not a runner authentication token (they start with "glrt-")',
        },
        {
            name: "a token that is not a string",
            doc: () => withValue(validDocument(), ["runnerTokens", "amd64"], 42),
            expect: "runnerTokens.amd64: must be a string: the runner authentication token (glrt-…)",
        },
        {
            name: "a malformed SSM parameter name",
            doc: () =>
                withValue(
                    withValue(validDocument(), ["runnerTokens"], undefined),
                    ["runners", "amd64", "tokenSsmParameter"],
                    "my token",
                ),
            expect: 'runners.amd64.tokenSsmParameter: "my token" is not an SSM parameter name',
        },
        {
            name: "a typo in a runner key",
            doc: () => withValue(validDocument(), ["runners", "amd64", "memLimit"], "4Gi"),
            expect: "runners.amd64.memLimit: unknown key (allowed: nodeGroup, nodePool, fargate, ephemeralStorage, tags, runUntagged, concurrent,",
        },
        {
            name: "a typo in a helper key",
            doc: () => withValue(validDocument(), ["runners", "amd64", "helper"], { cpu: "1" }),
            expect: "runners.amd64.helper.cpu: unknown key (allowed: cpuRequest, cpuLimit,",
        },
        {
            name: "an unknown chart version",
            doc: () => withValue(validDocument(), ["runners", "amd64", "chartVersion"], "0.99.0"),
            expect: 'runners.amd64.chartVersion: "0.99.0" is not a known gitlab-runner chart version (known: 0.86.0, 0.92.0;',
        },
        {
            name: "a pull policy jobs may not use",
            doc: () => withValue(validDocument(), ["runners", "amd64", "pullPolicy"], "never"),
            expect: 'runners.amd64.pullPolicy: "never" is not in allowedPullPolicies (always, if-not-present)',
        },
        {
            name: "more parallel requests than jobs",
            doc: () => withValue(validDocument(), ["runners", "amd64", "requestConcurrency"], 30),
            expect: "runners.amd64.requestConcurrency: 30 is above concurrent 20",
        },
        {
            name: "a grace period shorter than the job timeout",
            doc: () => withValue(validDocument(), ["runners", "amd64", "terminationGracePeriodSeconds"], 600),
            expect: "runners.amd64.terminationGracePeriodSeconds: 600 is shorter than maxJobTimeoutMinutes (60 min = 3600 s): a deploy would kill jobs still running",
        },
        {
            name: "a manager request above its limit",
            doc: () => withValue(validDocument(), ["runners", "amd64", "manager"], { memoryRequest: "2Gi", memoryLimit: "1Gi" }),
            expect: "runners.amd64.manager.memoryRequest: 2Gi is above manager.memoryLimit 1Gi",
        },
        {
            name: "a runner name that cannot be a namespace",
            doc: () =>
                withValue(
                    withValue(validDocument(), ["runners", "AMD_64"], { nodeGroup: "amd64", tags: ["x"], concurrent: 1 }),
                    ["runnerTokens", "AMD_64"],
                    "glrt-x",
                ),
            expect: 'runners.AMD_64: "AMD_64" is not a valid runner name',
        },
        {
            name: "cache expiry of 0 days",
            doc: () => withValue(validDocument(), ["cache"], { expirationDays: 0 }),
            expect: "cache.expirationDays: must be at least 1",
        },
        {
            name: "a typo in a cache key",
            doc: () => withValue(validDocument(), ["cache"], { forceDestroy: true }),
            expect: "cache.forceDestroy: unknown key (allowed: bucketName, expirationDays, retainOnDestroy, accessLogs)",
        },
        {
            name: "an invalid bucket name",
            doc: () => withValue(validDocument(), ["cache"], { bucketName: "My_Bucket" }),
            expect: 'cache.bucketName: "My_Bucket" is not a valid S3 bucket name',
        },
    ];
    for (const c of cases) {
        it(`rejects ${c.name} at ${c.expect.split(": ")[0]}`, () => {
            const problems = problemsOf(c.doc());
            assert.ok(
                problems.some((p) => p.startsWith(c.expect)),
                `no problem starting with\n  ${c.expect}\nin\n  ${problems.join("\n  ")}`,
            );
        });
    }
});
