import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { blueGreenOptions, NODE_ROLLING_INPUTS, SCALING_INPUTS } from "../components/nodegroups/lifecycle/blueGreen";
import { scalingProvider } from "../components/nodegroups/lifecycle/nodeGroupScaling";

describe("blue/green node groups: the NodeGroup's resource options", () => {
    // A stand-in: constructing a real pulumi.ResourceHook registers it with the engine, which mocks cannot answer.
    const hook = { name: "eks-gitlab-runners-drain-node-group" } as unknown as pulumi.ResourceHook;

    it("every input that rolls nodes replaces the group (the provider would update it in place)", () => {
        // release_version, version and launch_template.version are not ForceNew in the AWS provider
        // (hashicorp/terraform-provider-aws internal/service/eks/node_group.go) → UpdateNodegroupVersion without this.
        assert.deepEqual(NODE_ROLLING_INPUTS, ["releaseVersion", "version", "launchTemplate.version"]);
    });

    it("create-before-delete, sizes owned by NodeGroupScaling, and the drain hook before the old group goes", () => {
        assert.deepEqual(blueGreenOptions(hook), {
            replaceOnChanges: NODE_ROLLING_INPUTS,
            ignoreChanges: SCALING_INPUTS,
            deleteBeforeReplace: false,
            hooks: { beforeDelete: [hook] },
        });
        assert.deepEqual(SCALING_INPUTS, ["scalingConfig"], "the whole scalingConfig, not just desiredSize (#748)");
    });
});

describe("NodeGroupScaling: the dynamic provider", () => {
    it("serializes for the dynamic-provider process, loading the EKS SDK only there", async function () {
        this.timeout(20000);
        const { text } = await pulumi.runtime.serializeFunction(() => scalingProvider, { allowSecrets: false });
        assert.match(text, /require\("@aws-sdk\/client-eks"\)/);
        assert.match(text, /UpdateNodegroupConfigCommand/);
        assert.ok(text.length < 20_000, `a small closure (${text.length} chars)`);
    });
});
