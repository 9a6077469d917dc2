// VM runner settings the stack file rejects (each naming its path), and the stacks it accepts.
import { strict as assert } from "assert";
import { parseStackConfig } from "../config";
import { problemsOf, validDocument, withValue } from "./support/fixtures";
import { at, DOCKER_VM, REGION, withVm } from "./support/vmRunners";

describe("VM runner config", () => {
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
