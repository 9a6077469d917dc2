// `runners.<name>.network`: where a runner's job pods may connect. Everything else is denied by the job namespace's
// default-deny NetworkPolicy (components/runners/networkPolicies.ts); DNS to CoreDNS is always allowed, the Pod
// Identity Agent when the runner has a jobIdentity, and the instance metadata service never.
import { z } from "zod";
import { INSTANCE_METADATA } from "../model/network";
import { cidrContains, cidrError, cidrsOverlap, parseCidr } from "./cidr";
import { joinPath, Problem, strictObject } from "./problems";

/** Named egress destinations: `internet` = every address outside private and link-local space; `vpc` = the VPC's CIDRs. */
export const EGRESS_TARGETS = ["internet", "vpc"] as const;
export type EgressTarget = (typeof EGRESS_TARGETS)[number];

export const NETWORK_DEFAULTS = {
    /** Jobs clone, download dependencies and talk to GitLab over the internet; nothing inside the VPC by default. */
    egress: ["internet"] as EgressTarget[],
    cidrs: [] as string[],
    /** Jobs get no Kubernetes API access (no route and no token) unless a runner asks. */
    allowClusterApi: false,
};

const cidr = z.string().superRefine((s, ctx) => {
    const why = cidrError(s);
    if (why) ctx.addIssue({ code: "custom", message: `${why} (IPv4 only: the cluster is IPv4)` });
});

/** The schema of `network` (a row of the runner option table). */
export const jobNetworkSchema = strictObject({
    /** Named destinations the job pods may reach. */
    egress: z
        .array(
            z.enum(EGRESS_TARGETS, {
                error: (iss) =>
                    `${JSON.stringify(iss.input)} is not an egress name (allowed: ${EGRESS_TARGETS.join(", ")}; other networks go in network.cidrs)`,
            }),
        )
        .default(NETWORK_DEFAULTS.egress),
    /** More IPv4 destinations (peered VPCs, on-premises ranges, a GitLab inside the network). */
    cidrs: z.array(cidr).default(NETWORK_DEFAULTS.cidrs),
    /** Whether job pods may reach the Kubernetes API (and get their service account's token to use it). */
    allowClusterApi: z.boolean().default(NETWORK_DEFAULTS.allowClusterApi),
}).default({ ...NETWORK_DEFAULTS });
export type JobNetworkInput = z.output<typeof jobNetworkSchema>;

/** A runner's resolved network: its input with the VPC's CIDRs filled in when it asked for `vpc`. */
export interface JobNetwork {
    readonly egress: readonly EgressTarget[];
    readonly cidrs: readonly string[];
    readonly allowClusterApi: boolean;
    /** The VPC's CIDR blocks when `egress` has `vpc`, else empty. */
    readonly vpcCidrs: readonly string[];
}

const IMDS = parseCidr(`${INSTANCE_METADATA.ipv4}/32`)!;
const LINK_LOCAL = parseCidr("169.254.0.0/16")!;

/** Resolves a runner's `network` against the VPC's known CIDRs; returns it and every problem found. */
export function resolveJobNetwork(
    input: JobNetworkInput,
    vpcCidrs: readonly string[] | undefined,
    runner: string,
): { network: JobNetwork; problems: Problem[] } {
    const problems: Problem[] = [];
    const at = (...rest: (string | number)[]) => joinPath("runners", runner, "network", ...rest);
    input.egress.forEach((e, i) => {
        if (input.egress.indexOf(e) !== i) problems.push({ path: at("egress", i), message: `"${e}" is listed twice` });
    });
    const wantsVpc = input.egress.includes("vpc");
    if (wantsVpc && !vpcCidrs) {
        problems.push({
            path: at("egress", input.egress.indexOf("vpc")),
            message:
                "vpc needs the VPC's CIDR blocks: list them in network.vpcCidrs (aws ec2 describe-vpcs --vpc-ids <vpcId> --query 'Vpcs[0].CidrBlockAssociationSet[].CidrBlock')",
        });
    }
    input.cidrs.forEach((c, i) => {
        const parsed = parseCidr(c);
        if (input.cidrs.indexOf(c) !== i) problems.push({ path: at("cidrs", i), message: `${c} is listed twice` });
        else if (parsed && cidrContains(parsed, IMDS)) {
            problems.push({
                path: at("cidrs", i),
                message: `${c} contains the instance metadata service (${INSTANCE_METADATA.ipv4}), which jobs never reach; for the internet use egress: [internet]`,
            });
        } else if (parsed && cidrsOverlap(parsed, LINK_LOCAL)) {
            problems.push({
                path: at("cidrs", i),
                message: `${c} is link-local space (169.254.0.0/16: node-local services such as instance metadata); jobs never reach it`,
            });
        }
    });
    return {
        network: {
            egress: input.egress,
            cidrs: input.cidrs,
            allowClusterApi: input.allowClusterApi,
            vpcCidrs: wantsVpc && vpcCidrs ? vpcCidrs : [],
        },
        problems,
    };
}
