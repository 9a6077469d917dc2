import { z } from "zod";
import { addressCount, Cidr, cidrContains, cidrError, parseCidr } from "./cidr";
import { strictObject } from "./problems";

const id = (prefix: string, what: string) =>
    z.string().regex(new RegExp(`^${prefix}-([0-9a-f]{8}|[0-9a-f]{17})$`), {
        error: (iss) => `${JSON.stringify(iss.input)} is not ${what} ID (${prefix}- followed by 8 or 17 hex digits)`,
    });

const cidr = z.string().superRefine((s, ctx) => {
    const why = cidrError(s);
    if (why) ctx.addIssue({ code: "custom", message: why });
});

const AZ_PATTERN = /^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/;

const podSubnetSchema = strictObject({
    /** AZ of this subnet, e.g. eu-west-1a; one subnet per AZ. */
    availabilityZone: z
        .string()
        .regex(AZ_PATTERN, { error: (iss) => `${JSON.stringify(iss.input)} is not an availability zone name like eu-west-1a` }),
    /** A slice of `podSubnets.cidrBlock`. */
    cidrBlock: cidr,
    /** The existing private route table of this AZ (default route → the existing NAT gateway, whose EIP partners allow-list). */
    routeTableId: id("rtb", "a route table"),
});

/**
 * `network.podSubnets`: a secondary CIDR block added to the existing VPC and split into per-AZ subnets for job
 * nodes. The VPC CNI gives every pod a VPC address, so parallel jobs exhaust ordinary subnets long before CPU runs
 * out; 100.64.0.0/16 (carrier-grade NAT space) is the usual choice and still egresses through the existing NAT.
 */
const podSubnetsSchema = strictObject({
    /** Secondary VPC CIDR block, /16 to /28 (the sizes AWS accepts for an association). */
    cidrBlock: cidr.refine(
        (s) => {
            const c = parseCidr(s);
            return !c || (c.prefix >= 16 && c.prefix <= 28);
        },
        { error: (iss) => `${JSON.stringify(iss.input)} must be between /16 and /28 to be associated with a VPC` },
    ),
    subnets: z.array(podSubnetSchema).min(2, { error: "list at least 2 subnets in different availability zones" }),
}).superRefine((p, ctx) => {
    const block = parseCidr(p.cidrBlock);
    const parsed = p.subnets.map((s) => parseCidr(s.cidrBlock));
    p.subnets.forEach((s, i) => {
        const c = parsed[i];
        if (block && c && !cidrContains(block, c)) {
            ctx.addIssue({
                code: "custom",
                path: ["subnets", i, "cidrBlock"],
                message: `${s.cidrBlock} is not inside podSubnets.cidrBlock ${p.cidrBlock}`,
            });
        }
    });
    for (const [i, j] of overlappingPairs(parsed)) {
        ctx.addIssue({
            code: "custom",
            path: ["subnets", i, "cidrBlock"],
            message: `${p.subnets[i].cidrBlock} overlaps subnets[${j}] (${p.subnets[j].cidrBlock})`,
        });
    }
    for (const [i, j] of repeats(p.subnets.map((s) => s.availabilityZone))) {
        ctx.addIssue({
            code: "custom",
            path: ["subnets", i, "availabilityZone"],
            message: `${p.subnets[i].availabilityZone} is already used by subnets[${j}]; use one subnet per AZ`,
        });
    }
});

/** Each later occurrence of a value, with the index of its first occurrence (one pass). */
export function repeats(values: readonly string[]): [number, number][] {
    const first = new Map<string, number>();
    const out: [number, number][] = [];
    values.forEach((v, i) => {
        const j = first.get(v);
        if (j === undefined) first.set(v, i);
        else out.push([i, j]);
    });
    return out;
}

/**
 * Overlapping blocks as [later index, index of a block it overlaps], in O(n log n): sorted by start, each block is
 * compared only with the block reaching furthest so far, which it overlaps if it overlaps any earlier-starting one.
 * A layout with any overlap yields at least one pair, and no block is reported twice (N copies of one block: N − 1
 * problems, not N²/2). Unparsable blocks (undefined) are skipped: they have their own problem.
 */
export function overlappingPairs(blocks: readonly (Cidr | undefined)[]): [number, number][] {
    const end = (c: Cidr) => c.base + addressCount(c.prefix);
    const order = blocks
        .map((c, i) => ({ c, i }))
        .filter((x): x is { c: Cidr; i: number } => x.c !== undefined)
        .sort((a, b) => a.c.base - b.c.base || a.i - b.i);
    const reported = new Map<number, number>();
    let furthest: { c: Cidr; i: number } | undefined;
    for (const cur of order) {
        if (furthest && cur.c.base < end(furthest.c)) {
            const [later, earlier] = cur.i > furthest.i ? [cur.i, furthest.i] : [furthest.i, cur.i];
            if (!reported.has(later)) reported.set(later, earlier);
        }
        if (!furthest || end(cur.c) > end(furthest.c)) furthest = cur;
    }
    return [...reported].sort((a, b) => a[0] - b[0]);
}

/** `network`: the existing VPC this stack builds into (never created or deleted here). */
export const networkSchema = strictObject({
    vpcId: id("vpc", "a VPC"),
    /** Existing private subnets (≥ 2 AZs) routed through the existing NAT: control plane ENIs and management nodes. */
    subnetIds: z
        .array(id("subnet", "a subnet"))
        .min(2, { error: "list at least 2 private subnets in different AZs (EKS requires two AZs)" })
        .superRefine((ids, ctx) => {
            for (const [i] of repeats(ids)) ctx.addIssue({ code: "custom", path: [i], message: `${ids[i]} is listed twice` });
        }),
    podSubnets: podSubnetsSchema.optional(),
    /**
     * Free IPv4 addresses across `subnetIds` today, for the capacity check of groups placed there (not knowable
     * offline): `aws ec2 describe-subnets --subnet-ids … --query 'sum(Subnets[].AvailableIpAddressCount)'`.
     */
    freeIpAddresses: z.number().int().min(0).optional(),
    /**
     * The VPC's own CIDR blocks (primary and secondaries; `podSubnets.cidrBlock` is added by itself), for runners whose
     * jobs may reach the VPC (`runners.<name>.network.egress: [vpc]`):
     * `aws ec2 describe-vpcs --vpc-ids … --query 'Vpcs[0].CidrBlockAssociationSet[].CidrBlock'`.
     */
    vpcCidrs: z
        .array(cidr)
        .superRefine((cidrs, ctx) =>
            cidrs.forEach((c, i) => {
                if (cidrs.indexOf(c) !== i) ctx.addIssue({ code: "custom", path: [i], message: `${c} is listed twice` });
            }),
        )
        .optional(),
});

export type NetworkConfig = z.output<typeof networkSchema>;
export type PodSubnetsConfig = NonNullable<NetworkConfig["podSubnets"]>;

/** Every CIDR block of the VPC the config knows: `vpcCidrs` plus the pod-subnet block, or undefined when none is listed. */
export function knownVpcCidrs(network: Pick<NetworkConfig, "vpcCidrs" | "podSubnets">): string[] | undefined {
    if (!network.vpcCidrs) return undefined;
    const pod = network.podSubnets?.cidrBlock;
    return pod && !network.vpcCidrs.includes(pod) ? [...network.vpcCidrs, pod] : [...network.vpcCidrs];
}
