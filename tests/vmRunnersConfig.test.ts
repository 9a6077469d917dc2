import { strict as assert } from "assert";
import { parseStackConfig } from "../config";
import { DRAIN_MARGIN_SECONDS, drainBoundSeconds } from "../config/patching";
import { TERMINATION_GRACE_MARGIN_SECONDS } from "../config/runnerOptions";
import { RESOURCE_DEFAULTS } from "../config/runnerResources";
import { policyByMinute } from "../config/vmRunners/capacity";
import { MINUTES_PER_WEEK, REFERENCE_WEEK_START_UTC } from "../config/warmSchedule";
import { problemsOf, validDocument, vmRunnerInput, withValue, withVmRunners } from "./support/fixtures";

const REGION = "eu-west-1";

/** The docker-autoscaler VM runner (tests/support/fixtures.ts). */
const DOCKER_VM = vmRunnerInput();

/** The fixture document plus that VM runner (or another) and its token. */
const withVm = (vm: Record<string, unknown> = DOCKER_VM, name = "docker-vm") => withVmRunners({ [name]: vm });

const at = (path: (string | number)[], value: unknown) => withValue(withVm(), ["vmRunners", "docker-vm", ...path], value);

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

    const token = "`pulumi config set --secret --path 'runnerTokens.docker-vm' glrt-…`";
    const rejections: { name: string; doc: () => Record<string, unknown>; expect: string }[] = [
        {
            name: "an executor that is not a fleeting one",
            doc: () => at(["executor"], "docker"),
            expect: 'vmRunners.docker-vm.executor: "docker" is not a VM executor (allowed: docker-autoscaler, instance)',
        },
        { name: "no executor", doc: () => at(["executor"], undefined), expect: "vmRunners.docker-vm.executor: is required" },
        {
            name: "a 4-field period",
            doc: () => at(["policies", 1, "periods"], ["7-18 * * mon-fri"]),
            expect: 'vmRunners.docker-vm.policies[1].periods[0]: "7-18 * * mon-fri" has 4 fields; a period has 5',
        },
        {
            name: "an hour out of range",
            doc: () => at(["policies", 1, "periods"], ["* * * * *", "* 24 * * *"]),
            expect: 'vmRunners.docker-vm.policies[1].periods[1]: "* 24 * * *": hour: 24 is outside 0–23',
        },
        {
            name: "an empty period list",
            doc: () => at(["policies", 0, "periods"], []),
            expect: "vmRunners.docker-vm.policies[0].periods: list at least one period",
        },
        {
            name: "a time zone that is not an IANA name",
            doc: () => at(["policies", 1, "timezone"], "CEST"),
            expect: 'vmRunners.docker-vm.policies[1].timezone: "CEST" is not an IANA time zone name',
        },
        {
            name: "an idle time that is not a Go duration",
            doc: () => at(["policies", 1, "idleTime"], "20 minutes"),
            expect: 'vmRunners.docker-vm.policies[1].idleTime: "20 minutes" is not a Go duration of at least 1s',
        },
        {
            name: "an idle time below a second",
            doc: () => at(["policies", 0, "idleTime"], "500ms"),
            expect: 'vmRunners.docker-vm.policies[0].idleTime: "500ms" is not a Go duration of at least 1s',
        },
        {
            name: "no idle time",
            doc: () => at(["policies", 0, "idleTime"], undefined),
            expect: "vmRunners.docker-vm.policies[0].idleTime: is required",
        },
        {
            name: "more idle jobs than the runner can hold",
            doc: () => at(["policies", 1, "idleCount"], 11),
            expect: "vmRunners.docker-vm.policies[1].idleCount: 11 idle jobs exceed what the runner can hold at all (maxInstances 10 × capacityPerInstance 1 = 10)",
        },
        {
            name: "no policy",
            doc: () => at(["policies"], []),
            expect: "vmRunners.docker-vm.policies: list at least one policy",
        },
        {
            name: "a typo in a policy key",
            doc: () => at(["policies", 0, "idle_count"], 1),
            expect: "vmRunners.docker-vm.policies[0].idle_count: unknown key (allowed: periods, timezone, idleCount, idleTime)",
        },
        {
            name: "a typo in a VM runner key",
            doc: () => at(["maxInstance"], 3),
            expect: "vmRunners.docker-vm.maxInstance: unknown key (allowed: executor, tags, instanceTypes, arch,",
        },
        {
            name: "an instance type outside the facts table",
            doc: () => at(["instanceTypes"], ["c7a.2xlarge", "x2iedn.xlarge"]),
            expect: 'vmRunners.docker-vm.instanceTypes[1]: "x2iedn.xlarge" is not a supported instance type',
        },
        {
            name: "an instance type of the other architecture",
            doc: () => at(["instanceTypes"], ["c7g.2xlarge"]),
            expect: "vmRunners.docker-vm.instanceTypes[0]: c7g.2xlarge is arm64 but arch is amd64; every VM of a runner boots the same amd64 image",
        },
        {
            name: "an instance type listed twice",
            doc: () => at(["instanceTypes"], ["c7a.2xlarge", "c7a.2xlarge"]),
            expect: 'vmRunners.docker-vm.instanceTypes[1]: "c7a.2xlarge" is listed twice',
        },
        {
            name: "an unknown architecture",
            doc: () => at(["arch"], "x86_64"),
            expect: 'vmRunners.docker-vm.arch: "x86_64" is not an architecture (allowed: amd64, arm64)',
        },
        { name: "no tags", doc: () => at(["tags"], []), expect: "vmRunners.docker-vm.tags: list at least one tag" },
        {
            name: "a tag the Kubernetes runner serves too",
            doc: () => at(["tags"], ["vm-docker", "amd64"]),
            expect: "vmRunners.docker-vm.tags: shares [amd64] with runners.amd64, whose jobs run on ON_DEMAND amd64 nodes while these run on VMs of its own (amd64): a job tagged only [amd64] could land on either",
        },
        {
            name: "the Kubernetes runner's very tag set",
            doc: () => at(["tags"], ["amd64"]),
            expect: "vmRunners.docker-vm.tags: same tags as runners.amd64 ([amd64])",
        },
        {
            name: "a tag two VM runners share",
            doc: () =>
                withValue(
                    withValue(withVm(), ["vmRunners", "shell-vm"], {
                        ...DOCKER_VM,
                        executor: "instance",
                        tags: ["vm-shell", "vm-docker"],
                    }),
                    ["runnerTokens", "shell-vm"],
                    "glrt-x",
                ),
            expect: "vmRunners.shell-vm.tags: shares [vm-docker] with vmRunners.docker-vm, whose jobs run on VMs of its own (amd64) while these run on VMs of its own (amd64)",
        },
        {
            name: "a tag that is not a GitLab tag",
            doc: () => at(["tags"], ["vm,docker"]),
            expect: 'vmRunners.docker-vm.tags[0]: "vm,docker" is not a valid GitLab tag',
        },
        {
            name: "a name that is not a DNS label",
            doc: () => withVm(DOCKER_VM, "Docker_VM"),
            expect: 'vmRunners.Docker_VM: "Docker_VM" is not a valid runner name: 1–30 of [a-z0-9-]',
        },
        {
            name: "the name of a Kubernetes runner",
            doc: () =>
                withValue(
                    withValue(validDocument(), ["vmRunners"], { amd64: { ...DOCKER_VM } }),
                    ["runners", "amd64", "tags"],
                    ["k8s"],
                ),
            expect: "vmRunners.amd64: runners.amd64 exists too; a VM runner and a runner share Helm release, service account and token names: rename one",
        },
        {
            name: "no token",
            doc: () => withValue(withVm(), ["runnerTokens", "docker-vm"], undefined),
            expect: `runnerTokens.docker-vm: runner "docker-vm" has no runner authentication token: set it with ${token} or name an SSM SecureString parameter holding it in vmRunners.docker-vm.tokenSsmParameter`,
        },
        {
            name: "two token sources",
            doc: () => at(["tokenSsmParameter"], "/ci/runners/docker-vm/token"),
            expect: "vmRunners.docker-vm.tokenSsmParameter: runnerTokens.docker-vm is set too; keep one source of the token",
        },
        {
            name: "no VMs at all",
            doc: () => at(["maxInstances"], 0),
            expect: "vmRunners.docker-vm.maxInstances: must be at least 1 (VMs)",
        },
        {
            name: "a disk too small for images",
            doc: () => at(["diskSizeGiB"], 8),
            expect: "vmRunners.docker-vm.diskSizeGiB: must be at least 20 (GiB)",
        },
        {
            name: "a negative use count",
            doc: () => at(["maxUseCount"], -1),
            expect: "vmRunners.docker-vm.maxUseCount: must be at least 0 (jobs per VM lifetime)",
        },
    ];
    for (const c of rejections) {
        it(`rejects ${c.name}, naming the path`, () => {
            const problems = problemsOf(c.doc());
            assert.ok(
                problems.some((p) => p.startsWith(c.expect)),
                `expected a problem starting with:\n  ${c.expect}\ngot:\n  ${problems.join("\n  ")}`,
            );
        });
    }

    it("accepts a stack without VM runners, and one with only VM runners", () => {
        assert.deepEqual(parseStackConfig(validDocument(), REGION).vmRunners, []);
        const only = withValue(withValue(withVm(), ["runners"], {}), ["runnerTokens", "amd64"], undefined);
        assert.deepEqual(
            parseStackConfig(only, REGION).vmRunners.map((v) => v.name),
            ["docker-vm"],
        );
    });
});
