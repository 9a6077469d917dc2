/**
 * NodeGroupScaling: owns a managed node group's min/max size after creation, so that every valid size edit in the
 * stack file applies.
 *
 * Why: a node group's desired size belongs to Cluster Autoscaler, so Pulumi must not send it back; but with only
 * `desiredSize` ignored, Pulumi sends min/max together with the *recorded* desired size, and EKS rejects any edit
 * that moves the range past it — `InvalidParameterException: Minimum capacity 4 can't be greater than desired size 3`
 * (terraform-aws-modules/terraform-aws-eks#748, #944, #2508, #3683). The aws.eks.NodeGroup therefore ignores
 * `scalingConfig` entirely after creation (blueGreen.ts), and this resource reads the live sizes and sends what EKS
 * accepts ({@link scalingUpdate}).
 *
 * EKS API reference: UpdateNodegroupConfig (https://docs.aws.amazon.com/eks/latest/APIReference/API_UpdateNodegroupConfig.html)
 * returns an update id to follow with DescribeUpdate; NodegroupScalingConfig
 * (https://docs.aws.amazon.com/eks/latest/APIReference/API_NodegroupScalingConfig.html): on update "you can specify
 * any or none of the properties"; Cluster Autoscaler never takes a group below minSize or above maxSize. The SDK
 * model (@aws-sdk/client-eks 3.1169.0, UpdateNodegroupConfigCommand) lists ResourceInUseException among its errors:
 * another update of the group is in progress; it is retried with backoff.
 *
 * The deploy role needs eks:DescribeNodegroup, eks:UpdateNodegroupConfig and eks:DescribeUpdate on the node group.
 */
import type {
    DescribeNodegroupCommandOutput,
    DescribeUpdateCommandOutput,
    UpdateNodegroupConfigCommandOutput,
} from "@aws-sdk/client-eks";
import * as pulumi from "@pulumi/pulumi";

export interface ScalingInputs {
    region: string;
    clusterName: string;
    nodeGroupName: string;
    minSize: number;
    maxSize: number;
}

export interface LiveScaling {
    minSize: number;
    maxSize: number;
    desiredSize: number;
}

/** The NodegroupScalingConfig to send (UpdateNodegroupConfig `scalingConfig`). */
export interface ScalingConfig {
    minSize: number;
    maxSize: number;
    desiredSize?: number;
}

/**
 * What to send to move a group from its live sizes to the wanted range (pure): nothing when min and max are already
 * right; otherwise the new min/max, plus `desiredSize` only when the live desired size falls outside the new range
 * (clamped into it). Leaving desiredSize out otherwise keeps this from racing Cluster Autoscaler, which may change it
 * between our read and our write.
 */
export function scalingUpdate(live: LiveScaling, wanted: Pick<ScalingInputs, "minSize" | "maxSize">): ScalingConfig | undefined {
    const problems = [
        Number.isInteger(wanted.minSize) && wanted.minSize >= 0
            ? ""
            : `minSize must be a whole number ≥ 0, got ${wanted.minSize}`,
        Number.isInteger(wanted.maxSize) && wanted.maxSize >= 1
            ? ""
            : `maxSize must be a whole number ≥ 1, got ${wanted.maxSize}`,
        wanted.minSize <= wanted.maxSize ? "" : `minSize ${wanted.minSize} is greater than maxSize ${wanted.maxSize}`,
    ].filter((p) => p !== "");
    if (problems.length > 0) throw new Error(`NodeGroupScaling: ${problems.join("; ")}`);
    if (live.minSize === wanted.minSize && live.maxSize === wanted.maxSize) return undefined;
    const desired = Math.min(wanted.maxSize, Math.max(wanted.minSize, live.desiredSize));
    return desired === live.desiredSize
        ? { minSize: wanted.minSize, maxSize: wanted.maxSize }
        : { minSize: wanted.minSize, maxSize: wanted.maxSize, desiredSize: desired };
}

/** The EKS calls used (an SDK v3 EKS client; a fake in tests). Errors keep the SDK's `name`. */
export interface EksScalingApi {
    describeScaling(clusterName: string, nodeGroupName: string): Promise<LiveScaling>;
    /** Returns the update id. */
    updateScaling(clusterName: string, nodeGroupName: string, scaling: ScalingConfig): Promise<string>;
    describeUpdate(
        clusterName: string,
        nodeGroupName: string,
        updateId: string,
    ): Promise<{ status: string; errors: { code?: string; message?: string }[] }>;
}

export interface ScalingClock {
    sleep(ms: number): Promise<void>;
}

export const SCALING_TIMING = {
    /** Retries of ResourceInUseException: 15 s, 30 s, 60 s, … capped at 120 s, for at most this many attempts (~1 h). */
    inUseAttempts: 35,
    inUseBaseSeconds: 15,
    inUseMaxSeconds: 120,
    /** DescribeUpdate polling, for at most this many polls (~30 min). */
    pollSeconds: 10,
    pollAttempts: 180,
};

/**
 * Reads the live sizes, sends the update EKS accepts and waits for it to be Successful. Returns what was sent, or
 * undefined when nothing needed to change (no update call at all). A Failed or Cancelled update throws with EKS's
 * own error codes and messages.
 */
