import { allNodeGroups } from "../config";
import { strict as assert } from "assert";
import { parseStackConfig } from "../config";
import { problemsOf, validDocument, withValue } from "./support/fixtures";

const REGION = "eu-west-1";

describe("stack config validation", () => {
    it("accepts the fixture and fills every default", () => {
        const cfg = parseStackConfig(validDocument(), REGION);
        assert.equal(cfg.cluster.protect, false);
        assert.deepEqual(cfg.cluster.logTypes, ["api", "audit", "authenticator"]);
        assert.deepEqual(cfg.cluster.endpoint, {
            privateAccess: true,
            publicAccess: false,
            publicAccessCidrs: [],
            privateAccessCidrs: ["10.0.0.0/16"],
            privateAccessSecurityGroupIds: [],
        });
        const amd64 = allNodeGroups(cfg.nodeGroups).find((g) => g.name === "amd64")!;
        assert.equal(amd64.capacityType, "ON_DEMAND");
        assert.equal(amd64.amiType, "AL2023_x86_64_STANDARD");
        assert.equal(amd64.diskSizeGiB, 100);
        assert.equal(amd64.subnets, "pod");
        assert.equal(allNodeGroups(cfg.nodeGroups).find((g) => g.name === "management")!.subnets, "cluster");
        assert.equal(allNodeGroups(cfg.nodeGroups).find((g) => g.name === "arm64-spot")!.amiType, "AL2023_ARM_64_STANDARD");
    });

    it("returns a frozen object", () => {
        const cfg = parseStackConfig(validDocument(), REGION);
        assert.ok(Object.isFrozen(cfg) && Object.isFrozen(cfg.cluster) && Object.isFrozen(cfg.nodeGroups.management.labels));
        assert.throws(() => {
            (cfg.cluster as any).name = "x";
        }, TypeError);
    });

    // Each row: a mutation of the valid document, and the exact path (and a fragment of the reason) it must report.
    const cases: { name: string; path: (string | number)[]; value: unknown; expect: string }[] = [
        { name: "unknown top-level key", path: ["runnerz"], value: {}, expect: "runnerz: unknown top-level key" },
        {
            name: "typo in a cluster key",
            path: ["cluster", "verison"],
            value: "1.34",
            expect: "cluster.verison: unknown key (allowed: name, version,",
        },
        {
            name: "unsupported version",
            path: ["cluster", "version"],
            value: "1.2",
            expect: 'cluster.version: "1.2" is not a supported EKS version (1.30–1.35)',
        },
        {
            name: "version as a YAML number",
            path: ["cluster", "version"],
            value: 1.3,
            expect: "cluster.version: 1.3 must be a quoted string",
        },
        {
            name: "malformed admin ARN",
            path: ["cluster", "adminRoleArns", 0],
            value: "arn:aws:iam::12345:role/x",
            expect: 'cluster.adminRoleArns[0]: "arn:aws:iam::12345:role/x" is not an IAM role ARN',
        },
        {
            name: "user ARN where a role is needed",
            path: ["cluster", "viewerRoleArns", 0],
            value: "arn:aws:iam::111122223333:user/bob",
            expect: "cluster.viewerRoleArns[0]:",
        },
        {
            name: "same role admin and viewer",
            path: ["cluster", "viewerRoleArns", 0],
            value: "arn:aws:iam::111122223333:role/PlatformAdmin",
            expect: "cluster.viewerRoleArns[0]: arn:aws:iam::111122223333:role/PlatformAdmin is also adminRoleArns[0]",
        },
        {
            name: "malformed deploy role ARN",
            path: ["cluster", "deployRoleArn"],
            value: "arn:aws:iam::111122223333:user/ci",
            expect: 'cluster.deployRoleArn: "arn:aws:iam::111122223333:user/ci" is not an IAM role ARN',
        },
        {
            // One access entry per principal: the deploy role already has its own admin entry.
            name: "deploy role also an admin",
            path: ["cluster", "deployRoleArn"],
            value: "arn:aws:iam::111122223333:role/PlatformAdmin",
            expect: "cluster.adminRoleArns[0]: arn:aws:iam::111122223333:role/PlatformAdmin is also deployRoleArn, which has its own admin access entry",
        },
        {
            name: "deploy role also a viewer",
            path: ["cluster", "deployRoleArn"],
            value: "arn:aws:iam::111122223333:role/ReadOnly",
            expect: "cluster.viewerRoleArns[0]: arn:aws:iam::111122223333:role/ReadOnly is also deployRoleArn",
        },
        {
            name: "a role listed twice",
            path: ["cluster", "adminRoleArns", 1],
            value: "arn:aws:iam::111122223333:role/PlatformAdmin",
            expect: "cluster.adminRoleArns[1]: arn:aws:iam::111122223333:role/PlatformAdmin is listed twice",
        },
        {
            name: "bad cluster name",
            path: ["cluster", "name"],
            value: "-ci",
            expect: 'cluster.name: "-ci" is not a valid EKS cluster name',
        },
        {
            name: "public endpoint without CIDRs",
            path: ["cluster", "endpoint"],
            value: { publicAccess: true },
            expect: "cluster.endpoint.publicAccessCidrs: publicAccess is true but no CIDRs are listed",
        },
        {
            name: "no endpoint at all",
            path: ["cluster", "endpoint"],
            value: { privateAccess: false },
            expect: "cluster.endpoint.privateAccess: privateAccess and publicAccess cannot both be false",
        },
        { name: "unknown log type", path: ["cluster", "logTypes"], value: ["api", "auth"], expect: "cluster.logTypes[1]:" },
        {
            name: "http GitLab URL",
            path: ["gitlab", "url"],
            value: "http://gitlab.example.com",
            expect: 'gitlab.url: "http://gitlab.example.com" is not an https:// URL',
        },
        { name: "missing section", path: ["gitlab"], value: undefined, expect: "gitlab: is required" },
        {
            name: "malformed VPC id",
            path: ["network", "vpcId"],
            value: "vpc-123",
            expect: 'network.vpcId: "vpc-123" is not a VPC ID',
        },
        {
            name: "one subnet only",
            path: ["network", "subnetIds"],
            value: ["subnet-0a1b2c3d4e5f60718"],
            expect: "network.subnetIds: list at least 2 private subnets",
        },
        {
            name: "pod subnet outside the block",
            path: ["network", "podSubnets", "subnets", 1, "cidrBlock"],
            value: "10.0.0.0/18",
            expect: "network.podSubnets.subnets[1].cidrBlock: 10.0.0.0/18 is not inside podSubnets.cidrBlock 100.64.0.0/16",
        },
        {
            name: "overlapping pod subnets",
            path: ["network", "podSubnets", "subnets", 1, "cidrBlock"],
            value: "100.64.32.0/19",
            expect: "network.podSubnets.subnets[1].cidrBlock: 100.64.32.0/19 overlaps subnets[0] (100.64.0.0/18)",
        },
        {
            name: "same AZ twice",
            path: ["network", "podSubnets", "subnets", 1, "availabilityZone"],
            value: "eu-west-1a",
            expect: "network.podSubnets.subnets[1].availabilityZone: eu-west-1a is already used by subnets[0]",
        },
        {
            name: "AZ of another region",
            path: ["network", "podSubnets", "subnets", 0, "availabilityZone"],
            value: "us-east-1a",
            expect: "network.podSubnets.subnets[0].availabilityZone: us-east-1a is not in the stack's region eu-west-1",
        },
        {
            name: "host bits in a CIDR",
            path: ["network", "podSubnets", "cidrBlock"],
            value: "100.64.0.1/16",
            expect: 'network.podSubnets.cidrBlock: "100.64.0.1/16" has host bits set',
        },
        {
            name: "secondary block too large",
            path: ["network", "podSubnets", "cidrBlock"],
            value: "100.0.0.0/8",
            expect: 'network.podSubnets.cidrBlock: "100.0.0.0/8" must be between /16 and /28',
        },
        {
            name: "typo in a node group key",
            path: ["nodeGroups", "amd64", "instanceType"],
            value: ["m7i.large"],
            expect: "nodeGroups.amd64.instanceType: unknown key (allowed: role, instanceTypes,",
        },
        {
            name: "runner on a missing node group",
            path: ["runners", "amd64", "nodeGroup"],
            value: "amd46",
            expect: 'runners.amd64.nodeGroup: "amd46" is not a node group',
        },
    ];
    for (const c of cases) {
        it(`rejects ${c.name} at ${c.expect.split(":")[0]}`, () => {
            const problems = problemsOf(withValue(validDocument(), c.path, c.value));
            assert.ok(
                problems.some((p) => p.startsWith(c.expect)),
                `no problem starting with\n  ${c.expect}\nin\n  ${problems.join("\n  ")}`,
            );
        });
    }

    it("reports every problem of a document in one error", () => {
        let doc = validDocument();
        doc = withValue(doc, ["cluster", "version"], "1.2");
        doc = withValue(doc, ["network", "vpcId"], "vpc-x");
        doc = withValue(doc, ["nodeGroups", "amd64", "maxSize"], -1);
        doc = withValue(doc, ["runners", "amd64", "concurrentt"], 5);
        const problems = problemsOf(doc);
        for (const path of ["cluster.version", "network.vpcId", "nodeGroups.amd64.maxSize", "runners.amd64.concurrentt"]) {
            assert.ok(
                problems.some((p) => p.startsWith(`${path}:`)),
                `${path} missing from ${problems.join("; ")}`,
            );
        }
        assert.equal(problems.length, 4, problems.join("\n"));
    });

    it("requires aws:region", () => {
        assert.deepEqual(problemsOf(validDocument(), null), [
            "aws:region: is not set; run `pulumi config set aws:region <region>`",
        ]);
    });

    it("formats the error message with one line per problem", () => {
        try {
            parseStackConfig(
                withValue(withValue(validDocument(), ["cluster", "version"], "1.2"), ["gitlab", "url"], "x"),
                REGION,
            );
            assert.fail("expected a ConfigError");
        } catch (e) {
            assert.equal(
                (e as Error).message,
                [
                    "Invalid stack configuration (2 problems):",
                    '  - gitlab.url: "x" is not an https:// URL (e.g. https://gitlab.example.com/)',
                    '  - cluster.version: "1.2" is not a supported EKS version (1.30–1.35)',
                ].join("\n"),
            );
        }
    });
});
