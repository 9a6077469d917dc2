import { strict as assert } from "assert";
import { parseStackConfig } from "../config";
import { NODE_GROUP_TYPES, nodeGroupSpec } from "../components/nodegroups/spec";
import { CA_ENABLED_TAG, caClusterTag, JOBS_DISCOVERY_TAG, NODE_TEMPLATE_PREFIX } from "../model/autoscalerTags";
import { validDocument } from "./support/fixtures";

// The pure specification of each node-group kind: everything that differs between them, without mocks.
describe("nodeGroupSpec", () => {
    const config = parseStackConfig(validDocument(), "eu-west-1");
    const ctx = { clusterName: "ci-fixture", kubernetesVersion: "1.34", tags: { team: "platform" }, drainBoundSeconds: 3900 };
    const values = (tags: Record<string, { value: string }>) =>
        Object.fromEntries(Object.entries(tags).map(([k, t]) => [k, t.value]));
    const [amd64, arm64] = config.nodeGroups.jobs;
    const management = nodeGroupSpec(config.nodeGroups.management, ctx);

    it("management: its own type token, no ASG tag the autoscaler could discover, AZRebalance left alone", () => {
        assert.equal(management.kind, "management");
        assert.equal(management.type, NODE_GROUP_TYPES.management);
        assert.deepEqual(management.aliasTypes, []);
        assert.deepEqual(management.asgTags, {});
        assert.equal(management.suspendAzRebalance, false);
        assert.deepEqual(management.nodeGroup.taints, [
            { key: "eks-gitlab-runners/role", value: "management", effect: "NO_SCHEDULE" },
        ]);
    });

    it("jobs that scale to zero: discovery tags plus a node-template tag for every label and taint, aliased to the other job kind", () => {
        const spec = nodeGroupSpec(amd64, ctx);
        assert.equal(spec.kind, "scaleToZero");
        assert.deepEqual(spec.aliasTypes, [NODE_GROUP_TYPES.jobs]);
        assert.equal(spec.suspendAzRebalance, true);
        const tags = values(spec.asgTags);
        assert.equal(tags[CA_ENABLED_TAG], "true");
        assert.equal(tags[caClusterTag("ci-fixture")], "owned");
        assert.equal(tags[JOBS_DISCOVERY_TAG], "ci-fixture");
        const templates = Object.keys(spec.asgTags).filter((k) => k.startsWith(NODE_TEMPLATE_PREFIX));
        assert.equal(templates.length, Object.keys(amd64.labels).length + amd64.taints.length);
        assert.equal(tags[`${NODE_TEMPLATE_PREFIX}/taint/eks-gitlab-runners/role`], "jobs:NoSchedule");
        assert.equal(tags[`${NODE_TEMPLATE_PREFIX}/label/eks-gitlab-runners/nodegroup`], "amd64");
    });

    it("jobs with nodes at all times: discovery tags only, aliased to the scale-to-zero kind", () => {
        const spec = nodeGroupSpec({ ...arm64, minSize: 1, scalesToZero: false }, ctx);
        assert.equal(spec.kind, "jobs");
        assert.deepEqual(spec.aliasTypes, [NODE_GROUP_TYPES.scaleToZero]);
        assert.deepEqual(
            Object.keys(spec.asgTags).sort(),
            [CA_ENABLED_TAG, JOBS_DISCOVERY_TAG, caClusterTag("ci-fixture")].sort(),
        );
    });

    it("EKS's own two autoscaler tags are retained when their tag resource goes; the program's own tags are not", () => {
        const spec = nodeGroupSpec(amd64, ctx);
        assert.equal(spec.asgTags[CA_ENABLED_TAG].retainOnDelete, true);
        assert.equal(spec.asgTags[caClusterTag("ci-fixture")].retainOnDelete, true);
        assert.equal(spec.asgTags[JOBS_DISCOVERY_TAG].retainOnDelete, false, "the old group's drain depends on removing it");
        for (const [key, tag] of Object.entries(spec.asgTags))
            if (key.startsWith(NODE_TEMPLATE_PREFIX)) assert.equal(tag.retainOnDelete, false, key);
    });

    it("every kind: a node roll replaces the group (create first), the scaling config is left to NodeGroupScaling", () => {
        for (const group of [config.nodeGroups.management, amd64, arm64]) {
            const spec = nodeGroupSpec(group, ctx);
            assert.deepEqual(spec.options.replaceOnChanges, ["releaseVersion", "version", "launchTemplate.version"]);
            assert.deepEqual(spec.options.ignoreChanges, ["scalingConfig"]);
            assert.equal(spec.options.deleteBeforeReplace, false);
            assert.deepEqual(spec.options.customTimeouts, { create: "60m", update: "60m", delete: "60m" });
            assert.deepEqual(spec.scaling, { minSize: group.minSize, maxSize: group.maxSize });
        }
    });

    it("the AMI release is read from the public SSM parameter unless pinned", () => {
        assert.deepEqual(nodeGroupSpec(arm64, ctx).release, {
            ssmParameter: "/aws/service/eks/optimized-ami/1.34/amazon-linux-2023/arm64/standard/recommended/release_version",
        });
        assert.deepEqual(nodeGroupSpec({ ...arm64, releaseVersion: "1.34.2-20251112" }, ctx).release, {
            pinned: "1.34.2-20251112",
        });
    });

    it("carries the stack tags and the group's own name tag; the launch template requires IMDSv2 with hop limit 1", () => {
        const spec = nodeGroupSpec(amd64, ctx);
        assert.deepEqual(spec.nodeGroup.tags, {
            team: "platform",
            "eks-gitlab-runners/nodegroup": "amd64",
            "eks-gitlab-runners/drain-bound-seconds": "3900",
        });
        assert.equal(spec.launchTemplate.metadataOptions.httpTokens, "required");
        assert.equal(spec.launchTemplate.metadataOptions.httpPutResponseHopLimit, 1);
    });
});
