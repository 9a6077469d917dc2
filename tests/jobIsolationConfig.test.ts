import { strict as assert } from "assert";
import { parseStackConfig } from "../config";
import { INLINE_POLICY_MAX_CHARS } from "../config/jobIdentity";
import { quotaBounds } from "../config/jobQuota";
import { partitionOfRegion } from "../model/iam";
import { renderRunnerToml } from "../components/runners/configToml";
import { CHART_VERSIONS, runnerChart } from "../config/runnerCharts";
import { unknownKeys } from "./fixtures/runnerConfigKeys";
import { problemsOf, validDocument, withValue } from "./support/fixtures";

const REGION = "eu-west-1";
const runnerDoc = (field: string, value: unknown) => withValue(validDocument(), ["runners", "amd64", field], value);
const parse = (doc: Record<string, unknown>, region = REGION) => parseStackConfig(doc, region).runners[0];
const identity = (extra: Record<string, unknown>) => runnerDoc("jobIdentity", extra);
const statement = (over: Record<string, unknown> = {}) => ({
    effect: "Allow",
    actions: ["s3:PutObject"],
    resources: ["arn:aws:s3:::artifacts/*"],
    ...over,
});

describe("job identity and isolation (config)", () => {
    it("defaults: no AWS identity, internet egress only, no API, a derived quota, the job service account", () => {
        const r = parse(validDocument());
        assert.equal(r.jobIdentity, undefined);
        assert.deepEqual(r.network, { egress: ["internet"], cidrs: [], allowClusterApi: false, vpcCidrs: [] });
        assert.deepEqual(r.quota.derived, ["pods", "cpu", "memory"]);
        assert.equal(r.names.jobServiceAccount, "gitlab-job-amd64");
    });

    it("a job identity passes through as given", () => {
        const r = parse(
            identity({
                managedPolicyArns: ["arn:aws:iam::444455556666:policy/ci-deploy"],
                statements: [statement()],
                permissionsBoundaryArn: "arn:aws:iam::444455556666:policy/boundary",
            }),
        );
        assert.deepEqual(r.jobIdentity, {
            managedPolicyArns: ["arn:aws:iam::444455556666:policy/ci-deploy"],
            statements: [statement()],
            permissionsBoundaryArn: "arn:aws:iam::444455556666:policy/boundary",
        });
    });

    // ARN partitions (IAM User Guide, "IAM identifiers"): aws, aws-cn (China), aws-us-gov (GovCloud).
    it("the partition follows the region", () => {
        assert.deepEqual(["eu-west-1", "cn-north-1", "us-gov-west-1"].map(partitionOfRegion), ["aws", "aws-cn", "aws-us-gov"]);
    });

    const at = "runners.amd64.jobIdentity";
    const rejections: [string, Record<string, unknown>, string][] = [
        ["an empty identity", identity({}), `${at}: grants nothing: list managedPolicyArns or statements`],
        [
            "a malformed policy ARN",
            identity({ managedPolicyArns: ["arn:aws:iam::4444:policy/x"] }),
            `${at}.managedPolicyArns[0]: "arn:aws:iam::4444:policy/x" is not an IAM policy ARN`,
        ],
        [
            "a role ARN where a policy belongs",
            identity({ managedPolicyArns: ["arn:aws:iam::444455556666:role/x"] }),
            `${at}.managedPolicyArns[0]: "arn:aws:iam::444455556666:role/x" is not an IAM policy ARN`,
        ],
        [
            "a policy in another partition",
            identity({ managedPolicyArns: ["arn:aws-cn:iam::444455556666:policy/x"] }),
            `${at}.managedPolicyArns[0]: arn:aws-cn:iam::444455556666:policy/x is in partition aws-cn, but the stack's region is in aws`,
        ],
        [
            "a duplicate policy",
            identity({ managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess"] }),
            `${at}.managedPolicyArns[1]: arn:aws:iam::aws:policy/ReadOnlyAccess is listed twice`,
        ],
        [
            "a boundary in another partition",
            identity({ statements: [statement()], permissionsBoundaryArn: "arn:aws-us-gov:iam::444455556666:policy/b" }),
            `${at}.permissionsBoundaryArn: arn:aws-us-gov:iam::444455556666:policy/b is in partition aws-us-gov`,
        ],
        [
            "an action without its service",
            identity({ statements: [statement({ actions: ["PutObject"] })] }),
            `${at}.statements[0].actions[0]: "PutObject" is not an IAM action as service:Action`,
        ],
        [
            'a bare "*" action',
            identity({ statements: [statement({ actions: ["*"], resources: ["*"] })] }),
            `${at}.statements[0].actions[0]: "*" is not an IAM action as service:Action`,
        ],
        [
            "a wildcard write in an Allow",
            identity({ statements: [statement({ actions: ["s3:*"] })] }),
            `${at}.statements[0].actions[0]: s3:* is a wildcard that includes write actions`,
        ],
        [
            "a malformed resource",
            identity({ statements: [statement({ resources: ["artifacts/*"] })] }),
            `${at}.statements[0].resources[0]: "artifacts/*" is not a resource ARN`,
        ],
        [
            "a resource in another partition",
            identity({ statements: [statement({ resources: ["arn:aws-cn:s3:::artifacts/*"] })] }),
            `${at}.statements[0].resources[0]: arn:aws-cn:s3:::artifacts/* is in partition aws-cn`,
        ],
        [
            "an unknown effect",
            identity({ statements: [statement({ effect: "Permit" })] }),
            `${at}.statements[0].effect: "Permit" is not Allow or Deny`,
        ],
        [
            "an unknown statement key",
            identity({ statements: [statement({ condition: {} })] }),
            `${at}.statements[0].condition: unknown key (allowed: effect, actions, resources)`,
        ],
        [
            "an inline policy over IAM's size limit",
            identity({
                statements: Array.from({ length: 100 }, (_, i) =>
                    statement({ resources: [`arn:aws:s3:::artifacts-bucket-with-a-long-name-${i}/some/long/prefix/*`] }),
                ),
            }),
            `${at}.statements: the inline policy has`,
        ],
        [
            "an unknown egress name",
            runnerDoc("network", { egress: ["internet", "anywhere"] }),
            `runners.amd64.network.egress[1]: "anywhere" is not an egress name (allowed: internet, vpc; other networks go in network.cidrs)`,
        ],
        [
            "a repeated egress name",
            runnerDoc("network", { egress: ["internet", "internet"] }),
            `runners.amd64.network.egress[1]: "internet" is listed twice`,
        ],
        [
            "vpc without the VPC's CIDRs",
            runnerDoc("network", { egress: ["vpc"] }),
            "runners.amd64.network.egress[0]: vpc needs the VPC's CIDR blocks: list them in network.vpcCidrs",
        ],
        [
            "a CIDR that contains instance metadata",
            runnerDoc("network", { cidrs: ["0.0.0.0/0"] }),
            "runners.amd64.network.cidrs[0]: 0.0.0.0/0 contains the instance metadata service (169.254.169.254)",
        ],
        [
            "a link-local CIDR",
            runnerDoc("network", { cidrs: ["169.254.170.0/24"] }),
            "runners.amd64.network.cidrs[0]: 169.254.170.0/24 is link-local space",
        ],
        [
            "an IPv6 CIDR",
            runnerDoc("network", { cidrs: ["fd00::/8"] }),
            `runners.amd64.network.cidrs[0]: "fd00::/8" is not an IPv4 CIDR block`,
        ],
        [
            "a quota with too few pods",
            runnerDoc("quota", { pods: 39 }),
            "runners.amd64.quota.pods: 39 is below the 40 pods of 2 × concurrent 20 jobs",
        ],
        [
            "a quota with too little CPU",
            runnerDoc("quota", { cpu: "40" }),
            "runners.amd64.quota.cpu: 40 is below the 44 CPU that 2 × concurrent 20 jobs",
        ],
        [
            "a quota with too little memory",
            runnerDoc("quota", { memory: "80Gi" }),
            "runners.amd64.quota.memory: 80Gi is below the 85Gi of memory that 2 × concurrent 20 jobs",
        ],
        [
            "a malformed quota quantity",
            runnerDoc("quota", { memory: "lots" }),
            `runners.amd64.quota.memory: "lots" is not a valid memory quantity`,
        ],
        [
            "a repeated VPC CIDR",
            withValue(validDocument(), ["network", "vpcCidrs"], ["10.0.0.0/16", "10.0.0.0/16"]),
            "network.vpcCidrs[1]: 10.0.0.0/16 is listed twice",
        ],
        [
            "access logs into the cache bucket itself",
            withValue(validDocument(), ["cache"], { bucketName: "ci-cache", accessLogs: { targetBucket: "ci-cache" } }),
            "cache.accessLogs.targetBucket: is the cache bucket itself",
        ],
    ];
    for (const [what, doc, expected] of rejections) {
        it(`rejects ${what}`, () => {
            const problems = problemsOf(doc);
            assert.ok(
                problems.some((p) => p.startsWith(expected)),
                `no problem starting with\n  ${expected}\nin\n  ${problems.join("\n  ")}`,
            );
        });
    }

    // IAM User Guide, "IAM and AWS STS quotas": a role's inline policies total at most 10,240 characters.
    it("the inline size limit is IAM's 10,240 characters", () => assert.equal(INLINE_POLICY_MAX_CHARS, 10240));

    // GitLab Runner ignores unknown keys silently: the job service account keys must exist in every runner version a
    // chart ships (common/config.go at v18.9.0 and v19.3.0, tests/fixtures/runner-config-keys.v*.txt).
    it("service_account and automount_service_account_token exist in every runner version a chart ships", () => {
        const config = parseStackConfig(runnerDoc("network", { allowClusterApi: true }), REGION);
        for (const chart of CHART_VERSIONS) {
            const runner = { ...config.runners[0], chart: { ...runnerChart(chart), version: chart } };
            const toml = renderRunnerToml({
                runner,
                group: config.nodeGroups.jobs[0],
                cache: { bucketName: "b", region: REGION },
            });
            assert.match(toml, /service_account = "gitlab-job-amd64"/);
            assert.match(toml, /automount_service_account_token = true/);
            assert.deepEqual(unknownKeys(toml, runnerChart(chart).runnerVersion), [], chart);
        }
    });

    it("a Deny statement may use wildcards (it only narrows)", () => {
        const r = parse(identity({ statements: [statement({ effect: "Deny", actions: ["s3:*"], resources: ["*"] })] }));
        assert.equal(r.jobIdentity!.statements[0].effect, "Deny");
    });

    it("vpc takes the VPC's CIDRs and the pod-subnet block; cidrs pass through", () => {
        const doc = withValue(
            runnerDoc("network", { egress: ["vpc"], cidrs: ["192.168.10.0/24"] }),
            ["network", "vpcCidrs"],
            ["10.0.0.0/16"],
        );
        assert.deepEqual(parse(doc).network, {
            egress: ["vpc"],
            cidrs: ["192.168.10.0/24"],
            allowClusterApi: false,
            vpcCidrs: ["10.0.0.0/16", "100.64.0.0/16"],
        });
    });
});

describe("job namespace quota (derivation)", () => {
    // The fixture runner: concurrent 20 on m7i.2xlarge (maxSize 10), Container Insights on: one node gives jobs
    // 7460m CPU and 31622Mi (tests/runnersConfig.test.ts). Default job: build 1 CPU / 2Gi + helper 100m / 128Mi.
    it("pods: 2 × concurrent; CPU and memory: the lesser of 2 × concurrent jobs at their ceilings and twice the group at maxSize", () => {
        const r = parse(validDocument());
        const ceilingCpu = 7460; // a job's build + helper + service ceilings add up past one node: one node's room
        // Twice maxSize 10: during a patch run the draining generation still runs jobs beside the new one, and the
        // quota must not refuse a job pod the new generation has room for.
        assert.deepEqual(
            { pods: r.quota.pods, cpu: r.quota.cpu, memory: r.quota.memory },
            { pods: 40, cpu: `${Math.min(40 * ceilingCpu, 2 * 10 * 7460)}m`, memory: `${2 * 10 * 31622}Mi` },
        );
    });

    it("with low ceilings, the jobs term is the bound", () => {
        let doc = withValue(validDocument(), ["runners", "amd64", "cpuRequestMax"], "1");
        doc = withValue(doc, ["runners", "amd64", "helper"], { cpuRequestMax: "100m" });
        doc = withValue(doc, ["runners", "amd64", "services"], { cpuRequestMax: "250m" });
        // build 1 + helper 0.1 + service 0.25 = 1.35 CPU per job at its ceilings; 40 × 1.35 = 54 < twice the group's 74.6.
        assert.equal(parse(doc).quota.cpu, "54");
        const bounds = quotaBounds(1, parse(doc).resources, { instanceTypes: ["m7i.2xlarge"], maxSize: 10 }, true);
        assert.deepEqual(bounds.need, { pods: 2, cpuMillis: 2200, memoryMiB: 2 * (2048 + 128) });
    });

    it("an explicit quota at or above the need is kept, and marked as given", () => {
        const r = parse(runnerDoc("quota", { pods: 40, cpu: "44", memory: "85Gi" }));
        assert.deepEqual(r.quota, { pods: 40, cpu: "44", memory: "85Gi", derived: [] });
        const partial = parse(runnerDoc("quota", { pods: 100 }));
        assert.deepEqual(partial.quota.derived, ["cpu", "memory"]);
    });
});
