// The merge-request view: what a change does to a stack, from two evaluations of the real program. One base (the
// test stack) and one head with the edits a reviewer must not miss; then the same path end to end through git.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { runPlan } from "../plan/cli";
import { checkoutBase } from "../plan/baseCheckout";
import { Evaluation, evaluateStack } from "../plan/evaluate";
import { buildDiff, PlanDiff } from "../plan/planDiff";
import { renderDiff } from "../plan/renderDiff";
import { evaluationOf, ROOT } from "./support/harness";
import { assertTablesWellFormed } from "./support/markdown";

const NS = "eks-gitlab-runners";

function writeStack(edit: (config: Record<string, any>) => void): string {
    const doc = parse(fs.readFileSync(path.join(ROOT, "Pulumi.test.yaml"), "utf8"));
    edit(doc.config);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plan-diff-")), "Pulumi.test.yaml");
    fs.writeFileSync(file, stringify(doc));
    return file;
}

describe("plan diff (--base)", () => {
    let base: Evaluation;
    let diff: PlanDiff;
    before(async function () {
        this.timeout(60_000);
        base = await evaluationOf("test");
        const head = await evaluateStack({
            stack: "test",
            file: writeStack((c) => {
                c[`${NS}:cluster`].adminRoleArns.push("arn:aws:iam::999988887777:role/Outsider");
                c[`${NS}:cluster`].endpoint.publicAccessCidrs = ["0.0.0.0/0"];
                c[`${NS}:nodeGroups`].amd64.instanceTypes = ["m7i.2xlarge"];
                c[`${NS}:nodeGroups`].amd64.diskSizeGiB = 200;
                c[`${NS}:runners`].amd64.memoryLimit = "6Gi";
                c[`${NS}:runners`].amd64.privileged = true;
                c[`${NS}:cache`].bucketName = "ci-cache-review";
            }),
        });
        diff = buildDiff(
            "test",
            { ref: "main", commit: "0123456789abcdef", state: "evaluated", lockfileDiffers: false },
            base,
            head,
        );
    });

    const item = (area: string, change: RegExp) => diff.security.find((s) => s.area === area && change.test(s.change));

    it("flags a foreign-account admin and a public endpoint open to the internet as widening access", () => {
        const admin = item(
            "access entry",
            /^added with AmazonEKSClusterAdminPolicy \(cluster\) — account 999988887777 has no other access entry$/,
        );
        assert.ok(
            admin?.widens && admin.subject === "arn:aws:iam::999988887777:role/Outsider",
            JSON.stringify(diff.security, null, 1),
        );
        const open = item("API endpoint", /^0\.0\.0\.0\/0 added — the whole internet$/);
        assert.ok(open?.widens);
        assert.ok(item("API endpoint", /^203\.0\.113\.10\/32 removed$/));
        assert.equal(
            diff.security.findIndex((s) => !s.widens) >= diff.security.filter((s) => s.widens).length,
            true,
            "widening items first",
        );
    });

    it("flags privileged jobs: the runner option and its namespace's Pod Security level", () => {
        assert.ok(item("privileged jobs", /^privileged: false → true$/)?.widens);
        assert.ok(item("privileged jobs", /^Pod Security baseline → privileged$/)?.widens);
    });

    it("shows IAM grants that moved to another bucket, and the bucket policy with them", () => {
        assert.ok(item("IAM", /^allows \(the holder\) → s3:GetObject on arn:aws:s3:::ci-cache-review\/\*$/)?.widens);
        assert.ok(
            item("IAM", /^no longer allows \(the holder\) → s3:GetObject on arn:aws:s3:::gitlab-cache-bucket-a1b2c3d\/\*$/),
        );
        assert.ok(diff.security.some((s) => s.area === "bucket"));
    });

    it("replaces the node group for its instance types and its new launch-template version, and what names its ASG with it", () => {
        const group = diff.resources.find((r) => r.name === "amd64-nodegroup")!;
        assert.equal(group.kind, "replace");
        assert.ok(
            group.because.some((b) =>
                b.startsWith("instanceTypes (immutable: hashicorp/terraform-provider-aws internal/service/eks/node_group.go"),
            ),
            group.because.join("\n"),
        );
        assert.ok(
            group.because.some((b) => b.startsWith("launchTemplate.version")),
            group.because.join("\n"),
        );
        assert.deepEqual(
            diff.resources.find((r) => r.name === "amd64-lt"),
            {
                kind: "update",
                type: "aws:ec2/launchTemplate:LaunchTemplate",
                name: "amd64-lt",
                parent: "amd64",
                changed: ["blockDeviceMappings"],
                because: [],
                // internal/service/ec2/ec2_launch_template.go (commit 025e4f8): only name/name_prefix are ForceNew.
                unverified: undefined,
            },
        );
        for (const name of ["amd64-scaling", "amd64-suspend-azrebalance", "amd64-asg-tag-eks-gitlab-runners/autoscaled"])
            assert.equal(diff.resources.find((r) => r.name === name)?.kind, "replace", name);
        assert.equal(
            diff.resources.find((r) => r.name === "management-nodegroup"),
            undefined,
            "the management group is untouched",
        );
        // A new bucket name is a new bucket (hashicorp/terraform-provider-aws internal/service/s3/bucket.go: `bucket`
        // ForceNew, commit 4c72bcc): the cache goes with it.
        const bucket = diff.resources.find((r) => r.name === "gitlab-cache-bucket")!;
        assert.equal(bucket.kind, "replace");
        assert.match(
            bucket.because[0],
            /^bucket \(immutable: hashicorp\/terraform-provider-aws internal\/service\/s3\/bucket\.go/,
        );
        // Its policy names the bucket, ForceNew there too (internal/service/s3/bucket_policy.go, commit 0073593).
        const policy = diff.resources.find((r) => r.type === "aws:s3/bucketPolicy:BucketPolicy")!;
        assert.equal(policy.kind, "replace");
        assert.match(
            policy.because[0],
            /^bucket \(immutable: hashicorp\/terraform-provider-aws internal\/service\/s3\/bucket_policy\.go/,
        );
    });

    it("shows each changed runner setting and the rendered config.toml as a unified diff", () => {
        assert.deepEqual(
            diff.runners.settings.filter((s) => s.setting === "build.memoryLimit" || s.setting === "privileged"),
            [
                { runner: "amd64", setting: "privileged", before: "false", after: "true" },
                { runner: "amd64", setting: "build.memoryLimit", before: "4Gi", after: "6Gi" },
            ],
        );
        const patch = diff.runners.configToml.find((t) => t.runner === "amd64")!.patch;
        assert.match(patch, /^--- a\/amd64\/config\.toml\n\+\+\+ b\/amd64\/config\.toml\n@@ /);
        assert.match(patch, /^\+BucketName = "ci-cache-review"$/m);
        assert.match(patch, /^-privileged = false$/m);
        assert.match(patch, /^\+privileged = true$/m);
        assert.match(patch, /^\+memory_limit = "6Gi"$/m);
    });

    it("shows capacity and cost before → after", () => {
        const jobs = diff.capacity.find((c) => c.metric === "amd64: jobs at full scale")!;
        assert.ok(Number(jobs.after) > Number(jobs.before), JSON.stringify(jobs));
        assert.ok(diff.capacity.some((c) => c.metric === "every group at maxSize"));
    });

    it("renders a Markdown comment with well-formed tables, and JSON", () => {
        const md = renderDiff(diff, "markdown");
        assert.match(md, /^## Offline plan: what this change does to stack test$/m);
        assert.match(
            md,
            /^\*\*\d+ to replace, \d+ to remove, \d+ to add, \d+ to update; \d+ security-relevant changes, \d+ widening access\.\*\*$/m,
        );
        assert.match(md, /^\| ⚠️ widens \| access entry \| arn:aws:iam::999988887777:role\/Outsider \| /m);
        assert.match(md, /^```diff$/m);
        assert.ok(assertTablesWellFormed(md) >= 4);
        assert.deepEqual(JSON.parse(renderDiff(diff, "json")).security, JSON.parse(JSON.stringify(diff.security)));
    });

    it("an unchanged stack has nothing to review", () => {
        const same = buildDiff("test", { ref: "main", commit: "0", state: "evaluated", lockfileDiffers: false }, base, base);
        assert.deepEqual([same.resources, same.security, same.runners.settings, same.capacity], [[], [], [], []]);
        assert.match(renderDiff(same, "markdown"), /No resource changes\./);
    });

    it("end to end: --base <ref> checks the ref out beside this tree, evaluates both and removes the checkout", async function () {
        this.timeout(60_000);
        const leftovers = () => fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith("plan-base-")).length;
        const before = leftovers();
        const r = await runPlan(["test", "--base", "HEAD", "--format", "json"]);
        assert.equal(r.code, 0, r.stderr);
        const data = JSON.parse(r.stdout) as PlanDiff;
        assert.equal(data.base.state, "evaluated");
        assert.match(data.base.commit, /^[0-9a-f]{40}$/);
        assert.equal(leftovers(), before);
        const bad = await runPlan(["test", "--base", "no-such-ref-19"]);
        assert.equal(bad.code, 2);
        assert.match(bad.stderr, /^--base no-such-ref-19: not a commit of the repository/);
    });

    it("checks out a tree with this checkout's packages and says when its lockfile differs", () => {
        const checkout = checkoutBase(ROOT, "HEAD");
        try {
            assert.ok(fs.existsSync(path.join(checkout.root, "index.ts")));
            assert.equal(
                fs.realpathSync(path.join(checkout.root, "node_modules")),
                fs.realpathSync(path.join(ROOT, "node_modules")),
            );
        } finally {
            checkout.dispose();
        }
        assert.ok(!fs.existsSync(checkout.root));
    });
});

describe("plan diff: VM runners (prod's, edited on paper)", () => {
    let prod: Evaluation;
    before(async function () {
        this.timeout(60_000);
        prod = await evaluationOf("prod"); // shared with the other plan suites
    });
    const state = { ref: "main", commit: "0", state: "evaluated" as const, lockfileDiffers: false };

    it("a VM runner that appears shows its group, launch template, security group and role as added", () => {
        assert.ok(prod.plan.vmRunners.length > 0, "prod ships a VM runner");
        const vm = prod.resources.filter((r) => r.parent?.startsWith("gitlab-vm-") || r.name.startsWith("gitlab-vm-"));
        const base: Evaluation = {
            plan: { ...prod.plan, vmRunners: [] },
            resources: prod.resources.filter((r) => !vm.includes(r)),
        };
        const diff = buildDiff("prod", state, base, prod);
        const added = diff.resources.filter((r) => r.kind === "add").map((r) => r.type);
        // Its SSH rule is a network change to review, not a new way into the API endpoint.
        assert.ok(
            diff.security.some((s) => s.area === "network" && /^SecurityGroupIngressRule /.test(s.subject) && s.widens),
            JSON.stringify(diff.security, null, 1),
        );
        assert.ok(!diff.security.some((s) => s.area === "API endpoint"));
        for (const type of [
            "aws:autoscaling/group:Group",
            "aws:ec2/launchTemplate:LaunchTemplate",
            "aws:ec2/securityGroup:SecurityGroup",
            "aws:iam/role:Role",
        ])
            assert.ok(added.includes(type), `${type} in ${added.join(", ")}`);
    });

    it("flags a VM runner turning privileged and its VMs' instance metadata opened to IMDSv1", () => {
        const head: Evaluation = {
            ...prod,
            plan: {
                ...prod.plan,
                vmRunners: prod.plan.vmRunners.map((v) => ({
                    ...v,
                    privileged: true,
                    metadataOptions: { ...(v.metadataOptions as object), httpTokens: "optional" },
                })),
            },
        };
        const base: Evaluation = {
            ...prod,
            plan: { ...prod.plan, vmRunners: prod.plan.vmRunners.map((v) => ({ ...v, privileged: false })) },
        };
        const diff = buildDiff("prod", state, base, head);
        const security = diff.security;
        for (const v of prod.plan.vmRunners)
            assert.deepEqual(
                diff.runners.settings.filter((s) => s.runner === v.name),
                [{ runner: v.name, setting: "privileged", before: "false", after: "true" }],
            );
        for (const v of prod.plan.vmRunners) {
            const at = (area: string) => security.find((s) => s.area === area && s.subject === `vmRunners.${v.name}`);
            assert.deepEqual(at("privileged jobs"), {
                area: "privileged jobs",
                subject: `vmRunners.${v.name}`,
                change: "privileged: false → true",
                widens: true,
            });
            assert.ok(at("node metadata (IMDS)")?.widens, JSON.stringify(security, null, 1));
        }
        assert.ok(
            security.every((s) => s.widens),
            "nothing else changed",
        );
    });

    it("flags a Karpenter node class whose nodes' metadata hop limit rises (pods could reach the node's role)", () => {
        const pool = (hops: number) => ({
            name: "spot",
            requirements: [],
            cpuLimit: "160",
            labels: {},
            taints: [],
            disruption: "WhenEmpty after 10m",
            expireAfter: "720h",
            terminationGracePeriod: "3h",
            ami: "al2023@v20251112",
            metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: hops },
        });
        const withPool = (hops: number): Evaluation => ({ ...prod, plan: { ...prod.plan, nodePools: [pool(hops)] } });
        const security = buildDiff("prod", state, withPool(1), withPool(2)).security;
        assert.deepEqual(
            security.map((s) => [s.area, s.subject, s.widens]),
            [["node metadata (IMDS)", "nodePools.spot", true]],
        );
    });
});
