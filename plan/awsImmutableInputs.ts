/**
 * Which inputs of the AWS resource types this program registers make the provider replace the resource (read by
 * plan/replacement.ts). @pulumi/aws bridges hashicorp/terraform-provider-aws: an attribute marked `ForceNew: true`
 * (SDKv2 schema) or given a `RequiresReplace` plan modifier (plugin framework) replaces the resource when it changes;
 * Pulumi's input name is the camelCase of the Terraform attribute, except where the bridge renames it (noted).
 *
 * Provenance: pulumi-aws builds its provider from the terraform-provider-aws tree in its `upstream` submodule plus
 * its own patches (provider/go.mod replaces the module with ../upstream). The pinned @pulumi/aws 7.48.0 was
 * published on 2026-09-22; the pulumi-aws v7.45.0 release notes name terraform-provider-aws v6.63.0, so 7.48.0 is
 * built on v6.63.0 or later. The exact upstream commit of the v7.48.0 tag is not pinned here: each entry names the
 * commit of the file version it was read from, which is not necessarily that tree (older file versions are marked).
 */
import type { ImmutableInputs, Inputs } from "./replacement";

const TF = "hashicorp/terraform-provider-aws";

/** The attribute that names a VPC security group rule's peer: exactly one of them is set. */
const RULE_SOURCES = ["cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId"] as const;
const ruleSource = (inputs: Inputs) =>
    RULE_SOURCES.find((k) => inputs[k] !== undefined && inputs[k] !== null && inputs[k] !== "");

/** Shared by aws_vpc_security_group_ingress_rule and _egress_rule (one base resource upstream). */
const SECURITY_GROUP_RULE: ImmutableInputs = {
    paths: ["securityGroupId"],
    source: `${TF} internal/service/ec2/vpc_security_group_ingress_rule.go (security_group_id RequiresReplace; ModifyPlan replaces a rule whose source type changes, e.g. cidr_ipv4 → referenced_security_group_id; commit d2b7f56)`,
    // "When you modify a rule, you cannot change the rule's source type": ModifyPlan sets RequiresReplace then.
    replacesWhen: (olds, news) => {
        const was = ruleSource(olds);
        const is = ruleSource(news);
        return was !== is ? (is ?? was) : undefined;
    },
};

