// The subnet pools at full scale (pure): addresses every node group, node pool and VM runner takes from the cluster
// subnets (`network.subnetIds`) and the pod subnets (`network.podSubnets`), against what is free, with both node
// generations of a patch run (config/patching.ts).
import type { Finding } from "./problems";
import { NODE_GENERATIONS } from "./patching";

/** Below this share of free addresses left at full scale, the plan warns. */
export const MIN_IP_HEADROOM = 0.2;

export interface SubnetPool {
    readonly name: "cluster" | "pod";
    /** Free addresses, or undefined when not known offline (existing subnets without `network.freeIpAddresses`). */
    readonly freeIps?: number;
    readonly ipsAtFullScale: number;
}

/** What takes addresses at full scale, by subnet pool. */
export interface SubnetDemand {
    readonly podSubnetFreeIps?: number;
    readonly clusterSubnetFreeIps?: number;
    readonly groups: readonly { readonly subnets: "cluster" | "pod"; readonly ipsAtFullScale: number }[];
    readonly nodePools: readonly { readonly subnets: "cluster" | "pod"; readonly ipsAtLimit: number }[];
    /** VM runners' addresses at full scale (always in the cluster subnets). */
    readonly vmIps: number;
}

/** The pools that take or have addresses, and what is wrong with them. */
export function planSubnetPools(d: SubnetDemand): { pools: SubnetPool[]; findings: Finding[] } {
    const findings: Finding[] = [];
    const pools: SubnetPool[] = (["cluster", "pod"] as const)
        .map((name) => ({
            name,
            freeIps: name === "pod" ? d.podSubnetFreeIps : d.clusterSubnetFreeIps,
            ipsAtFullScale:
                d.groups.filter((g) => g.subnets === name).reduce((s, g) => s + g.ipsAtFullScale, 0) +
                d.nodePools.filter((p) => p.subnets === name).reduce((s, p) => s + p.ipsAtLimit, 0) +
                (name === "cluster" ? d.vmIps : 0),
        }))
        .filter((p) => p.ipsAtFullScale > 0 || p.freeIps !== undefined);
    for (const p of pools) {
        const where = p.name === "pod" ? "network.podSubnets" : "network.subnetIds";
        if (p.freeIps === undefined) {
            findings.push({
                severity: "warning",
                subject: where,
                message: `${p.ipsAtFullScale} addresses needed at full scale; free addresses unknown, since validation does not call AWS (set network.freeIpAddresses to check)`,
            });
        } else if (p.ipsAtFullScale > p.freeIps) {
            findings.push({
                severity: "error",
                subject: where,
                message: `${p.ipsAtFullScale} addresses needed at full scale but only ${p.freeIps} are free: nodes would start without pod IPs. Add pod subnets or lower ${d.nodePools.some((x) => x.subnets === p.name) ? "maxSize or cpuLimit" : "maxSize"}`,
            });
        } else if (p.freeIps - p.ipsAtFullScale < MIN_IP_HEADROOM * p.freeIps) {
            findings.push({
                severity: "warning",
                subject: where,
                message: `${p.ipsAtFullScale} of ${p.freeIps} free addresses used at full scale: less than ${MIN_IP_HEADROOM * 100}% headroom`,
            });
        } else if (NODE_GENERATIONS * p.ipsAtFullScale > p.freeIps) {
            findings.push({
                severity: "warning",
                subject: where,
                message: `during a patch run both generations of a node group exist (the old one drains while the new one takes jobs)${d.nodePools.some((x) => x.subnets === p.name) ? "; a node pool's drifted nodes leave its cpuLimit while they drain, so it may fill the limit again beside them" : ""}: at full scale ${NODE_GENERATIONS * p.ipsAtFullScale} addresses, more than the ${p.freeIps} free; patch when the fleet is not at full scale`,
            });
        }
    }

    return { pools, findings };
}
