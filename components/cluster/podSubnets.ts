import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PodSubnetsConfig } from "../../config";

/**
 * The secondary CIDR block and its per-AZ subnets, routed through the existing route tables (and so the existing
 * NAT gateway and its allow-listed EIP). Child names use the AZ, a stable key: adding an AZ adds one subnet and
 * touches no other.
 */
export function createPodSubnets(
    name: string,
    args: {
        vpcId: string;
        podSubnets: PodSubnetsConfig;
        clusterName: string;
        tags: Record<string, string>;
        /** Tags only some stacks need (Karpenter's subnet discovery); absent, the subnets' tags are as they always were. */
        extraTags?: Record<string, string>;
    },
    opts: pulumi.CustomResourceOptions,
): pulumi.Output<string>[] {
    const association = new aws.ec2.VpcIpv4CidrBlockAssociation(
        `${name}-pod-cidr`,
        {
            vpcId: args.vpcId,
            cidrBlock: args.podSubnets.cidrBlock,
        },
        opts,
    );
    return args.podSubnets.subnets.map((s) => {
        const subnet = new aws.ec2.Subnet(
            `${name}-pods-${s.availabilityZone}`,
            {
                vpcId: association.vpcId, // waits for the association: the block must exist before a subnet uses it
                cidrBlock: s.cidrBlock,
                availabilityZone: s.availabilityZone,
                mapPublicIpOnLaunch: false,
                tags: {
                    ...args.tags,
                    Name: `${args.clusterName}-pods-${s.availabilityZone}`,
                    [`kubernetes.io/cluster/${args.clusterName}`]: "shared",
                    ...args.extraTags,
                },
            },
            opts,
        );
        new aws.ec2.RouteTableAssociation(
            `${name}-pods-${s.availabilityZone}`,
            {
                subnetId: subnet.id,
                routeTableId: s.routeTableId,
            },
            opts,
        );
        return subnet.id;
    });
}
