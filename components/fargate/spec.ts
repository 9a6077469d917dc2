// Pure renderers for Fargate runners: the pod execution role's trust and log policies, each runner's profile
// selectors, and the log router's namespace and ConfigMap. components/fargate/fargateJobs.ts only wires them.
import { jobPodLabels, RUNNER_LABELS } from "../../model/labels";
import { awsManagedPolicyArn, PolicyDocument } from "../../model/iam";
import type { RunnerConfig } from "../../config";

/** The AWS-managed policy every pod execution role needs (ECR image pulls, node registration). */
export const POD_EXECUTION_POLICY = "AmazonEKSFargatePodExecutionRolePolicy";

export const podExecutionPolicyArn = (partition: string) => awsManagedPolicyArn(partition, POD_EXECUTION_POLICY);

/**
 * Trust of the pod execution role (EKS user guide, "Amazon EKS Pod execution IAM role",
 * awsdocs/amazon-eks-user-guide latest/ug/security/iam-reference/pod-execution-role.adoc): only
 * `eks-fargate-pods.amazonaws.com`, and only for Fargate profiles of this cluster (`aws:SourceArn` on
 * `…:fargateprofile/<cluster>/*`, the guide's guard against a confused deputy).
 */
export function podExecutionTrustPolicy(scope: {
    partition: string;
    region: string;
    accountId: string;
    clusterName: string;
}): PolicyDocument {
    const { partition, region, accountId, clusterName } = scope;
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "EksFargatePods",
                Effect: "Allow",
                Principal: { Service: "eks-fargate-pods.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: {
                    ArnLike: { "aws:SourceArn": `arn:${partition}:eks:${region}:${accountId}:fargateprofile/${clusterName}/*` },
                },
            },
        ],
    };
}

/** The log group's ARN (CloudWatch Logs ARN format; its streams are `<arn>:log-stream:<name>`). */
export const logGroupArn = (scope: { partition: string; region: string; accountId: string }, name: string) =>
    `arn:${scope.partition}:logs:${scope.region}:${scope.accountId}:log-group:${name}`;

/**
 * What the Fargate log router needs to write container logs into the stack's own log group. The user guide's
 * CloudWatch example (aws-samples/amazon-eks-fluent-logging-examples examples/fargate/cloudwatchlogs/permissions.json)
 * grants logs:CreateLogStream, CreateLogGroup, DescribeLogStreams, PutLogEvents and PutRetentionPolicy on "*"; the
 * group (and its retention) is created here, so the router gets the three stream actions, on this group only.
 */
export function fargateLogPolicy(groupArn: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "FargateJobLogs",
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                Resource: [groupArn, `${groupArn}:log-stream:*`],
            },
        ],
    };
}

/** A runner's Fargate profile: its name and the one selector (job namespace + the runner's job-pod label). */
export interface FargateProfileSpec {
    readonly profileName: string;
    readonly selectors: readonly { readonly namespace: string; readonly labels: Readonly<Record<string, string>> }[];
}

/**
 * The profile of a Fargate runner (EKS API CreateFargateProfile: up to five selectors of a namespace and optional
 * labels; a pod matching any selector runs on Fargate). Only the runner's own job pods match: its job namespace AND
 * its runner label, which GitLab Runner puts on every job pod (`pod_labels`, configToml.ts).
 */
export function fargateProfileSpec(runner: Pick<RunnerConfig, "name" | "names" | "fargate">): FargateProfileSpec {
    const label = RUNNER_LABELS.runner;
    return {
        profileName: `gitlab-jobs-${runner.name}`,
        selectors: [{ namespace: runner.names.jobNamespace, labels: { [label]: jobPodLabels(runner)[label] } }],
    };
}

/** The namespace the Fargate log router reads its configuration from (name and label required by the user guide). */
export const AWS_OBSERVABILITY = {
    name: "aws-observability",
    labels: { "aws-observability": "enabled" },
    configMap: "aws-logging",
} as const;

/**
 * Data of the `aws-logging` ConfigMap (EKS user guide, "Start AWS Fargate logging for your cluster",
 * latest/ug/nodes/fargate-logging.adoc): only the keys `filters.conf`, `output.conf`, `parsers.conf` and `flb_log_cw`;
 * `Name` and `Match` in every [FILTER]/[OUTPUT], `Name` and `Format` in every [PARSER]; outputs from the supported list
 * (`cloudwatch_logs`); no environment variables; at most 5300 characters. Logs go to the stack's group, one stream per
 * container (the router tags lines `kube.<pod>_<namespace>_<container>-<id>.log`), with Kubernetes metadata added.
 * The group exists with its retention already, so the router neither creates groups nor sets retention.
 */
export function awsLoggingData(region: string, logGroupName: string): Record<string, string> {
    return {
        flb_log_cw: "false",
        "filters.conf": [
            "[FILTER]",
            "    Name parser",
            "    Match *",
            "    Key_name log",
            "    Parser crio",
            "[FILTER]",
            "    Name kubernetes",
            "    Match kube.*",
            "    Merge_Log On",
            "    Keep_Log Off",
            "    Buffer_Size 0",
            "    Kube_Meta_Cache_TTL 300s",
            "",
        ].join("\n"),
        "output.conf": [
            "[OUTPUT]",
            "    Name cloudwatch_logs",
            "    Match kube.*",
            `    region ${region}`,
            `    log_group_name ${logGroupName}`,
            "    log_stream_prefix job-",
            "    auto_create_group false",
            "",
        ].join("\n"),
        "parsers.conf": [
            "[PARSER]",
            "    Name crio",
            "    Format Regex",
            "    Regex ^(?<time>[^ ]+) (?<stream>stdout|stderr) (?<logtag>P|F) (?<log>.*)$",
            "    Time_Key time",
            "    Time_Format %Y-%m-%dT%H:%M:%S.%L%z",
            "",
        ].join("\n"),
    };
}

/** The log group of a stack's Fargate job logs. */
export const fargateLogGroupName = (clusterName: string) => `/eks-gitlab-runners/${clusterName}/fargate-jobs`;
