import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../config";
import { containerInsightsLogGroupName } from "../../config/addons/containerInsights";
import { LOG_METRIC, LOG_METRICS } from "../../config/observability/metrics";
import { AlarmSpec, alarmSpecs } from "./alarms";
import { dashboardBody } from "./dashboard";
import { alarmInput, dashboardInput, hasSpotGroup } from "./inputs";
import { alarmTopicPolicy, endpointKey, SPOT_INTERRUPTION_PATTERN } from "./notifications";

export interface FleetObservabilityArgs {
    readonly config: Pick<
        StackConfig,
        "cluster" | "region" | "observability" | "runners" | "vmRunners" | "nodeGroups" | "nodePools" | "capacity"
    >;
    /** The ASG of each job node group (NodeGroup.asgName): Cluster Autoscaler's `node_group` label. */
    readonly asgNames: Readonly<Record<string, pulumi.Input<string>>>;
    readonly tags: Record<string, string>;
    /** The Container Insights add-on: its application log group must exist before the metric filter. */
    readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/**
 * The stack's view of its fleet (docs/runbook/monitoring.md): the dashboard, the alarms of the catalogue
 * (components/observability/alarms.ts) with their SNS topic and subscriptions, the EventBridge rule that counts Spot
 * interruption warnings, and the metric filter that counts killed jobs. Collection itself is Container Insights'
 * (config/observability/scrape.ts). Children are named `${name}-<key>` from stable keys.
 */
export class FleetObservability extends pulumi.ComponentResource {
    public readonly dashboardName: pulumi.Output<string>;
    public readonly topicArn?: pulumi.Output<string>;
    public readonly alarms: readonly aws.cloudwatch.MetricAlarm[];

    constructor(name: string, args: FleetObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-gitlab-runners:index:FleetObservability", name, {}, opts);
        const { config, tags } = args;
        const o = config.observability;
        const cluster = config.cluster.name;
        const jobGroups = config.nodeGroups.jobs;

        const spotRule = hasSpotGroup(config)
            ? new aws.cloudwatch.EventRule(
                  `${name}-spot-interruptions`,
                  {
                      name: `${cluster}-spot-interruptions`,
                      description: `Counts EC2 Spot interruption warnings for the ${cluster} dashboard and alarm (no target: the rule's MatchedEvents metric is the count)`,
                      eventPattern: JSON.stringify(SPOT_INTERRUPTION_PATTERN),
                      tags,
                  },
                  { parent: this },
              )
            : undefined;

        // The Logs metric filters count jobs of Kubernetes runners (their pods); VM runners' jobs have none.
        if (o.collection?.sources.includes("runner") && config.runners.length > 0) {
            for (const [key, metric] of Object.entries(LOG_METRICS)) {
                new aws.cloudwatch.LogMetricFilter(
                    `${name}-${kebab(key)}`,
                    {
                        name: `${cluster}-${kebab(key)}`,
                        logGroupName: containerInsightsLogGroupName(cluster, "application"),
                        pattern: metric.filterPattern,
                        metricTransformation: {
                            namespace: LOG_METRIC.namespace,
                            name: metric.name,
                            value: "1",
                            unit: "Count",
                            dimensions: { [LOG_METRIC.dimension]: LOG_METRIC.dimensionField },
                        },
                    },
                    { parent: this, dependsOn: args.dependsOn },
                );
            }
        }

        let actions: pulumi.Input<string>[] = [];
        if (o.alarms) {
            const topic = new aws.sns.Topic(`${name}-alarms`, { name: `${cluster}-alarms`, tags }, { parent: this });
            const scope = pulumi
                .all([
                    aws.getPartitionOutput({}, { parent: this }).partition,
                    aws.getCallerIdentityOutput({}, { parent: this }).accountId,
                ])
                .apply(([partition, accountId]) => ({ partition, accountId, region: config.region }));
            new aws.sns.TopicPolicy(
                `${name}-alarms-policy`,
                {
                    arn: topic.arn,
                    policy: pulumi.all([topic.arn, scope]).apply(([arn, s]) => JSON.stringify(alarmTopicPolicy(arn, s))),
                },
                { parent: this },
            );
            const subscriptions = [
                ...o.alarms.notify.emails.map((endpoint) => ({ protocol: "email", endpoint })),
                ...o.alarms.notify.httpsEndpoints.map((endpoint) => ({ protocol: "https", endpoint })),
            ];
            for (const s of subscriptions) {
                new aws.sns.TopicSubscription(
                    `${name}-${s.protocol}-${endpointKey(s.endpoint)}`,
                    { topic: topic.arn, protocol: s.protocol, endpoint: s.endpoint },
                    { parent: this },
                );
            }
            this.topicArn = topic.arn;
            actions = [topic.arn, ...o.alarms.notify.topicArns];
        }

        const input = alarmInput<pulumi.Input<string>>(config, args.asgNames, spotRule?.name);
        this.alarms = (input ? alarmSpecs(input) : []).map((spec) => this.alarm(name, cluster, spec, actions, tags));

        const asgs = pulumi.all(Object.fromEntries(jobGroups.map((g) => [g.name, args.asgNames[g.name]])));
        const dashboard = new aws.cloudwatch.Dashboard(
            `${name}-dashboard`,
            {
                dashboardName: cluster,
                dashboardBody: pulumi
                    .all([asgs, spotRule?.name])
                    .apply(([names, ruleName]) => JSON.stringify(dashboardBody(dashboardInput(config, names, ruleName)))),
            },
            { parent: this },
        );
        this.dashboardName = dashboard.dashboardName;
        this.registerOutputs({ dashboardName: this.dashboardName, topicArn: this.topicArn });
    }

    /** One alarm of the catalogue; a Metrics Insights query goes in as the alarm's only metric query. */
    private alarm(
        name: string,
        cluster: string,
        spec: AlarmSpec<pulumi.Input<string>>,
        actions: pulumi.Input<string>[],
        tags: Record<string, string>,
    ): aws.cloudwatch.MetricAlarm {
        const m = spec.metric;
        const metric =
            "query" in m
                ? { metricQueries: [{ id: "q", expression: m.query, period: m.period, returnData: true, label: spec.summary }] }
                : {
                      namespace: m.namespace,
                      metricName: m.metricName,
                      dimensions: m.dimensions,
                      statistic: m.statistic,
                      period: m.period,
                  };
        return new aws.cloudwatch.MetricAlarm(
            `${name}-${spec.key}`,
            {
                name: `${cluster}-${spec.key}`,
                alarmDescription: spec.description,
                comparisonOperator: spec.comparison,
                threshold: spec.threshold,
                evaluationPeriods: spec.evaluationPeriods,
                datapointsToAlarm: spec.datapointsToAlarm,
                treatMissingData: spec.treatMissingData,
                ...metric,
                alarmActions: actions,
                okActions: actions,
                tags,
            },
            { parent: this },
        );
    }
}

/** `podStartTimeouts` → `pod-start-timeouts` (stable resource names from the table's keys). */
const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
