import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { interruptionQueuePolicy } from "../../config/addons/karpenterIam";
import {
    eventPattern,
    INTERRUPTION_QUEUE,
    INTERRUPTION_RULES,
    INTERRUPTION_TARGET_ID,
} from "../../config/addons/karpenterInterruption";
import { karpenterNames } from "../../model/karpenter";

/**
 * Karpenter's interruption queue and the EventBridge rules that send it Spot interruption warnings, rebalance
 * recommendations, instance state changes, AWS Health events and capacity-reservation interruptions (config/addons/
 * karpenterInterruption.ts). The queue is named after the cluster (chart `settings.interruptionQueue`, and the only
 * queue the controller's SQS permissions name). Each rule is named by its stable key.
 */
export class KarpenterInterruption extends pulumi.ComponentResource {
    public readonly queue: aws.sqs.Queue;
    public readonly rules: readonly aws.cloudwatch.EventRule[];

    constructor(
        name: string,
        args: { clusterName: string; tags: Record<string, string> },
        opts?: pulumi.ComponentResourceOptions,
    ) {
        super("eks-gitlab-runners:index:KarpenterInterruption", name, {}, opts);
        this.queue = new aws.sqs.Queue(
            `${name}-queue`,
            { name: karpenterNames(args.clusterName).queue, ...INTERRUPTION_QUEUE, tags: args.tags },
            { parent: this },
        );
        const policy = new aws.sqs.QueuePolicy(
            `${name}-queue-policy`,
            { queueUrl: this.queue.url, policy: this.queue.arn.apply((arn) => JSON.stringify(interruptionQueuePolicy(arn))) },
            { parent: this },
        );
        this.rules = INTERRUPTION_RULES.map((r) => {
            const rule = new aws.cloudwatch.EventRule(
                `${name}-${r.key}`,
                {
                    description: `${r.detailType} → Karpenter of EKS cluster ${args.clusterName}`,
                    eventPattern: eventPattern(r),
                    tags: args.tags,
                },
                { parent: this },
            );
            // Events reach the queue only once its policy lets EventBridge send.
            new aws.cloudwatch.EventTarget(
                `${name}-${r.key}`,
                { rule: rule.name, targetId: INTERRUPTION_TARGET_ID, arn: this.queue.arn },
                { parent: this, dependsOn: [policy] },
            );
            return rule;
        });
        this.registerOutputs({ queueUrl: this.queue.url, queueArn: this.queue.arn });
    }
}
