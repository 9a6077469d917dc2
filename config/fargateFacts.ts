// Facts about EKS Fargate pods that sizing, validation and cost read, each with its upstream source. Copied from the
// sources named here (read 2026-11-29); tests/fixtures/upstream/fargate-*.tsv hold the same facts for the tests.

/**
 * The vCPU / memory combinations a Fargate pod can get (EKS user guide, "Understand Fargate Pod configuration details",
 * https://docs.aws.amazon.com/eks/latest/userguide/fargate-pod-configuration.html, source
 * awsdocs/amazon-eks-user-guide latest/ug/nodes/fargate-pod-configuration.adoc): per vCPU value, memory from `minGiB`
 * to `maxGiB` in `stepGiB` steps. The guide writes "GB"; Fargate's sizes are binary (0.5 GB = 512 MiB, as in ECS task
 * sizes), so they are read as GiB here. 0.25 vCPU lists 0.5, 1 and 2 GB: two rows.
 */
export const FARGATE_POD_SIZES = [
    { vcpu: 0.25, minGiB: 0.5, maxGiB: 0.5, stepGiB: 1 },
    { vcpu: 0.25, minGiB: 1, maxGiB: 2, stepGiB: 1 },
    { vcpu: 0.5, minGiB: 1, maxGiB: 4, stepGiB: 1 },
    { vcpu: 1, minGiB: 2, maxGiB: 8, stepGiB: 1 },
    { vcpu: 2, minGiB: 4, maxGiB: 16, stepGiB: 1 },
    { vcpu: 4, minGiB: 8, maxGiB: 30, stepGiB: 1 },
    { vcpu: 8, minGiB: 16, maxGiB: 60, stepGiB: 4 },
    { vcpu: 16, minGiB: 32, maxGiB: 120, stepGiB: 8 },
] as const;

/** Memory Fargate adds to every pod's request for kubelet, kube-proxy and containerd (same page: "adds 256 MB"). */
export const FARGATE_KUBERNETES_MIB = 256;

/** The largest pod Fargate runs: 16 vCPU, 120 GB (the last row of the table). */
export const FARGATE_MAX = { vcpu: 16, memoryGiB: 120 } as const;

/**
 * Ephemeral storage (same page, "Fargate storage"; AWS Containers blog "AWS Fargate adds support for larger ephemeral
 * volumes", https://aws.amazon.com/blogs/containers/amazon-eks-fargate-adds-support-for-larger-ephemeral-volumes/):
 * every pod gets 20 GiB, included in the price; the containers' `ephemeral-storage` requests may raise it to at most
 * 175 GiB per pod; Fargate then provisions the sum of the requests + 10 % of it + 5 GiB and bills what exceeds 20 GiB.
 */
export const FARGATE_STORAGE = {
    includedGiB: 20,
    maxRequestGiB: 175,
    fileSystemShare: 0.1,
    systemGiB: 5,
} as const;

/** GiB Fargate provisions for a pod whose containers request `requestGiB` of ephemeral storage in total (blog formula). */
export function provisionedStorageGiB(requestGiB: number): number {
    return requestGiB + FARGATE_STORAGE.fileSystemShare * requestGiB + FARGATE_STORAGE.systemGiB;
}

/** Fargate on-demand Linux/x86 prices of one region (USD). */
export interface FargatePrices {
    readonly vcpuHour: number;
    readonly gbHour: number;
    /** Per GB-hour of ephemeral storage above the included 20 GiB; undefined where no upstream figure was found. */
    readonly storageGbHour?: number;
    /** Where the figures come from and when they were read. */
    readonly source: string;
}

/**
 * Dated Fargate prices for the regions of the shipped stacks. The official page (https://aws.amazon.com/fargate/pricing/)
 * renders its region table in the browser, so the figures come from AWS Price List API (`AmazonECS`) extracts: us-east-1
 * as transcribed with its usage types (`USE1-Fargate-vCPU-Hours:perCPU`, `USE1-Fargate-GB-Hours`,
 * `USE1-Fargate-EphemeralStorage-GB-Hours`) from the index.csv read 2026-08-17, and matching the pricing page's worked
 * example ($0.000011244 per vCPU-second × 3600 = 0.04048); eu-west-1 from catalog 20260911124425 (SKUs K4EXFQ5YFQCP98EN
 * and UP5ETC3QSW2QZGEY). eu-west-1's ephemeral-storage price was not found upstream: it is left out, and the plan says
 * so. Re-check before relying on a price.
 */
export const FARGATE_PRICES_AS_OF = "2026-09-11";
export const FARGATE_PRICES: Readonly<Record<string, FargatePrices>> = {
    "us-east-1": {
        vcpuHour: 0.04048,
        gbHour: 0.004445,
        storageGbHour: 0.000111,
        source: "AWS Price List API AmazonECS us-east-1 index.csv (read 2026-08-17)",
    },
    "eu-west-1": {
        vcpuHour: 0.04048,
        gbHour: 0.004445,
        source: "AWS Price List API AmazonECS eu-west-1 catalog 20260911124425 (ephemeral storage price not found)",
    },
};

/**
 * Billing (https://aws.amazon.com/fargate/pricing/): from the start of the image download until the pod terminates,
 * rounded up to the nearest second, with a minimum charge of one minute (the page's wording, as quoted in
 * https://devops.stackexchange.com/questions/4830; the live page was not readable here).
 */
export const FARGATE_MINIMUM_BILLED_SECONDS = 60;
