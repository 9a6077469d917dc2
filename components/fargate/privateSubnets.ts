// Fargate takes private subnets only: "Pods that run on Fargate are only supported on private subnets (with NAT gateway
// access to AWS services, but not a direct route to an Internet Gateway)" (EKS user guide, AWS Fargate considerations;
// the CreateFargateProfile API accepts no other). The stack file cannot say which subnets are public, so the deploy
// reads each subnet's route table (its explicit association, else the VPC's main table, as EC2 routes it) and refuses,
// naming the subnet, before EKS would fail the profile.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** What the check reads of a route: its destination and an Internet Gateway target, if any. */
export interface RouteView {
    readonly cidrBlock?: string;
    readonly ipv6CidrBlock?: string;
    readonly gatewayId?: string;
}

/** Subnets whose route table sends any destination straight to an Internet Gateway (`igw-…`), with that route. */
export function publicSubnetProblems(
    subnets: readonly { subnetId: string; routeTableId: string; routes: readonly RouteView[] }[],
): string[] {
    const out: string[] = [];
    for (const s of subnets) {
        const direct = s.routes.find((r) => typeof r.gatewayId === "string" && r.gatewayId.startsWith("igw-"));
        if (direct)
            out.push(
                `subnet ${s.subnetId} is public (route table ${s.routeTableId} sends ${direct.cidrBlock || direct.ipv6CidrBlock} to ${direct.gatewayId}): Fargate pods run in private subnets only; give the stack pod subnets (network.podSubnets) or private network.subnetIds`,
            );
    }
    return out;
}

/**
 * The subnets, once each is known to be private; the deploy (and preview) fails otherwise. `routeTableIds` are the
 * tables when the stack knows them (pod subnets: their configured private tables); else they are looked up.
 */
export function privateSubnetIds(
    subnetIds: pulumi.Input<pulumi.Input<string>[]>,
    vpcId: string,
    knownRouteTables: readonly string[] | undefined,
    parent: pulumi.Resource,
): pulumi.Output<string[]> {
    return pulumi.output(subnetIds).apply(async (ids) => {
        const tables = await Promise.all(
            ids.map(async (subnetId, i) => {
                const routeTableId = knownRouteTables?.[i] ?? (await routeTableOf(subnetId, vpcId, parent));
                const table = await aws.ec2.getRouteTable({ routeTableId }, { parent });
                return { subnetId, routeTableId, routes: table.routes ?? [] };
            }),
        );
        const problems = publicSubnetProblems(tables);
        if (problems.length > 0) throw new Error(problems.join("\n"));
        return ids;
    });
}

/** A subnet's route table: the one explicitly associated with it, else the VPC's main route table. */
async function routeTableOf(subnetId: string, vpcId: string, parent: pulumi.Resource): Promise<string> {
    const explicit = await aws.ec2.getRouteTables(
        { vpcId, filters: [{ name: "association.subnet-id", values: [subnetId] }] },
        { parent },
    );
    if (explicit.ids.length > 0) return explicit.ids[0];
    const main = await aws.ec2.getRouteTables({ vpcId, filters: [{ name: "association.main", values: ["true"] }] }, { parent });
    if (main.ids.length === 0)
        throw new Error(`subnet ${subnetId}: no route table found in ${vpcId} (neither associated nor main)`);
    return main.ids[0];
}
