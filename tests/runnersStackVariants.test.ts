// The runner layouts of the shipped stacks, the tuning walkthrough, a stack without runners, and the SSM token source.
import { allNodeGroups } from "../config";
import { strict as assert } from "assert";
import { PROJECT, RunnerConfig, StackConfig } from "../config";
import { renderRunnerToml } from "../components/runners/configToml";
import { isSecretInput, Run, runStackFile, stackConfigOf, stackFileConfig } from "./support/harness";
import { ssmRunnerToken } from "./support/mocks";
import { strings, T } from "./support/runnerStack";

const SSM_PARAMETER = "/ci/runners/amd64/token";

const stackConfig: (stack: string, overrides?: Record<string, unknown>) => StackConfig = stackConfigOf;

const SSM_OVERRIDES = (() => {
    const runners = stackFileConfig("test")[`${PROJECT}:runners`] as Record<string, object>;
    return { [`${PROJECT}:runners`]: { ...runners, amd64: { ...runners.amd64, tokenSsmParameter: SSM_PARAMETER } } };
})();

describe("gitlab runners (program under mocks)", () => {
    const runs: Record<string, Run> = {};
    before(async () => {
        runs.ssm = await runStackFile("test", SSM_OVERRIDES);
        runs.none = await runStackFile("test", { [`${PROJECT}:runners`]: {} });
    });

    it("test stack: one amd64 runner on nodes and one Fargate runner", () => {
        const config = stackConfig("test");
        assert.deepEqual(
            config.runners.map((r) => [r.name, r.fargate === true]),
            [
                ["amd64", false],
                ["isolated", true],
            ],
        );
        assert.equal(allNodeGroups(config.nodeGroups).find((g) => g.name === config.runners[0].nodeGroup)!.arch, "amd64");
    });

    it("prod stack: on-demand amd64, Spot amd64 (tag spot), arm64 Spot from zero (tag arm64), ≥ 1000 jobs together", () => {
        const config = stackConfig("prod");
        const groupOf = (r: RunnerConfig) => allNodeGroups(config.nodeGroups).find((g) => g.name === r.nodeGroup)!;
        const find = (pred: (r: RunnerConfig) => boolean) => config.runners.filter(pred);
        // Build runners; the deploy runner (on-demand amd64 too, its own group) is checked in jobIsolationStack.test.ts.
        assert.equal(
            find((r) => groupOf(r).arch === "amd64" && groupOf(r).capacityType === "ON_DEMAND" && !r.jobIdentity).length,
            1,
        );
        const spot = find((r) => groupOf(r).arch === "amd64" && groupOf(r).capacityType === "SPOT");
        assert.equal(spot.length, 1);
        assert.ok(spot[0].tags.includes("spot"));
        const arm = find((r) => groupOf(r).arch === "arm64");
        assert.equal(arm.length, 1);
        assert.ok(arm[0].tags.includes("arm64"));
        assert.equal(groupOf(arm[0]).capacityType, "SPOT");
        assert.ok(groupOf(arm[0]).scalesToZero);
        assert.ok(config.runners.reduce((sum, r) => sum + r.concurrent, 0) >= 1000);
    });

    it("the tuning walkthrough (docs/runners.md): raising arm64's memory ceilings changes exactly those two lines", () => {
        const runners = stackFileConfig("prod")[`${PROJECT}:runners`] as Record<string, Record<string, unknown>>;
        const edited = (extra: Record<string, unknown>) => ({
            [`${PROJECT}:runners`]: { ...runners, arm64: { ...runners.arm64, ...extra } },
        });
        const render = (cfg: StackConfig) =>
            Object.fromEntries(
                cfg.runners.map((r) => [
                    r.name,
                    renderRunnerToml({
                        runner: r,
                        group: allNodeGroups(cfg.nodeGroups).find((g) => g.name === r.nodeGroup)!,
                        cache: { bucketName: "cache", region: cfg.region },
                    }).split("\n"),
                ]),
            );
        const before = render(stackConfig("prod"));
        const after = render(stackConfig("prod", edited({ memoryRequestMax: "24Gi", memoryLimitMax: "24Gi" })));
        for (const name of Object.keys(before)) {
            const removed = before[name].filter((l) => !after[name].includes(l));
            const added = after[name].filter((l) => !before[name].includes(l));
            if (name !== "arm64") assert.deepEqual([removed, added], [[], []], name);
            else {
                assert.deepEqual(removed, [
                    'memory_request_overwrite_max_allowed = "31494Mi"',
                    'memory_limit_overwrite_max_allowed = "31622Mi"',
                ]);
                assert.deepEqual(added, [
                    'memory_request_overwrite_max_allowed = "24Gi"',
                    'memory_limit_overwrite_max_allowed = "24Gi"',
                ]);
            }
        }
        assert.throws(
            () => stackConfig("prod", edited({ memoryLimitMax: "64Gi" })),
            /runners\.arm64\.memoryLimitMax: 64Gi exceeds the allocatable memory of m7g\.2xlarge \(≈ 30\.9Gi\) in node group "arm64-spot"; no job can use more than 31622Mi there/,
        );
    });

    it("a stack without runners deploys no runner, cache or manager namespace", () => {
        const mine = runs.none.resources.filter((r) => r.name.startsWith("gitlab"));
        assert.deepEqual(
            mine.map((r) => r.type),
            ["eks-gitlab-runners:index:RunnerFleet"],
        );
        assert.deepEqual(runs.none.outputs.runners, {});
        assert.equal(runs.none.outputs.runnerCacheBucket, undefined);
    });

    it("SSM token source: read as a decrypted SecureString at deploy time, kept secret, never in clear", () => {
        const run = runs.ssm;
        const lookups = run.calls.filter((c) => c.token === "aws:ssm/getParameter:getParameter" && c.inputs.withDecryption);
        assert.deepEqual(
            lookups.map((c) => c.inputs.name),
            [SSM_PARAMETER],
        );
        const secret = run.one(T.secret, "gitlab-amd64-token").inputs;
        const data: unknown = secret.stringData;
        assert.ok(isSecretInput(data));
        assert.equal((data.value as Record<string, string>)["runner-token"], ssmRunnerToken(SSM_PARAMETER));
        for (const r of run.resources) {
            for (const { s, secret: inSecret } of strings(r.inputs))
                assert.ok(!s.includes("glrt-") || inSecret, `${r.type} ${r.name}`);
        }
    });
});
