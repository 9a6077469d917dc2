import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

/** What the runner components take from the cluster component; each picks the handles it needs. */
export interface ClusterHandles {
    readonly clusterName: pulumi.Input<string>;
    readonly provider: k8s.Provider;
    /** Pod Identity associations only work once the agent runs on the nodes. */
    readonly podIdentityAgent: pulumi.Resource;
    /** The cluster's service CIDR (the `kubernetes` Service's address): network policies of runners that may reach the API. */
    readonly serviceCidr: pulumi.Input<string>;
    /** Every node's and pod's security group: the only source a VM runner's instances admit SSH from. */
    readonly clusterSecurityGroupId: pulumi.Input<string>;
}
