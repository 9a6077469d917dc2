import type { NodeAutoscaler } from "./addons";
import type { ClusterConfig } from "./cluster";
import type { NodeGroups } from "./nodeGroups";
import type { NodePoolConfig } from "./nodePools";

/** What cross-section rules may read about the rest of the document (only sections that parsed are present). */
export interface StackContext {
    readonly region?: string;
    readonly cluster?: ClusterConfig;
    /** The node groups that resolved (management undefined when none was declared). */
    readonly nodeGroups: Partial<Pick<NodeGroups, "management">> & Pick<NodeGroups, "jobs">;
    /** The node pools that resolved (Karpenter stacks only; none when absent). */
    readonly nodePools?: readonly NodePoolConfig[];
    /** `addons.nodeAutoscaler` (absent: Cluster Autoscaler). */
    readonly nodeAutoscaler?: NodeAutoscaler;
    /** Whether Container Insights DaemonSets (CloudWatch agent, Fluent Bit) run on every node: less room for jobs. */
    readonly containerInsights: boolean;
}
