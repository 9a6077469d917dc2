import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../config";
import { accessEntries } from "./accessEntries";
import { createPodSubnets } from "./podSubnets";

export interface RunnerClusterArgs {
    config: Pick<StackConfig, "cluster" | "network">;
    /** Tags for every AWS resource of the stack. */
    tags: Record<string, string>;
    /** Extra tags on the pod subnets (Karpenter's discovery tag, when its nodes live there). */
    podSubnetTags?: Record<string, string>;
}

/**
 * The add-ons every node needs, installed with the cluster; their versions are resolved at deploy time for the
 * cluster version (patching). CoreDNS follows once there are management nodes (config/addons/coreDns.ts).
 */
export const CORE_ADDONS = ["vpc-cni", "kube-proxy", "eks-pod-identity-agent"] as const;

/**
 * The EKS control plane in the existing VPC: API authentication with access entries, STANDARD support, the core
 * add-ons, an OIDC provider, control-plane logs and, optionally, the pod subnets. No node group of its own:
 * node groups are separate components so each can change without touching the cluster.
 */
export class RunnerCluster extends pulumi.ComponentResource {
    public readonly eks: eks.Cluster;
    public readonly clusterName: pulumi.Output<string>;
    public readonly version: string;
    /** Kubernetes provider for everything deployed into the cluster. */
    public readonly provider: k8s.Provider;
    /** The EKS-created cluster security group; managed nodes without their own groups get it. */
    public readonly clusterSecurityGroupId: pulumi.Output<string>;
    public readonly oidcProviderArn: pulumi.Output<string>;
    public readonly oidcIssuer: pulumi.Output<string>;
    /** Subnets for nodes: `cluster` = network.subnetIds, `pod` = the pod subnets (when configured). */
    public readonly subnetIds: { cluster: pulumi.Input<string>[]; pod?: pulumi.Output<string>[] };
    /** The cluster's IPv4 service CIDR (chosen by EKS unless set at creation; the `kubernetes` Service takes its first address). */
    public readonly serviceCidr: pulumi.Output<string>;
    /** Created only after the pod identity agent runs, so associations made against it work. */
    public readonly podIdentityAgent: aws.eks.Addon;

