import * as pulumi from "@pulumi/pulumi";
import { RunnerCluster } from "./components/cluster/runnerCluster";
import { loadStackConfig } from "./config";

/**
 * The whole fleet for one stack. Exported as a function: Pulumi calls it, and tests and the offline plan call it
 * under mocks, once per stack file. Configuration is validated before the first resource is declared.
 */
export = () => {
    const config = loadStackConfig();
    const tags = { ...config.cluster.tags, "eks-gitlab-runners/stack": pulumi.getStack(), "managed-by": "pulumi" };
    const management = config.nodeGroups.find((g) => g.role === "management")!;

    const cluster = new RunnerCluster("runners", { config, management, tags });

    return {
        clusterName: cluster.clusterName,
        kubernetesVersion: cluster.version,
        oidcProviderArn: cluster.oidcProviderArn,
        kubeconfig: pulumi.secret(cluster.eks.kubeconfigJson),
    };
};
