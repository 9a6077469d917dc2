// Who is told when an alarm changes state: the stack's SNS topic and its policy. Pure.
import type { AwsScope, PolicyDocument } from "../../model/iam";

/**
 * Policy of the alarm topic: CloudWatch alarms of this account and region may publish (aws:SourceArn narrows the
 * service principal to them: CloudWatch user guide, "Amazon SNS topic policy for CloudWatch alarms"), and nothing
 * may reach the topic without TLS. Account principals keep what their IAM policies grant (same-account access).
 * Not KMS-encrypted: CloudWatch cannot publish to a topic under the AWS-managed aws/sns key, and alarm notifications
 * carry no secrets. Action names: SNS Developer Guide, "Valid Amazon SNS policy actions"
 * (tests/fixtures/upstream/sns-topic-policy-actions.tsv).
 */
export function alarmTopicPolicy(topicArn: string, scope: AwsScope): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "CloudWatchAlarmsPublish",
                Effect: "Allow",
                Principal: { Service: "cloudwatch.amazonaws.com" },
                Action: "sns:Publish",
                Resource: topicArn,
                Condition: {
                    ArnLike: { "aws:SourceArn": `arn:${scope.partition}:cloudwatch:${scope.region}:${scope.accountId}:alarm:*` },
                },
            },
            {
                Sid: "TlsOnly",
                Effect: "Deny",
                Principal: "*",
                Action: ["sns:Publish", "sns:Subscribe"],
                Resource: topicArn,
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ],
    };
}

/** A stable resource-name suffix for a subscription endpoint (renaming one would replace the subscription). */
export function endpointKey(endpoint: string): string {
    return endpoint
        .toLowerCase()
        .replace(/^https:\/\//, "")
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-|-$/g, "")
        .slice(0, 60);
}

/**
 * Spot interruption warnings: the example event of EC2 user guide "Spot Instance interruption notices", section "EC2 Spot
 * Instance Interruption Warning event" (tests/fixtures/upstream/aws-event-metrics.tsv).
 */
export const SPOT_INTERRUPTION_PATTERN = {
    source: ["aws.ec2"],
    "detail-type": ["EC2 Spot Instance Interruption Warning"],
} as const;
