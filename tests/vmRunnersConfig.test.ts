// VM runner settings of the stack file: the idle schedule, defaults and derived values, capacity and drain effects.
import { strict as assert } from "assert";
import { parseStackConfig } from "../config";
import { DRAIN_MARGIN_SECONDS, drainBoundSeconds } from "../config/patching";
import { TERMINATION_GRACE_MARGIN_SECONDS } from "../config/runnerOptions";
import { RESOURCE_DEFAULTS } from "../config/runnerResources";
import { policyByMinute } from "../config/vmRunners/capacity";
import { MINUTES_PER_WEEK, REFERENCE_WEEK_START_UTC } from "../config/warmSchedule";
import { validDocument } from "./support/fixtures";
import { DOCKER_VM, REGION, withVm } from "./support/vmRunners";

describe("VM runner idle schedule (last matching policy wins)", () => {
    const hoursOf = (minutes: Int16Array, policy: number) => minutes.filter((p) => p === policy).length / 60;
    type Policy = { periods: string[]; timezone?: string };
    const policies = (DOCKER_VM.policies as Policy[]).map((p) => ({ timezone: "UTC", ...p }));

    it("a working-hours exception after a catch-all holds 60 of the week's 168 hours", () => {
        const byMinute = policyByMinute(policies);
        assert.equal(byMinute.length, MINUTES_PER_WEEK);
        assert.equal(hoursOf(byMinute, 1), 60); // 12 hours (07:00–18:59) × 5 weekdays
        assert.equal(hoursOf(byMinute, 0), 108);
        assert.equal(hoursOf(byMinute, -1), 0);
    });

    it("the catch-all listed last wins every minute; without one, minutes stay uncovered", () => {
        const [always, weekdays] = policies;
        assert.equal(hoursOf(policyByMinute([weekdays, always]), 1), 168);
        assert.equal(hoursOf(policyByMinute([weekdays]), -1), 108);
    });

    it("evaluates each policy in its own time zone (Berlin is UTC+2 in the reference June week)", () => {
        const byMinute = policyByMinute([{ periods: ["0 7 * * mon"], timezone: "Europe/Berlin" }]);
        const matched = [...byMinute.keys()].filter((m) => byMinute[m] === 0);
        // Monday 07:00 in Berlin is Monday 05:00 UTC, 300 minutes into the week that starts Monday 00:00 UTC.
        assert.equal(new Date(REFERENCE_WEEK_START_UTC).getUTCDay(), 1);
        assert.deepEqual(matched, [300]);
        const tokyo = policyByMinute([{ periods: ["0 7 * * mon"], timezone: "Asia/Tokyo" }]);
        // 07:00 Monday in Tokyo (UTC+9) is 22:00 UTC on the Sunday before the week: it falls on the week's next Monday
        // only, 22:00 UTC Sunday = minute 6 × 1440 + 22 × 60.
        assert.deepEqual(
            [...tokyo.keys()].filter((m) => tokyo[m] === 0),
            [6 * 1440 + 22 * 60],
        );
    });
});

