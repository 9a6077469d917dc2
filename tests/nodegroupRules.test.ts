import { strict as assert } from "assert";
import { parseStackConfig } from "../config";
import { problemsOf, validDocument, withValue } from "./support/fixtures";

const groups = (doc: Record<string, any>) => doc.nodeGroups as Record<string, any>;

describe("node group validation", () => {
    const cases: { name: string; edit: (doc: Record<string, any>) => Record<string, any>; expect: string }[] = [
        {
            name: "unknown instance type",
            edit: (d) => withValue(d, ["nodeGroups", "amd64", "instanceTypes"], ["m7i.2xlarg"]),
            expect: 'nodeGroups.amd64.instanceTypes[0]: "m7i.2xlarg" is not a supported instance type (families: c6i,',
        },
        {
            name: "min > max",
            edit: (d) => withValue(d, ["nodeGroups", "amd64", "minSize"], 11),
            expect: "nodeGroups.amd64.minSize: 11 is greater than maxSize 10",
        },
        {
            name: "desired outside [min, max]",
            edit: (d) => withValue(d, ["nodeGroups", "amd64", "desiredSize"], 11),
            expect: "nodeGroups.amd64.desiredSize: 11 is outside [minSize 0, maxSize 10]",
        },
        {
            name: "management below 2 nodes",
            edit: (d) =>
                withValue(withValue(d, ["nodeGroups", "management", "minSize"], 1), ["nodeGroups", "management", "maxSize"], 1),
            expect: "nodeGroups.management.minSize: 1 is below 2",
        },
        {
            name: "management on Spot",
            edit: (d) => withValue(d, ["nodeGroups", "management", "capacityType"], "SPOT"),
            expect: "nodeGroups.management.capacityType: the management group must be ON_DEMAND",
        },
        {
            name: "management that could shrink",
            edit: (d) => withValue(d, ["nodeGroups", "management", "maxSize"], 4),
            expect: "nodeGroups.management.maxSize: must equal minSize (2) for the management group",
        },
        {
            name: "invalid group name",
            edit: (d) => ({ ...d, nodeGroups: { ...groups(d), "-bad": groups(d).amd64 } }),
            expect: 'nodeGroups.-bad: "-bad" is not a valid node group name',
        },
        {
            name: "names equal after normalisation",
            edit: (d) => ({ ...d, nodeGroups: { ...groups(d), arm64_spot: groups(d)["arm64-spot"] } }),
            expect: 'nodeGroups.arm64_spot: "arm64_spot" and "arm64-spot" both become "arm64-spot"',
        },
        {
            name: "two management groups",
            edit: (d) => ({ ...d, nodeGroups: { ...groups(d), system: groups(d).management } }),
            expect: "nodeGroups: only one management group is allowed, found management, system",
        },
        {
            name: "no management group",
            edit: (d) => withValue(d, ["nodeGroups", "management"], undefined),
            expect: "nodeGroups: declare exactly one group with role: management",
        },
        {
            name: "no jobs group",
            edit: (d) => ({ ...d, nodeGroups: { management: groups(d).management }, runners: {} }),
            expect: "nodeGroups: declare at least one group with role: jobs",
        },
        {
            name: "arm64 type in an amd64 AMI",
            edit: (d) =>
                withValue(
                    withValue(d, ["nodeGroups", "amd64", "amiType"], "AL2023_x86_64_STANDARD"),
                    ["nodeGroups", "amd64", "instanceTypes"],
                    ["m7g.2xlarge"],
                ),
            expect: "nodeGroups.amd64.amiType: AL2023_x86_64_STANDARD is for amd64 but the instance types are arm64",
        },
        {
            name: "mixed architectures",
            edit: (d) => withValue(d, ["nodeGroups", "amd64", "instanceTypes"], ["m7i.2xlarge", "m7g.2xlarge"]),
            expect: "nodeGroups.amd64.instanceTypes: mixes amd64 and arm64 types",
        },
        {
            name: "Spot with one type",
            edit: (d) => withValue(d, ["nodeGroups", "arm64-spot", "instanceTypes"], ["m7g.2xlarge"]),
            expect: "nodeGroups.arm64-spot.instanceTypes: SPOT needs at least 2 instance types",
        },
        {
            name: "Spot types of different sizes",
            edit: (d) => withValue(d, ["nodeGroups", "arm64-spot", "instanceTypes"], ["m7g.2xlarge", "m7g.4xlarge"]),
            expect: "nodeGroups.arm64-spot.instanceTypes: SPOT types must have equal vCPU and memory so Cluster Autoscaler sizes nodes right: m7g.2xlarge=8 vCPU/32 GiB, m7g.4xlarge=16 vCPU/64 GiB",
        },
        {
            name: "reserved label key",
            edit: (d) => withValue(d, ["nodeGroups", "amd64", "labels"], { "eks-gitlab-runners/role": "x" }),
            expect: 'nodeGroups.amd64.labels.eks-gitlab-runners/role: keys under "eks-gitlab-runners/" are set by this program',
        },
        {
            name: "invalid label value",
            edit: (d) => withValue(d, ["nodeGroups", "amd64", "labels"], { team: "a b" }),
            expect: 'nodeGroups.amd64.labels.team: "a b" is not a valid Kubernetes label value',
        },
        {
            name: "unknown taint effect",
            edit: (d) => withValue(d, ["nodeGroups", "amd64", "taints"], [{ key: "gpu", effect: "NoScheduel" }]),
            expect: "nodeGroups.amd64.taints[0].effect:",
        },
        {
            name: "pod subnets that do not exist",
            edit: (d) => withValue(withValue(d, ["network", "podSubnets"], undefined), ["nodeGroups", "amd64", "subnets"], "pod"),
            expect: 'nodeGroups.amd64.subnets: "pod" needs network.podSubnets to be configured',
        },
        {
            name: "management in pod subnets",
            edit: (d) => withValue(d, ["nodeGroups", "management", "subnets"], "pod"),
            expect: 'nodeGroups.management.subnets: "pod" subnets are for job nodes',
        },
        {
            name: "malformed release version",
            edit: (d) => withValue(d, ["nodeGroups", "amd64", "releaseVersion"], "latest"),
            expect: 'nodeGroups.amd64.releaseVersion: "latest" is not an AMI release version',
        },
        {
            name: "release of another Kubernetes version",
            edit: (d) => withValue(d, ["nodeGroups", "amd64", "releaseVersion"], "1.33.5-20251020"),
            expect: "nodeGroups.amd64.releaseVersion: 1.33.5-20251020 is an AMI release for another Kubernetes version than cluster.version 1.34",
        },
        {
            name: "disk too small",
            edit: (d) => withValue(d, ["nodeGroups", "amd64", "diskSizeGiB"], 8),
            expect: "nodeGroups.amd64.diskSizeGiB:",
        },
        {
            name: "unknown role",
            edit: (d) => withValue(d, ["nodeGroups", "amd64", "role"], "job"),
            expect: 'nodeGroups.amd64.role: must be one of management, jobs (found the string "job"); did you mean "jobs"?',
        },
    ];
    for (const c of cases) {
        it(`rejects ${c.name}`, () => {
            const found = problemsOf(c.edit(validDocument()));
            assert.ok(
                found.some((p) => p.startsWith(c.expect)),
                `no problem starting with\n  ${c.expect}\nin\n  ${found.join("\n  ")}`,
            );
        });
    }

    it("derives role labels and taints and merges user ones", () => {
        const doc = withValue(
            withValue(validDocument(), ["nodeGroups", "amd64", "labels"], { team: "web" }),
            ["nodeGroups", "amd64", "taints"],
            [{ key: "dedicated", value: "web", effect: "NoSchedule" }],
        );
        const amd64 = parseStackConfig(doc, "eu-west-1").nodeGroups.jobs.find((g) => g.name === "amd64")!;
        assert.deepEqual(amd64.labels, {
            team: "web",
            "eks-gitlab-runners/role": "jobs",
            "eks-gitlab-runners/nodegroup": "amd64",
        });
        assert.deepEqual(amd64.taints, [
            { key: "eks-gitlab-runners/role", value: "jobs", effect: "NoSchedule" },
            { key: "dedicated", value: "web", effect: "NoSchedule" },
        ]);
        assert.equal(amd64.scalesToZero, true);
        assert.equal(amd64.resourceName, "amd64");
    });
});
