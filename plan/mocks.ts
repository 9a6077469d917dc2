import * as pulumi from "@pulumi/pulumi";

/**
 * Plausible provider outputs for the resources and data sources the program uses, so that code reading them
 * (ASG names, ARNs, kubeconfig) runs under mocks as it would against AWS. Everything else echoes its inputs.
 */
export const ACCOUNT = "123456789012";

export function mockState(type: string, name: string, inputs: Record<string, any>, region: string): Record<string, any> {
    const arn = (service: string, resource: string) => `arn:aws:${service}:${region}:${ACCOUNT}:${resource}`;
    switch (type) {
        case "eks:index:Cluster": {
            // @pulumi/eks Cluster is a remote component: nothing inside it runs under mocks, so its outputs are made here.
            const clusterName = inputs.name ?? name;
            const issuer = `https://oidc.eks.${region}.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE`;
            return {
                ...inputs,
                eksCluster: {
                    name: clusterName,
                    arn: arn("eks", `cluster/${clusterName}`),
                    version: inputs.version,
                    endpoint: `https://EXAMPLE.gr7.${region}.eks.amazonaws.com`,
                    vpcConfig: { clusterSecurityGroupId: "sg-0c1a55e7c1a55e7c1" },
                    // EKS picks 172.20.0.0/16 when the VPC is in 10.0.0.0/8 (EKS API reference, KubernetesNetworkConfigRequest).
                    kubernetesNetworkConfig: { ipFamily: "ipv4", serviceIpv4Cidr: "172.20.0.0/16" },
                    identities: [{ oidcs: [{ issuer }] }],
                },
                kubeconfigJson: JSON.stringify({ apiVersion: "v1", kind: "Config", clusters: [{ name: clusterName }] }),
                oidcProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/${issuer.replace("https://", "")}`,
                oidcIssuer: issuer.replace("https://", ""),
                clusterSecurityGroupId: "sg-0c1a55e7c1a55e7c1",
            };
        }
        case "aws:eks/nodeGroup:NodeGroup":
            return {
                ...inputs,
                arn: arn("eks", `nodegroup/${inputs.clusterName}/${name}/uuid`),
                nodeGroupName: inputs.nodeGroupName ?? `${name}-20260101`,
                resources: [{ autoscalingGroups: [{ name: `eks-${name}-0ac9a1b2-asg` }], remoteAccessSecurityGroupId: "" }],
            };
        case "aws:iam/role:Role":
            return { ...inputs, arn: `arn:aws:iam::${ACCOUNT}:role/${inputs.name ?? name}`, name: inputs.name ?? name };
        case "aws:iam/policy:Policy":
            return { ...inputs, arn: `arn:aws:iam::${ACCOUNT}:policy/${name}`, name: inputs.name ?? name };
        case "aws:autoscaling/group:Group":
            return {
                ...inputs,
                arn: arn(
                    "autoscaling",
                    `autoScalingGroup:6d3f2a90-1c2b-4e5f-8a9b-0c1d2e3f4a5b:autoScalingGroupName/${inputs.name ?? name}`,
                ),
            };
        case "aws:ec2/launchTemplate:LaunchTemplate":
            return { ...inputs, latestVersion: 1, arn: arn("ec2", `launch-template/lt-${name}`) };
        case "aws:s3/bucket:Bucket":
        case "aws:s3/bucketV2:BucketV2": {
            const bucket = inputs.bucket ?? `${name}-a1b2c3d`;
            return { ...inputs, bucket, arn: `arn:aws:s3:::${bucket}` };
        }
        case "aws:sns/topic:Topic": {
            const topicName = inputs.name ?? `${name}-a1b2c3d`;
            return { ...inputs, name: topicName, arn: arn("sns", topicName) };
        }
        case "aws:cloudwatch/eventRule:EventRule": {
            const ruleName = inputs.name ?? `${name}-a1b2c3d`;
            return { ...inputs, name: ruleName, arn: arn("events", `rule/${ruleName}`) };
        }
        case "aws:ec2/subnet:Subnet":
            return { ...inputs, arn: arn("ec2", `subnet/${name}`) };
        case "aws:sqs/queue:Queue": {
            const queueName = inputs.name ?? `${name}-a1b2c3d`;
            return {
                ...inputs,
                name: queueName,
                arn: arn("sqs", queueName),
                url: `https://sqs.${region}.amazonaws.com/${ACCOUNT}/${queueName}`,
            };
        }
        case "aws:cloudwatch/eventRule:EventRule": {
            const ruleName = inputs.name ?? `${name}-a1b2c3d`;
            return { ...inputs, name: ruleName, arn: arn("events", `rule/${ruleName}`) };
        }
        case REGISTRATION_RESOURCE:
            // A runner registered through the GitLab API: GitLab's id and the glrt- token it issues (a recognisable fake).
            return { ...inputs, runnerId: mockRunnerId(name), token: registeredRunnerToken(name), tokenExpiresAt: null };
        default:
            return { ...inputs };
    }
}

