// The pure rules behind the diff: IAM documents compared grant by grant, and which input changes replace a resource.
import { strict as assert } from "assert";
import { compareDocuments, describeStatement, policyStatements } from "../plan/iamDocuments";
import { changedPaths } from "../plan/resourceDiff";
import { IMMUTABLE_INPUTS, replacementReasons } from "../plan/replacement";

const doc = (...statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });

describe("IAM documents", () => {
    it("summarises statements with principals, actions, resources and conditions (single values or lists)", () => {
        const [s] = policyStatements(
            doc({
                Effect: "Allow",
                Principal: { Service: "pods.eks.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:RequestTag/x": ["a", "b"] } },
            }),
        );
        assert.equal(
            describeStatement(s),
            "Allow for Service:pods.eks.amazonaws.com sts:AssumeRole when StringEquals aws:RequestTag/x = a | b",
        );
        assert.equal(policyStatements("not json")[0].effect, "unreadable");
    });

    it("a new action, resource or principal, a dropped condition or a removed Deny widens; the rest narrows", () => {
        const base = policyStatements(
            doc(
                {
                    Effect: "Allow",
                    Action: ["s3:GetObject"],
                    Resource: "arn:aws:s3:::b/*",
                    Condition: { Bool: { "aws:SecureTransport": "true" } },
                },
                { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*" },
            ),
        );
        const wider = policyStatements(
            doc({ Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: ["arn:aws:s3:::b/*", "*"] }),
        );
        const change = compareDocuments(base, wider);
        assert.deepEqual([...change.widened].sort(), [
            "(the holder) → s3:GetObject on arn:aws:s3:::b/*: conditions Bool aws:SecureTransport = true → none",
            "allows (the holder) → s3:GetObject on *",
            "allows (the holder) → s3:PutObject on *",
            "allows (the holder) → s3:PutObject on arn:aws:s3:::b/*",
            "removed Deny for * s3:* on *",
        ]);
        assert.deepEqual(compareDocuments(wider, base).widened, []);
    });

    it("a condition that admits another value widens (a trust policy naming one more service account); an added one narrows", () => {
        const trust = (...accounts: string[]) =>
            policyStatements(
                doc({
                    Effect: "Allow",
                    Principal: { Service: "pods.eks.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: { StringEquals: { "aws:RequestTag/kubernetes-service-account": accounts } },
                }),
            );
        assert.deepEqual(compareDocuments(trust("runner-a"), trust("runner-a", "runner-b")).widened, [
            "Service:pods.eks.amazonaws.com → sts:AssumeRole on (any): conditions StringEquals aws:RequestTag/kubernetes-service-account = runner-a → StringEquals aws:RequestTag/kubernetes-service-account = runner-a | runner-b",
        ]);
        const tagged = policyStatements(
            doc({
                Effect: "Allow",
                Principal: { Service: "pods.eks.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: {
                    StringEquals: { "aws:RequestTag/kubernetes-service-account": ["runner-a"] },
                    Bool: { "aws:SecureTransport": "true" },
                },
            }),
        );
        const change = compareDocuments(trust("runner-a"), tagged);
        assert.deepEqual([change.widened.length, change.narrowed.length], [0, 1]);
    });
});

// The rules below are the providers' own: hashicorp/terraform-provider-aws (which @pulumi/aws bridges) marks inputs
// ForceNew / RequiresReplace in each resource's schema — internal/service/eks/node_group.go (commit 012e0a3:
// instance_types, disk_size, subnet_ids, …; labels, scaling_config, release_version and version update in place),
// internal/service/autoscaling/group_tag.go (commit 050ac11: autoscaling_group_name and tag.key, not tag.value),
// internal/service/s3/bucket.go (commit 4c72bcc: bucket, bucket_prefix), internal/service/eks/addon.go (commit
// 00a3530: addon_name, cluster_name; addon_version updates in place); pulumi/pulumi-kubernetes
// provider/pkg/provider/diff.go (commit cafe8c4) lists .metadata.name/.namespace for every kind, .roleRef of a
// RoleBinding, .spec.scopes of a ResourceQuota, and .type/.stringData/.data of a Secret unless the provider enables
// enableSecretMutable (this program's provider does not).
describe("replacement rules", () => {
    it("an immutable input of the provider replaces, another input updates in place", () => {
        assert.deepEqual(replacementReasons("aws:eks/nodeGroup:NodeGroup", ["labels.team"], [], {}, {}), []);
        assert.match(
            replacementReasons("aws:eks/nodeGroup:NodeGroup", ["instanceTypes"], [], {}, {})[0],
            /^instanceTypes \(immutable: hashicorp\/terraform-provider-aws internal\/service\/eks\/node_group\.go/,
        );
        assert.deepEqual(
            replacementReasons("aws:autoscaling/tag:Tag", ["tag.value"], [], {}, {}),
            [],
            "an ASG tag's value updates in place",
        );
        assert.equal(replacementReasons("kubernetes:core/v1:Secret", ["stringData"], [], {}, {}).length, 1);
        assert.deepEqual(replacementReasons("kubernetes:core/v1:Secret", ["metadata.labels.team"], [], {}, {}), []);
        assert.equal(replacementReasons("aws:s3/bucket:Bucket", ["bucket"], [], {}, {}).length, 1);
        assert.deepEqual(replacementReasons("aws:s3/bucket:Bucket", ["tags.team"], [], {}, {}), []);
        // internal/service/eks/fargate_profile.go (commit 1455913): every input ForceNew but tags.
        assert.equal(replacementReasons("aws:eks/fargateProfile:FargateProfile", ["selectors"], [], {}, {}).length, 1);
        assert.deepEqual(replacementReasons("aws:eks/fargateProfile:FargateProfile", ["tags.team"], [], {}, {}), []);
        assert.equal(replacementReasons("aws:eks/addon:Addon", ["addonName"], [], {}, {}).length, 1);
        assert.deepEqual(replacementReasons("aws:eks/addon:Addon", ["addonVersion"], [], {}, {}), []);
        assert.deepEqual(
            replacementReasons("kubernetes:networking.k8s.io/v1:NetworkPolicy", ["spec.egress"], [], {}, {}),
            [],
            "a NetworkPolicy's rules update in place (no kind entry in diff.go)",
        );
        assert.equal(replacementReasons("kubernetes:core/v1:ResourceQuota", ["spec.scopes"], [], {}, {}).length, 1);
        assert.deepEqual(replacementReasons("kubernetes:core/v1:ResourceQuota", ["spec.hard.pods"], [], {}, {}), []);
        assert.equal(
            replacementReasons("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", ["roleRef.name"], [], {}, {}).length,
            1,
            "a path inside an immutable input replaces too",
        );
    });

    it("the program's replaceOnChanges and its dynamic providers' own diffs decide for their resources", () => {
        assert.deepEqual(
            replacementReasons("aws:eks/nodeGroup:NodeGroup", ["releaseVersion"], ["releaseVersion", "version"], {}, {}),
            ["releaseVersion (replaceOnChanges of the program)"],
        );
        const olds = { region: "eu-west-1", clusterName: "c", nodeGroupName: "a", minSize: 0, maxSize: 1 };
        assert.deepEqual(
            replacementReasons("pulumi-nodejs:dynamic/eks-gitlab-runners:NodeGroupScaling", ["maxSize"], [], olds, {
                ...olds,
                maxSize: 2,
            }),
            [],
        );
        assert.equal(
            replacementReasons("pulumi-nodejs:dynamic/eks-gitlab-runners:NodeGroupScaling", ["nodeGroupName"], [], olds, {
                ...olds,
                nodeGroupName: "b",
            }).length,
            1,
        );
        // A registered runner: a new group (or owner, or GitLab) is another runner; its settings update in place
        // (components/runners/registration/lifecycle.ts runnerDiff, asked through the plan's adapter).
        const REGISTRATION = "pulumi-nodejs:dynamic/eks-gitlab-runners:RunnerRegistration";
        const runner = { gitlabUrl: "https://gitlab.example.com", runnerType: "group_type", groupId: 1, tagList: ["a"] };
        assert.deepEqual(replacementReasons(REGISTRATION, ["groupId"], [], runner, { ...runner, groupId: 2 }), [
            "groupId (the provider's own diff, RunnerRegistration)",
        ]);
        assert.deepEqual(replacementReasons(REGISTRATION, ["tagList"], [], runner, { ...runner, tagList: ["b"] }), []);
        const adopted = { ...runner, adoptRunnerId: 9170 };
        assert.deepEqual(replacementReasons(REGISTRATION, [], [], adopted, adopted), [], "an adoption already made");
        assert.equal(replacementReasons(REGISTRATION, ["adoptRunnerId"], [], runner, adopted).length, 1, "a new adoption");
        for (const [type, entry] of Object.entries(IMMUTABLE_INPUTS))
            assert.ok(entry.source.length > 20 && entry.paths.length > 0, type);
    });

    it("compares inputs path by path, lists and secrets whole", () => {
        assert.deepEqual(changedPaths({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { b: 2, c: [1, 2] }, e: 1 }), ["a.b", "d", "e"]);
        const secret = (v: string) => ({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: v });
        assert.deepEqual(changedPaths({ s: secret("a") }, { s: secret("b") }), ["s"]);
    });
});
