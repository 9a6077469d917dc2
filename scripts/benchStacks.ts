/**
 * The synthetic stacks of `npm run bench`: the prod stack's cluster, network, cache and add-ons with many runners
 * spread over many job groups. Each must pass validation as it is (tests/bench.test.ts), so the bench measures
 * plans that a user could really run:
 * - the management group holds every runner manager (200m / 256Mi each) and the platform pods, also with one node
 *   gone: three m7i.4xlarge;
 * - every job group holds twice the `concurrent` of all its runners together at maxSize (the rollout peak of the
 *   capacity model): 10 nodes of 8 vCPU take 60 default-sized jobs, for at most three runners of 10;
 * - 40 groups replaced blue/green in a patch run are 80 managed node groups at once: the stack states a raised
 *   EKS quota (cluster.quotas.nodeGroupsPerCluster), as an account running it would have to.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

const NS = "eks-gitlab-runners";
const ROOT = path.resolve(__dirname, "..");

export interface BenchStackSize {
    readonly runners: number;
    /** Node groups in all, the management group included. */
    readonly groups: number;
}

/** The `config:` map of a generated stack file. */
export function benchStackConfig(size: BenchStackSize): Record<string, unknown> {
    const prod = parse(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")) as { config: Record<string, any> };
    const jobGroups = size.groups - 1;
    const nodeGroups: Record<string, unknown> = {
        management: { role: "management", instanceTypes: ["m7i.4xlarge"], minSize: 3, maxSize: 3 },
    };
    for (let g = 1; g <= jobGroups; g++) {
        nodeGroups[`jobs-${g}`] =
            g % 3 === 0
                ? { role: "jobs", capacityType: "SPOT", instanceTypes: ["m7g.2xlarge", "m6g.2xlarge"], minSize: 0, maxSize: 10 }
                : { role: "jobs", instanceTypes: ["m7i.2xlarge"], minSize: 0, maxSize: 10 };
    }
    const runners: Record<string, unknown> = {};
    for (let r = 1; r <= size.runners; r++)
        runners[`runner-${r}`] = { nodeGroup: `jobs-${((r - 1) % jobGroups) + 1}`, tags: [`bench-${r}`], concurrent: 10 };
    const cluster = { ...prod.config[`${NS}:cluster`], quotas: { nodeGroupsPerCluster: Math.max(30, 2 * size.groups) } };
    // prod's alarm settings name prod's runners, which this stack does not have: the defaults apply to every runner.
    const { runners: _prodRunners, ...alarms } = prod.config[`${NS}:observability`]?.alarms ?? {};
    const observability = { ...prod.config[`${NS}:observability`], alarms };
    return {
        ...prod.config,
        [`${NS}:cluster`]: cluster,
        [`${NS}:nodeGroups`]: nodeGroups,
        [`${NS}:runners`]: runners,
        [`${NS}:observability`]: observability,
    };
}

/** The stacks the bench plans: the 100 runners on 40 groups, and half of it to show how the cost grows. */
export const BENCH_STACKS = {
    large: { runners: 100, groups: 40 },
    half: { runners: 50, groups: 20 },
} as const satisfies Record<string, BenchStackSize>;