export const AWS_IMMUTABLE_INPUTS: Readonly<Record<string, ImmutableInputs>> = {
    "aws:eks/nodeGroup:NodeGroup": {
        paths: [
            "amiType",
            "capacityType",
            "clusterName",
            "diskSize",
            "instanceTypes",
            "launchTemplate.id",
            "launchTemplate.name",
            "nodeGroupName",
            "nodeGroupNamePrefix",
            "nodeRoleArn",
            "remoteAccess",
            "subnetIds",
        ],
        source: `${TF} internal/service/eks/node_group.go (ForceNew; commit 012e0a3)`,
    },
    "aws:iam/role:Role": {
        paths: ["name", "namePrefix", "path"],
        source: `${TF} internal/service/iam/role.go (ForceNew; commit 0040ea6)`,
    },
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": {
        paths: ["clusterName", "namespace", "serviceAccount"],
        source: `${TF} internal/service/eks/pod_identity_association.go (RequiresReplace; commit 00a3530)`,
    },
    "aws:autoscaling/tag:Tag": {
        paths: ["autoscalingGroupName", "tag.key"],
        source: `${TF} internal/service/autoscaling/group_tag.go (ForceNew; the value updates in place; commit 050ac11)`,
    },
    // A Fargate profile cannot be changed, only replaced: every input but its tags forces a new one.
    "aws:eks/fargateProfile:FargateProfile": {
        paths: ["clusterName", "fargateProfileName", "podExecutionRoleArn", "selectors", "subnetIds"],
        source: `${TF} internal/service/eks/fargate_profile.go (ForceNew; only tags update in place; commit 1455913)`,
    },
    "aws:eks/addon:Addon": {
        paths: ["addonName", "clusterName"],
        source: `${TF} internal/service/eks/addon.go (ForceNew; addon_version and configuration_values update in place; commit 00a3530)`,
    },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
        paths: ["role", "policyArn"],
        source: `${TF} internal/service/iam/role_policy_attachment.go (ForceNew; commit 04c7984)`,
    },
    "aws:cloudwatch/logGroup:LogGroup": {
        paths: ["name", "namePrefix", "logGroupClass"],
        source: `${TF} internal/service/logs/group.go (ForceNew; retention and KMS key update in place; commit 0073593)`,
    },
    // A new bucket name is a new bucket: the old one is deleted (or, with retainOnDelete, left behind) with its cache.
    "aws:s3/bucket:Bucket": {
        paths: ["bucket", "bucketPrefix"],
        source: `${TF} internal/service/s3/bucket.go (ForceNew; commit 4c72bcc)`,
    },
    // @pulumi/eks Cluster is a component: its `name` is the aws_eks_cluster's name, ForceNew there.
    "eks:index:Cluster": {
        paths: ["name"],
        source: `${TF} internal/service/eks/cluster.go (name ForceNew; commit 00555dc)`,
    },
    // Sizes, the launch template, mixed-instances policy, subnets and tags all update in place.
    "aws:autoscaling/group:Group": {
        paths: ["initialLifecycleHooks", "name", "namePrefix"],
        source: `${TF} internal/service/autoscaling/group.go (ForceNew: initial_lifecycle_hook, name, name_prefix; commit 00a919d)`,
    },
    "aws:cloudwatch/dashboard:Dashboard": {
        paths: ["dashboardName"],
        source: `${TF} internal/service/cloudwatch/dashboard.go (ForceNew: dashboard_name; the body updates in place; commit 0620f2a)`,
    },
    "aws:cloudwatch/eventRule:EventRule": {
        paths: ["eventBusName", "name", "namePrefix"],
        source: `${TF} internal/service/events/rule.go (ForceNew; the pattern and description update in place; commit 0cdab4a)`,
    },
    "aws:cloudwatch/eventTarget:EventTarget": {
        paths: ["eventBusName", "rule", "targetId"],
        source: `${TF} internal/service/events/target.go (ForceNew; the target arn updates in place; commit 0762c41)`,
    },
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": {
        paths: ["logGroupName", "name"],
        source: `${TF} internal/service/logs/metric_filter.go (ForceNew; pattern and metric_transformation update in place; commit 0f14e6f)`,
    },
    // The bridge renames alarm_name to `name`.
    "aws:cloudwatch/metricAlarm:MetricAlarm": {
        paths: ["name"],
        source: `${TF} internal/service/cloudwatch/metric_alarm.go (ForceNew: alarm_name; commit 055611a)`,
    },
    // Every other change is a new template version (the template itself stays).
    "aws:ec2/launchTemplate:LaunchTemplate": {
        paths: ["name", "namePrefix"],
        source: `${TF} internal/service/ec2/ec2_launch_template.go (ForceNew: name, name_prefix; others make a new version; commit 025e4f8, an older file version)`,
    },
    "aws:ec2/routeTableAssociation:RouteTableAssociation": {
        paths: ["gatewayId", "subnetId"],
        source: `${TF} internal/service/ec2/vpc_route_table_association.go (ForceNew; route_table_id updates in place; commit 0be71be, an older file version)`,
    },
    "aws:ec2/securityGroup:SecurityGroup": {
        paths: ["description", "name", "namePrefix", "vpcId"],
        source: `${TF} internal/service/ec2/vpc_security_group.go (ForceNew; commit 0160692)`,
    },
    "aws:ec2/subnet:Subnet": {
        paths: [
            "availabilityZone",
            "availabilityZoneId",
            "cidrBlock",
            "ipv4IpamPoolId",
            "ipv4NetmaskLength",
            "ipv6IpamPoolId",
            "ipv6Native",
            "ipv6NetmaskLength",
            "outpostArn",
            "vpcId",
        ],
        source: `${TF} internal/service/ec2/vpc_subnet.go (ForceNew; ipv6_cidr_block only when assign_ipv6_address_on_creation was true; commit 00cda12)`,
        // CustomizeDiff ForceNewIf("ipv6_cidr_block"): an IPv6 block of a subnet that assigned IPv6 addresses on creation.
        replacesWhen: (olds, _news, changed) =>
            changed.includes("ipv6CidrBlock") && olds.assignIpv6AddressOnCreation === true ? "ipv6CidrBlock" : undefined,
    },
    "aws:ec2/tag:Tag": {
        paths: ["key", "resourceId"],
        source: `${TF} aws/resource_aws_ec2_tag.go (ForceNew: resource_id, key; the value updates in place; commit 299594d, an older file version)`,
    },
    "aws:ec2/vpcIpv4CidrBlockAssociation:VpcIpv4CidrBlockAssociation": {
        paths: ["cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength", "vpcId"],
        source: `${TF} internal/service/ec2/vpc_ipv4_cidr_block_association.go (ForceNew; a cidr_block an IPAM netmask derived is ignored; commit 0160692)`,
    },
    "aws:eks/accessEntry:AccessEntry": {
        paths: ["clusterName", "principalArn", "type"],
        source: `${TF} internal/service/eks/access_entry.go (ForceNew; kubernetes_groups, user_name and tags update in place; commit 01f4311)`,
    },
    "aws:iam/rolePolicy:RolePolicy": {
        paths: ["name", "namePrefix", "role"],
        source: `${TF} internal/service/iam/role_policy.go (ForceNew; the policy updates in place; commit 02f97af)`,
    },
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": {
        paths: ["bucket", "expectedBucketOwner"],
        source: `${TF} internal/service/s3/bucket_lifecycle_configuration.go (RequiresReplace; rules update in place; commit 0160692)`,
    },
    "aws:s3/bucketLogging:BucketLogging": {
        paths: ["bucket", "expectedBucketOwner"],
        source: `${TF} internal/service/s3/bucket_logging.go (ForceNew; the target updates in place; commit 01f4311)`,
    },
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": {
        paths: ["bucket"],
        source: `${TF} internal/service/s3/bucket_ownership_controls.go (ForceNew; the rule updates in place; commit 01c0800, an older file version)`,
    },
    "aws:s3/bucketPolicy:BucketPolicy": {
        paths: ["bucket"],
        source: `${TF} internal/service/s3/bucket_policy.go (ForceNew; the policy updates in place; commit 0073593)`,
    },
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": {
        paths: ["bucket"],
        source: `${TF} internal/service/s3/bucket_public_access_block.go (ForceNew; the four switches update in place; commit 0160692)`,
    },
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": {
        paths: ["bucket", "expectedBucketOwner"],
        source: `${TF} internal/service/s3/bucket_server_side_encryption_configuration.go (ForceNew; rules update in place; commit 0160692)`,
    },
    "aws:s3/bucketVersioning:BucketVersioning": {
        paths: ["bucket", "expectedBucketOwner"],
        source: `${TF} internal/service/s3/bucket_versioning.go (ForceNew; the status updates in place; commit 01c0800, an older file version)`,
    },
    "aws:sns/topic:Topic": {
        paths: ["fifoTopic", "name", "namePrefix"],
        source: `${TF} internal/service/sns/topic.go (ForceNew; commit 00a3530)`,
    },
    "aws:sns/topicPolicy:TopicPolicy": {
        paths: ["arn"],
        source: `${TF} internal/service/sns/topic_policy.go (ForceNew; the policy updates in place; commit 00a3530)`,
    },
    // The bridge renames topic_arn to `topic`.
    "aws:sns/topicSubscription:TopicSubscription": {
        paths: ["endpoint", "protocol", "topic"],
        source: `${TF} internal/service/sns/topic_subscription.go (ForceNew: endpoint, protocol, topic_arn; commit 04a2e6e)`,
    },
    "aws:sqs/queue:Queue": {
        paths: ["fifoQueue", "name", "namePrefix"],
        source: `${TF} internal/service/sqs/queue.go (ForceNew; retention and encryption update in place; commit 00a3530)`,
    },
    "aws:sqs/queuePolicy:QueuePolicy": {
        paths: ["queueUrl"],
        source: `${TF} internal/service/sqs/queue_policy.go (ForceNew; the policy updates in place; commit 0148137, an older file version)`,
    },
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": SECURITY_GROUP_RULE,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": SECURITY_GROUP_RULE,
};
