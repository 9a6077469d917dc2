// What prod's offline plan proves on paper: the job capacity, pod-IP headroom and idle cost it promises, each runner's
// GitLab registration, the VM runner's idle schedule and cost, and no findings (what the plan prints: planReport.test.ts).
import { strict as assert } from "assert";
import { CONTROL_PLANE_USD_PER_HOUR, HOURS_PER_MONTH, MIN_IP_HEADROOM } from "../config/capacity";
import { onDemandPrice } from "../config/instanceTypes";
import { MISSING, PlanData, RegistrationPlan } from "../plan/planData";
import { stackConfigOf } from "./support/harness";
import { renderedPlans, RenderedPlans } from "./support/planRenders";

describe("offline plan (npm run plan)", () => {
    const results = {} as RenderedPlans;
    before(async () => Object.assign(results, await renderedPlans()));

    describe("prod is proven on paper", () => {
        const plan = () => JSON.parse(results.prodJson.stdout) as PlanData;

        it("holds at least 1000 concurrent jobs at default requests", () => {
            assert.ok(plan().capacity.totalConcurrentJobs >= 1000, String(plan().capacity.totalConcurrentJobs));
            for (const r of plan().capacity.runners)
                assert.equal(r.maxConcurrentJobs, r.concurrent, `${r.name} is fully backed by nodes`);
        });

        it("keeps at least 20 % pod-IP headroom in every subnet pool at full scale", () => {
            for (const p of plan().capacity.pools) {
                assert.ok(p.freeIps !== undefined, `${p.name}: free addresses known`);
                assert.ok(
                    p.freeIps! - p.ipsAtFullScale >= MIN_IP_HEADROOM * p.freeIps!,
                    `${p.name}: ${p.ipsAtFullScale} of ${p.freeIps}`,
                );
            }
        });

        it("idles at control plane + management nodes + zero job nodes", () => {
            const data = plan();
            for (const g of data.nodeGroups.filter((x) => x.role === "jobs")) assert.equal(g.minSize, 0, g.name);
            const management = data.nodeGroups.find((g) => g.role === "management")!;
            const expected =
                HOURS_PER_MONTH *
                (CONTROL_PLANE_USD_PER_HOUR +
                    (management.minSize as number) * onDemandPrice((management.instanceTypes as string[])[0], data.region)!);
            assert.ok(
                Math.abs(data.capacity.cost.idleUsdPerMonth! - expected) < 0.01,
                `${data.capacity.cost.idleUsdPerMonth} vs ${expected}`,
            );
        });

        it("shows each runner's registration scope and the GitLab settings the deployment enforces", () => {
            const config = stackConfigOf("prod");
            for (const r of plan().runners) {
                const runner = config.runners.find((x) => x.name === r.name)!;
                assert.ok(r.registration !== "manual" && r.registration !== MISSING, r.name);
                const reg = r.registration as RegistrationPlan;
                assert.equal(reg.scope, `group ${runner.registration!.groupId}`);
                assert.deepEqual(
                    [reg.enforces.tag_list, reg.enforces.run_untagged, reg.enforces.maximum_timeout, reg.enforces.access_level],
                    [runner.tags, runner.runUntagged, runner.maxJobTimeoutMinutes * 60, "not_protected"],
                );
            }
            assert.match(
                results.prodMarkdown.stdout,
                /^Registration: group 1234 runner created through the GitLab API; .* Every deployment sets in GitLab: description "ci-runners-prod amd64", paused false, locked true, run_untagged true, tag_list \[eks, amd64\], access_level not_protected, maximum_timeout 3600 \(maximum_timeout in seconds\)\.$/m,
            );
            assert.doesNotMatch(results.prodMarkdown.stdout, /glpat-|api-token-offline-plan-stand-in/, "no API token is printed");
        });

        it("shows the VM runner: its group as registered, the idle schedule of a week and the cost", () => {
            const [v] = plan().vmRunners;
            assert.deepEqual(
                [
                    v.name,
                    v.autoScalingGroup,
                    v.minSize,
                    v.maxSize,
                    v.protectFromScaleIn,
                    v.suspendedProcesses,
                    v.capacityRebalance,
                ],
                ["docker-vm", "ci-runners-prod-vm-docker-vm", 0, 10, true, ["AZRebalance"], false],
            );
            assert.deepEqual([v.scalingPolicies, v.plugin, v.deploymentStrategy], [0, "aws:1.1.0", "Recreate"]);
            const [c] = plan().capacity.vmRunners;
            assert.deepEqual(
                c.idle.map((p) => [p.timezone, p.idleInstances, p.hoursPerWeek]),
                [
                    ["UTC", 0, 103],
                    ["UTC", 2, 65], // 13 hours (05:00–17:59) × 5 weekdays
                ],
            );
            const md = results.prodMarkdown.stdout;
            assert.match(md, /^## VM runners$/m);
            assert.match(md, /^### docker-vm \(docker-autoscaler\) → ci-runners-prod-vm-docker-vm$/m);
            // 2 VMs × 65 h/week × 730/168 weeks/month × $0.4405/h (c7a.2xlarge) ≈ $249.
            assert.match(md, /^\| 2 \| \* 5-17 \* \* mon-fri \| UTC \| 2 \| 2 \| 65 \| \$249 \|$/m);
            assert.match(md, /^Idle floor \$249\/month; every VM running \$3,216\/month\.$/m);
        });

        it("has no warnings or errors", () => {
            assert.deepEqual(
                plan().findings.filter((f) => !f.subject.startsWith("runnerTokens.")),
                [],
            );
        });
    });
});
