import type { ClusterConfig } from "./cluster";
import type { NodeGroupConfig } from "./nodeGroups";

/** What cross-section rules may read about the rest of the document (only sections that parsed are present). */
export interface StackContext {
    readonly region?: string;
    readonly cluster?: ClusterConfig;
    readonly nodeGroups: readonly NodeGroupConfig[];
    /** Whether Container Insights DaemonSets (CloudWatch agent, Fluent Bit) run on every node: less room for jobs. */
    readonly containerInsights: boolean;
}
