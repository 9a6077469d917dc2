import * as pulumi from "@pulumi/pulumi";
import { SUSPENDED_PROCESSES } from "../../model/ec2";

// Keeps an ASG's AZRebalance process suspended (model/ec2.ts SUSPENDED_PROCESSES). When AZs drift out of balance,
// the ASG launches a node in one AZ and terminates one in another with no regard for the CI jobs on it (one of the
// three ways running jobs were killed in production). Managed node groups cannot suspend processes and new groups
// come with it enabled, so every job group gets one of these. Trade-off: AZ spread is left to Cluster Autoscaler
// (`--balance-similar-node-groups`) and to node churn; a lost AZ is not refilled by the ASG itself.
export { SUSPENDED_PROCESSES };

/** The subset of an AWS SDK v3 Auto Scaling client these operations use (a fake in tests). */
export interface AutoScalingApi {
    suspend(asgName: string, processes: string[]): Promise<void>;
    resume(asgName: string, processes: string[]): Promise<void>;
}

export interface SuspensionInputs {
    asgName: string;
    region: string;
    processes: string[];
}

/** Provider logic, separate from the SDK so it is tested directly. SuspendProcesses is idempotent. */
export async function applySuspension(api: AutoScalingApi, inputs: SuspensionInputs): Promise<void> {
    await api.suspend(inputs.asgName, inputs.processes);
}

/** On removal, resume the processes; an ASG that is already gone (group deleted) is not an error. */
export async function removeSuspension(api: AutoScalingApi, inputs: SuspensionInputs): Promise<void> {
    try {
        await api.resume(inputs.asgName, inputs.processes);
    } catch (err) {
        if (!/not found|does not exist/i.test(String((err as Error).message))) throw err;
    }
}

/** A changed ASG name (the group was replaced) needs a new suspension on the new ASG. */
export function suspensionDiff(olds: SuspensionInputs, news: SuspensionInputs): pulumi.dynamic.DiffResult {
    const replaces = olds.asgName !== news.asgName || olds.region !== news.region ? ["asgName"] : [];
    const changes = replaces.length > 0 || olds.processes.join(",") !== news.processes.join(",");
    return { changes, replaces, deleteBeforeReplace: false };
}

function sdkApi(region: string): AutoScalingApi {
    // Loaded when the provider runs, not when the program is evaluated (offline tests never need the SDK).
    const sdk = require("@aws-sdk/client-auto-scaling");
    const client = new sdk.AutoScalingClient({ region });
    return {
        suspend: async (name, processes) => {
            await client.send(new sdk.SuspendProcessesCommand({ AutoScalingGroupName: name, ScalingProcesses: processes }));
        },
        resume: async (name, processes) => {
            await client.send(new sdk.ResumeProcessesCommand({ AutoScalingGroupName: name, ScalingProcesses: processes }));
        },
    };
}

const provider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: SuspensionInputs) {
        await applySuspension(sdkApi(inputs.region), inputs);
        return { id: `${inputs.asgName}/${inputs.processes.join(",")}`, outs: inputs };
    },
    async update(_id: string, _olds: SuspensionInputs, news: SuspensionInputs) {
        await applySuspension(sdkApi(news.region), news);
        return { outs: news };
    },
    async diff(_id: string, olds: SuspensionInputs, news: SuspensionInputs) {
        return suspensionDiff(olds, news);
    },
    async delete(_id: string, olds: SuspensionInputs) {
        await removeSuspension(sdkApi(olds.region), olds);
    },
};

export interface AsgProcessSuspensionArgs {
    asgName: pulumi.Input<string>;
    region: pulumi.Input<string>;
    processes?: pulumi.Input<pulumi.Input<string>[]>;
}

/** Suspends scaling processes (default: AZRebalance) on an ASG, for as long as this resource exists. */
export class AsgProcessSuspension extends pulumi.dynamic.Resource {
    constructor(name: string, args: AsgProcessSuspensionArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            provider,
            name,
            { asgName: args.asgName, region: args.region, processes: args.processes ?? SUSPENDED_PROCESSES },
            opts,
            "eks-gitlab-runners",
            "AsgProcessSuspension",
        );
    }
}