describe("VM runner config", () => {
    it("fills defaults and derives concurrency, grace period, names, chart and token source", () => {
        const cfg = parseStackConfig(withVm(), REGION);
        assert.deepEqual(cfg.vmRunners, [
            {
                name: "docker-vm",
                executor: "docker-autoscaler",
                tags: ["vm-docker"],
                instanceTypes: ["c7a.2xlarge"],
                arch: "amd64",
                diskSizeGiB: 100,
                capacityPerInstance: 1,
                maxUseCount: 1,
                maxInstances: 10,
                policies: [
                    { periods: ["* * * * *"], timezone: "UTC", idleCount: 0, idleTime: "5m" },
                    { periods: ["* 7-18 * * mon-fri"], timezone: "Europe/Berlin", idleCount: 2, idleTime: "20m" },
                ],
                maxJobTimeoutMinutes: 60,
                jobQueueThresholdSeconds: 300,
                concurrent: 10,
                terminationGracePeriodSeconds: 60 * 60 + TERMINATION_GRACE_MARGIN_SECONDS,
                checkInterval: 3,
                privileged: true,
                manager: { ...RESOURCE_DEFAULTS.manager },
                chart: { version: "0.92.0", runnerVersion: "19.3.0" },
                token: { source: "config" },
                runUntagged: false,
                names: {
                    release: "gitlab-runner-docker-vm",
                    managerNamespace: "gitlab-runner",
                    serviceAccount: "gitlab-runner-docker-vm",
                    tokenSecret: "gitlab-runner-docker-vm-token",
                },
            },
        ]);
    });

    it("lets job containers run privileged only when every job gets a fresh VM of its own", () => {
        const privileged = (change: Record<string, unknown>) =>
            parseStackConfig(withVm({ ...DOCKER_VM, ...change }), REGION).vmRunners[0].privileged;
        assert.equal(privileged({}), true);
        assert.equal(privileged({ capacityPerInstance: 2 }), false, "two jobs share a VM");
        assert.equal(privileged({ maxUseCount: 5 }), false, "a VM serves later jobs");
        assert.equal(privileged({ maxUseCount: 0 }), false);
        assert.equal(privileged({ executor: "instance" }), false, "no containers: the job has the VM anyway");
    });

    it("plans concurrency, the idle cost of each policy and the full-scale cost at the dearest type's price", () => {
        const cfg = parseStackConfig(withVm({ ...DOCKER_VM, instanceTypes: ["c7a.xlarge", "c7a.2xlarge"] }), REGION);
        const [c] = cfg.capacity.vmRunners;
        const price = 0.44048; // c7a.2xlarge, eu-west-1 (config/instanceFacts.data.ts)
        const month = 730 / 168;
        assert.equal(c.concurrency, 10);
        assert.equal(c.boundBy, "c7a.2xlarge");
        assert.equal(c.usdPerHourPerInstance, price);
        assert.deepEqual(
            c.idle.map((p) => [p.policy, p.idleInstances, p.hoursPerWeek]),
            [
                [0, 0, 108],
                [1, 2, 60],
            ],
        );
        assert.ok(Math.abs(c.idle[1].usdPerMonth! - 2 * 60 * month * price) < 1e-9);
        assert.ok(Math.abs(c.idleUsdPerMonth! - 2 * 60 * month * price) < 1e-9);
        assert.ok(Math.abs(c.fullScaleUsdPerMonth! - 10 * 730 * price) < 1e-9);
        // idle_count counts jobs: 5 idle jobs at 2 jobs per VM keep 3 VMs.
        const packed = parseStackConfig(
            withVm({ ...DOCKER_VM, capacityPerInstance: 2, policies: [{ idleCount: 5, idleTime: "10m" }] }),
            REGION,
        );
        assert.deepEqual(
            packed.capacity.vmRunners[0].idle.map((p) => [p.idleInstances, p.hoursPerWeek]),
            [[3, 168]],
        );
        assert.equal(packed.vmRunners[0].concurrent, 20);
    });

    it("counts each VM's address in the cluster subnets and its manager on the management nodes", () => {
        const without = parseStackConfig(validDocument(), REGION).capacity;
        const withRunner = parseStackConfig(withVm(), REGION).capacity;
        const pool = (c: typeof without) => c.pools.find((p) => p.name === "cluster")!.ipsAtFullScale;
        assert.equal(pool(withRunner) - pool(without), 10);
        assert.equal(withRunner.management!.demand.pods - without.management!.demand.pods, 1);
        assert.equal(withRunner.management!.demand.cpuMillis - without.management!.demand.cpuMillis, 200);
    });

    it("a VM runner's manager, like any other, bounds the management group's drain; job groups are not its", () => {
        const cfg = parseStackConfig(withVm({ ...DOCKER_VM, maxJobTimeoutMinutes: 240 }), REGION);
        const all = [...cfg.runners, ...cfg.vmRunners];
        assert.equal(
            drainBoundSeconds(cfg.nodeGroups.management, all),
            240 * 60 + TERMINATION_GRACE_MARGIN_SECONDS + DRAIN_MARGIN_SECONDS,
        );
        const amd64 = cfg.nodeGroups.jobs.find((g) => g.name === "amd64")!;
        assert.equal(drainBoundSeconds(amd64, all), drainBoundSeconds(amd64, cfg.runners));
    });

    it("warns that an unlimited maxUseCount lets a busy VM live on the AMI it booted with", () => {
        const findings = parseStackConfig(withVm({ ...DOCKER_VM, maxUseCount: 0 }), REGION).capacity.findings;
        assert.ok(
            findings.some(
                (f) =>
                    f.severity === "warning" &&
                    f.subject === "vmRunners.docker-vm.maxUseCount" &&
                    /never replaced and keeps the AMI it booted with/.test(f.message),
            ),
        );
    });
});