    constructor(name: string, args: RunnerClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-gitlab-runners:index:RunnerCluster", name, {}, opts);
        const { cluster, network } = args.config;
        const protect = cluster.protect;
        this.version = cluster.version;

        const podSubnetIds = network.podSubnets
            ? createPodSubnets(
                  name,
                  {
                      vpcId: network.vpcId,
                      podSubnets: network.podSubnets,
                      clusterName: cluster.name,
                      tags: args.tags,
                      extraTags: args.podSubnetTags,
                  },
                  { parent: this, protect },
              )
            : undefined;
        this.subnetIds = { cluster: [...network.subnetIds], pod: podSubnetIds };

        const addonVersion = (addonName: string) =>
            aws.eks.getAddonVersionOutput({ addonName, kubernetesVersion: cluster.version, mostRecent: true }, { parent: this })
                .version;

        this.eks = new eks.Cluster(
            `${name}-eks`,
            {
                name: cluster.name,
                version: cluster.version,
                vpcId: network.vpcId,
                subnetIds: [...network.subnetIds],
                skipDefaultNodeGroup: true,
                // Managed node groups get the EKS-created cluster security group; the component's extra groups would go unused.
                skipDefaultSecurityGroups: true,
                authenticationMode: eks.AuthenticationMode.Api,
                accessEntries: accessEntries(cluster),
                upgradePolicy: { supportType: "STANDARD" }, // the API default, EXTENDED, costs 6× per hour once a minor ages out
                createOidcProvider: true,
                enabledClusterLogTypes: [...cluster.logTypes],
                endpointPrivateAccess: cluster.endpoint.privateAccess,
                endpointPublicAccess: cluster.endpoint.publicAccess,
                publicAccessCidrs: cluster.endpoint.publicAccess ? [...cluster.endpoint.publicAccessCidrs] : undefined,
                deletionProtection: protect,
                vpcCniOptions: {
                    addonVersion: addonVersion("vpc-cni"),
                    // Enforce Kubernetes NetworkPolicies (the job and manager namespaces' default-deny policies). The
                    // add-on's configuration value is the string "true" (aws/amazon-vpc-cni-k8s v1.23.0
                    // charts/aws-vpc-cni/values.yaml `enableNetworkPolicy: "false"`, which becomes the agent's
                    // --enable-network-policy flag and the amazon-vpc-cni ConfigMap's enable-network-policy-controller;
                    // EKS user guide, "Restrict Pod network traffic with Kubernetes network policies"). @pulumi/eks
                    // v4.3.0 writes exactly that into the vpc-cni aws.eks.Addon's configurationValues
                    // (nodejs/eks/addons/cni-addon.ts, mergeConfigurationValues: stringifyBool), and the AWS provider
                    // changes configuration values in place with UpdateAddon (hashicorp/terraform-provider-aws
                    // internal/service/eks/addon.go: configuration_values is not ForceNew): turning it on replaces
                    // neither the add-on nor the cluster.
                    enableNetworkPolicy: true,
                },
                // CoreDNS needs a node to run on: the CoreDns component installs it once the management group exists.
                corednsAddonOptions: { enabled: false },
                kubeProxyAddonOptions: { version: addonVersion("kube-proxy"), resolveConflictsOnUpdate: "OVERWRITE" },
                tags: args.tags,
            },
            { parent: this, protect },
        );

        this.clusterName = this.eks.eksCluster.name;
        this.clusterSecurityGroupId = this.eks.eksCluster.vpcConfig.clusterSecurityGroupId;
        this.oidcProviderArn = this.eks.oidcProviderArn;
        this.oidcIssuer = this.eks.oidcIssuer;
        this.serviceCidr = this.eks.eksCluster.kubernetesNetworkConfig.serviceIpv4Cidr;

        // A private-only endpoint is reachable only through the cluster security group, which admits only its own
        // members: let the configured sources (the deploy runner) in on 443, one rule each, named by the source.
        const endpoint = cluster.endpoint;
        const apiIngress = [...endpoint.privateAccessCidrs, ...endpoint.privateAccessSecurityGroupIds].map((source) => {
            const isGroup = source.startsWith("sg-");
            return new aws.vpc.SecurityGroupIngressRule(
                `${name}-api-from-${source.replace(/[./]/g, "-")}`,
                {
                    securityGroupId: this.clusterSecurityGroupId,
                    description: `Kubernetes API (private endpoint) from ${source}`,
                    ipProtocol: "tcp",
                    fromPort: 443,
                    toPort: 443,
                    ...(isGroup ? { referencedSecurityGroupId: source } : { cidrIpv4: source }),
                    tags: args.tags,
                },
                { parent: this },
            );
        });

        this.podIdentityAgent = new aws.eks.Addon(
            `${name}-pod-identity-agent`,
            {
                clusterName: this.clusterName,
                addonName: "eks-pod-identity-agent",
                addonVersion: addonVersion("eks-pod-identity-agent"),
                resolveConflictsOnUpdate: "OVERWRITE",
                tags: args.tags,
            },
            { parent: this },
        );

        this.provider = new k8s.Provider(
            `${name}-k8s`,
            {
                kubeconfig: this.eks.kubeconfigJson,
                enableServerSideApply: true,
            },
            // Everything deployed into the cluster goes through this provider: with a private-only endpoint, the
            // deploy runner reaches the API only once its ingress rule exists (a first deploy must not race it).
            { parent: this, dependsOn: apiIngress },
        );

        this.registerOutputs({
            clusterName: this.clusterName,
            clusterSecurityGroupId: this.clusterSecurityGroupId,
            oidcProviderArn: this.oidcProviderArn,
            podSubnetIds: podSubnetIds,
        });
    }
}
