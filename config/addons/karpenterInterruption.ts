// Karpenter's interruption queue and the EventBridge rules that feed it, as in the getting-started CloudFormation
// template of the pinned release (website/content/en/v1.14/getting-started/getting-started-with-karpenter/
// cloudformation.yaml: KarpenterInterruptionQueue, *Rule). With the queue set (chart `settings.interruptionQueue`)
// Karpenter taints, drains and replaces a node ahead of a Spot reclaim, a scheduled AWS Health change or a stopping
// instance (website/content/en/v1.14/concepts/disruption.md, "Interruption").

/**
 * Queue settings (template: `MessageRetentionPeriod: 300`, `SqsManagedSseEnabled: true`): an interruption warning is
 * worth nothing after five minutes (a Spot notice gives two), and messages are encrypted at rest.
 */
export const INTERRUPTION_QUEUE = { messageRetentionSeconds: 300, sqsManagedSseEnabled: true } as const;

/** The rules' target id (template: `KarpenterInterruptionQueueTarget`). */
export const INTERRUPTION_TARGET_ID = "KarpenterInterruptionQueueTarget";

/** One EventBridge rule: its stable key (the child resource name suffix) and the event pattern's source and detail-type. */
export interface InterruptionRule {
    readonly key: string;
    readonly source: string;
    readonly detailType: string;
}

/** Every rule of the template, keyed like the template's resources. */
export const INTERRUPTION_RULES: readonly InterruptionRule[] = [
    { key: "scheduled-change", source: "aws.health", detailType: "AWS Health Event" },
    { key: "spot-interruption", source: "aws.ec2", detailType: "EC2 Spot Instance Interruption Warning" },
    { key: "rebalance", source: "aws.ec2", detailType: "EC2 Instance Rebalance Recommendation" },
    { key: "instance-state-change", source: "aws.ec2", detailType: "EC2 Instance State-change Notification" },
    {
        key: "capacity-reservation-interruption",
        source: "aws.ec2",
        detailType: "EC2 Capacity Reservation Instance Interruption Warning",
    },
];

/** The EventBridge event pattern of a rule, as JSON. */
export function eventPattern(rule: InterruptionRule): string {
    return JSON.stringify({ source: [rule.source], "detail-type": [rule.detailType] });
}