/**
 * Invoke results. `secureParameters` answers decrypted SSM lookups by parameter name (e.g. the GitLab API token's
 * parameter); any other SecureString is taken for a runner token.
 */
export function mockCall(
    token: string,
    inputs: Record<string, any>,
    region: string,
    secureParameters: Readonly<Record<string, string>> = {},
): Record<string, any> {
    switch (token) {
        case "aws:eks/getAddonVersion:getAddonVersion":
            return { ...inputs, version: `v1.0.0-eksbuild.1` };
        case "aws:ssm/getParameter:getParameter":
            // A runner token kept in an SSM SecureString (runners.<name>.tokenSsmParameter): a recognisable fake.
            if (inputs.withDecryption)
                return {
                    ...inputs,
                    value: secureParameters[inputs.name] ?? ssmRunnerToken(inputs.name),
                    type: "SecureString",
                    arn: `arn:aws:ssm:${region}:${ACCOUNT}:parameter${inputs.name}`,
                };
            // The newest Amazon Linux 2023 AMI (a VM runner's image), or the recommended AMI release for a cluster
            // version, as the public SSM parameters return them: of the minor the parameter is for, so a version
            // upgrade changes every group's release as it does on AWS.
            return {
                ...inputs,
                value: String(inputs.name).startsWith("/aws/service/ami-amazon-linux-latest/")
                    ? "ami-0a1b2c3d4e5f60718"
                    : `${/\b(1\.\d+)\b/.exec(String(inputs.name))?.[1] ?? "1.34"}.2-20251112`,
                type: "String",
                arn: `arn:aws:ssm:${region}::parameter${inputs.name}`,
            };
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/ci`, userId: "AIDEXAMPLE" };
        case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com" };
        case "aws:ec2/getRouteTables:getRouteTables":
            // Subnets of the shipped stacks are private: each has its own table, routed through a NAT gateway.
            return { ...inputs, ids: [`rtb-${String(inputs.filters?.[0]?.values?.[0] ?? "main").replace(/^subnet-/, "")}`] };
        case "aws:ec2/getRouteTable:getRouteTable":
            return {
                ...inputs,
                routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: "nat-0a1b2c3d4e5f60718", gatewayId: "" }],
            };
        case "aws:index/getRegion:getRegion":
            return { name: region, region, id: region };
        default:
            return inputs;
    }
}

export type { pulumi };

/** The type of the registration resource (components/runners/registration/resource.ts) in URNs. */
export const REGISTRATION_RESOURCE = "pulumi-nodejs:dynamic/eks-gitlab-runners:RunnerRegistration";

/** The fake token GitLab "issues" to a registered runner under mocks, by the registration resource's name. */
export const registeredRunnerToken = (resource: string) => `glrt-registered-${resource}`;

/** A stable fake GitLab runner id per registration resource name. */
export function mockRunnerId(resource: string): number {
    let h = 0;
    for (const c of resource) h = (h * 31 + c.charCodeAt(0)) % 90_000;
    return 10_000 + h;
}

/** The fake token the SSM mock returns for a SecureString parameter name. */
export const ssmRunnerToken = (parameter: string) => `glrt-ssm-${parameter.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "")}`;
