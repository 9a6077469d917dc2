// The offline plan's data: everything it shows, as plain data (the `--format json` document). plan/planData.ts
// builds it from what the program registered; plan/render*.ts print it.
import type { StackConfig } from "../config";
import type { Finding } from "../config/capacity";
import type { OrMissing } from "./missing";
import type { ObservabilityPlan } from "./observability";
import type { SecurityView } from "./planSecurity";
import type { RegistrationPlan } from "./registrationPlan";

/** Everything the offline plan shows, as plain data (also the `--format json` document). */
export interface PlanData {
    readonly stack: string;
    readonly region: string;
    readonly cluster: { readonly name: string; readonly version: string; readonly protect: boolean };
    readonly resources: {
        readonly total: number;
        readonly byType: readonly { readonly type: string; readonly count: number }[];
        readonly components: readonly {
            readonly name: string;
            readonly type: string;
            readonly children: Record<string, number>;
        }[];
    };
    readonly nodeGroups: readonly NodeGroupPlan[];
    /** Karpenter node pools (empty with Cluster Autoscaler). */
    readonly nodePools: readonly NodePoolPlan[];
    readonly runners: readonly RunnerPlan[];
    /** Access entries, API endpoint exposure, IAM documents, workload identities, chart and add-on versions. */
    readonly security: SecurityView;
    readonly vmRunners: readonly VmRunnerPlan[];
    readonly capacity: StackConfig["capacity"];
    /** Fleet metrics, dashboard and alarms; undefined when `observability` is off. */
    readonly observability?: ObservabilityPlan;
    readonly findings: readonly Finding[];
}

export interface NodeGroupPlan {
    readonly name: string;
    readonly role: string;
    readonly arch: string;
    readonly capacityType: OrMissing<string>;
    readonly instanceTypes: OrMissing<readonly string[]>;
    readonly minSize: OrMissing<number>;
    readonly maxSize: OrMissing<number>;
    readonly labels: Record<string, string>;
    readonly taints: readonly string[];
    /** Tags this program puts on the group's ASG (auto-discovery, node templates). */
    readonly asgTags: Record<string, string>;
    readonly azRebalanceSuspended: boolean;
    /** The launch template's instance metadata options (IMDSv2 required, hop limit 1: pods cannot reach the node role). */
    readonly metadataOptions: OrMissing<Readonly<Record<string, unknown>>>;
    /**
     * What a patch run (new AMI release, Kubernetes minor, launch-template change) does to the group: it is replaced
     * blue/green and the old one drained for at most `drainBoundSeconds` before it is deleted; `maxMinutes` adds the
     * provider's create and delete timeouts. Read from the recorded tag and resource options.
     */
    readonly patch: { readonly drainBoundSeconds: OrMissing<number>; readonly maxMinutes: OrMissing<number> };
}

/** A Karpenter node pool as its NodePool and EC2NodeClass were registered. */
export interface NodePoolPlan {
    readonly name: string;
    /** The NodePool's requirements as `key In [values]`. */
    readonly requirements: OrMissing<readonly string[]>;
    readonly cpuLimit: OrMissing<string>;
    readonly labels: Record<string, string>;
    readonly taints: readonly string[];
    /** `WhenEmpty after 10m`, and the budgets. */
    readonly disruption: OrMissing<string>;
    readonly expireAfter: OrMissing<string>;
    readonly terminationGracePeriod: OrMissing<string>;
    /** The AMI the node class selects (the alias of the release resolved at this deploy). */
    readonly ami: OrMissing<string>;
    /** The node class's instance metadata settings (`spec.metadataOptions`), as registered. */
    readonly metadataOptions: OrMissing<Readonly<Record<string, unknown>>>;
}

export interface RunnerPlan {
    readonly name: string;
    /** Where its job pods run: a jobs node group (Cluster Autoscaler) or a node pool (Karpenter). */
    readonly nodeGroup?: string;
    readonly nodePool?: string;
    /** True when its job pods run on Fargate (no node group or pool). */
    readonly fargate?: boolean;
    readonly tags: readonly string[];
    readonly runUntagged: boolean;
    readonly concurrent: number;
    readonly chartVersion: OrMissing<string>;
    readonly runnerVersion: OrMissing<string>;
    readonly privileged: boolean;
    /** Per container kind: requests, limits and the ceilings CI jobs may raise them to. */
    readonly resources: StackConfig["runners"][number]["resources"];
    readonly configToml: OrMissing<string>;
    /** How the runner gets its token: "manual" (runnerTokens / SSM), or its registration through the GitLab API. */
    readonly registration: "manual" | OrMissing<RegistrationPlan>;
}

/** A VM runner's Auto Scaling group and manager as registered (its capacity and idle cost are in `capacity.vmRunners`). */
export interface VmRunnerPlan {
    readonly name: string;
    readonly executor: string;
    readonly tags: readonly string[];
    readonly autoScalingGroup: OrMissing<string>;
    readonly instanceTypes: OrMissing<readonly string[]>;
    readonly minSize: OrMissing<number>;
    readonly maxSize: OrMissing<number>;
    /** The plugin's requirements (vmSpec.ts), read back from the group's inputs. */
    readonly protectFromScaleIn: OrMissing<boolean>;
    readonly suspendedProcesses: OrMissing<readonly string[]>;
    readonly capacityRebalance: OrMissing<boolean>;
    /** Whether its job containers run privileged (docker-in-docker on single-use VMs; config/vmRunners/resolve.ts). */
    readonly privileged: boolean;
    /** Its launch template's instance metadata settings (`metadataOptions`), as registered. */
    readonly metadataOptions: OrMissing<Readonly<Record<string, unknown>>>;
    /** Scaling policies registered on the group: must be 0 (the runner alone decides its capacity). */
    readonly scalingPolicies: number;
    readonly chartVersion: OrMissing<string>;
    /** `[runners.autoscaler] plugin` as rendered. */
    readonly plugin: OrMissing<string>;
    readonly deploymentStrategy: OrMissing<string>;
    readonly configToml: OrMissing<string>;
}