export async function applyScaling(
    api: EksScalingApi,
    inputs: ScalingInputs,
    clock: ScalingClock,
    timing = SCALING_TIMING,
): Promise<ScalingConfig | undefined> {
    const group = `node group ${inputs.nodeGroupName} of cluster ${inputs.clusterName}`;
    for (let attempt = 1; ; attempt++) {
        // Read again on every attempt: an update that was in progress may have changed the live sizes.
        const live = await api.describeScaling(inputs.clusterName, inputs.nodeGroupName);
        const update = scalingUpdate(live, inputs);
        if (update === undefined) return undefined;
        let updateId: string;
        try {
            updateId = await api.updateScaling(inputs.clusterName, inputs.nodeGroupName, update);
        } catch (err) {
            if ((err as Error | null)?.name !== "ResourceInUseException" || attempt >= timing.inUseAttempts) throw err;
            await clock.sleep(Math.min(timing.inUseMaxSeconds, timing.inUseBaseSeconds * 2 ** (attempt - 1)) * 1000);
            continue;
        }
        await waitForUpdate(api, inputs, updateId, group, clock, timing);
        return update;
    }
}

async function waitForUpdate(
    api: EksScalingApi,
    inputs: ScalingInputs,
    updateId: string,
    group: string,
    clock: ScalingClock,
    timing: typeof SCALING_TIMING,
): Promise<void> {
    for (let poll = 1; ; poll++) {
        const { status, errors } = await api.describeUpdate(inputs.clusterName, inputs.nodeGroupName, updateId);
        if (status === "Successful") return;
        if (status === "Failed" || status === "Cancelled") {
            const detail =
                errors.map((e) => `${e.code ?? "Unknown"}: ${e.message ?? "(no message)"}`).join("; ") || "no error details";
            throw new Error(`EKS scaling update ${updateId} of ${group} ended ${status}: ${detail}`);
        }
        if (poll >= timing.pollAttempts) {
            throw new Error(
                `EKS scaling update ${updateId} of ${group} still ${status} after ${poll} checks; see the EKS console`,
            );
        }
        await clock.sleep(timing.pollSeconds * 1000);
    }
}

/** A replaced node group (new name) needs its own scaling applied; a range change is an update. Delete does nothing. */
export function scalingDiff(olds: ScalingInputs, news: ScalingInputs): pulumi.dynamic.DiffResult {
    const replaces = (["region", "clusterName", "nodeGroupName"] as const).filter((k) => olds[k] !== news[k]);
    const changes = replaces.length > 0 || olds.minSize !== news.minSize || olds.maxSize !== news.maxSize;
    return { changes, replaces, deleteBeforeReplace: false };
}

/** The one SDK client method used (an EKSClient; a fake in tests). */
export interface EksSender {
    send(command: object): Promise<unknown>;
}

/** The SDK adapter. Loaded when the provider runs, not when the program is evaluated (offline tests never need it). */
export function sdkEksApi(region: string, client?: EksSender): EksScalingApi {
    const sdk: typeof import("@aws-sdk/client-eks") = require("@aws-sdk/client-eks");
    const eks: EksSender = client ?? new sdk.EKSClient({ region });
    return {
        async describeScaling(clusterName, nodegroupName) {
            const out = (await eks.send(
                new sdk.DescribeNodegroupCommand({ clusterName, nodegroupName }),
            )) as DescribeNodegroupCommandOutput;
            const s = out.nodegroup?.scalingConfig;
            if (s?.minSize === undefined || s.maxSize === undefined || s.desiredSize === undefined) {
                throw new Error(`DescribeNodegroup of ${nodegroupName} returned no complete scalingConfig: ${JSON.stringify(s)}`);
            }
            return { minSize: s.minSize, maxSize: s.maxSize, desiredSize: s.desiredSize };
        },
        async updateScaling(clusterName, nodegroupName, scalingConfig) {
            const out = (await eks.send(
                new sdk.UpdateNodegroupConfigCommand({ clusterName, nodegroupName, scalingConfig }),
            )) as UpdateNodegroupConfigCommandOutput;
            if (!out.update?.id) throw new Error(`UpdateNodegroupConfig of ${nodegroupName} returned no update id`);
            return out.update.id;
        },
        async describeUpdate(name, nodegroupName, updateId) {
            const out = (await eks.send(
                new sdk.DescribeUpdateCommand({ name, nodegroupName, updateId }),
            )) as DescribeUpdateCommandOutput;
            const errors = (out.update?.errors ?? []).map((e) => ({ code: e.errorCode, message: e.errorMessage }));
            return { status: out.update?.status ?? "Unknown", errors };
        },
    };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const scalingProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: ScalingInputs) {
        await applyScaling(sdkEksApi(inputs.region), inputs, { sleep });
        return { id: `${inputs.clusterName}:${inputs.nodeGroupName}`, outs: inputs };
    },
    async update(_id: string, _olds: ScalingInputs, news: ScalingInputs) {
        await applyScaling(sdkEksApi(news.region), news, { sleep });
        return { outs: news };
    },
    async diff(_id: string, olds: ScalingInputs, news: ScalingInputs) {
        return scalingDiff(olds, news);
    },
    // Nothing to undo: the node group (deleted or kept) owns its sizes once this resource is gone.
    async delete() {},
};

export interface NodeGroupScalingArgs {
    region: pulumi.Input<string>;
    clusterName: pulumi.Input<string>;
    /** The aws.eks.NodeGroup's `nodeGroupName` output: a replaced group brings a new name, hence a new scaling. */
    nodeGroupName: pulumi.Input<string>;
    minSize: pulumi.Input<number>;
    maxSize: pulumi.Input<number>;
}

/** Keeps a managed node group's min/max at the configured values; see the file comment. */
export class NodeGroupScaling extends pulumi.dynamic.Resource {
    constructor(name: string, args: NodeGroupScalingArgs, opts?: pulumi.CustomResourceOptions) {
        super(scalingProvider, name, { ...args }, opts, "eks-gitlab-runners", "NodeGroupScaling");
    }
}
