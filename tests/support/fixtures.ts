import { strict as assert } from "assert";
import { ConfigError, parseStackConfig } from "../../config";

/** A small, valid stack document to mutate in table tests (plain data, as the config layer receives it). */
export function validDocument(): Record<string, any> {
    return {
        gitlab: { url: "https://gitlab.example.com" },
        cluster: {
            name: "ci-fixture",
            version: "1.34",
            adminRoleArns: ["arn:aws:iam::111122223333:role/PlatformAdmin"],
            viewerRoleArns: ["arn:aws:iam::111122223333:role/ReadOnly"],
            // The private-only default endpoint needs a way in for the deploy runner.
            endpoint: { privateAccessCidrs: ["10.0.0.0/16"] },
        },
        network: {
            vpcId: "vpc-0a1b2c3d4e5f60718",
            subnetIds: ["subnet-0a1b2c3d4e5f60718", "subnet-1b2c3d4e5f607182a"],
            podSubnets: {
                cidrBlock: "100.64.0.0/16",
                subnets: [
                    { availabilityZone: "eu-west-1a", cidrBlock: "100.64.0.0/18", routeTableId: "rtb-0a1b2c3d4e5f60718" },
                    { availabilityZone: "eu-west-1b", cidrBlock: "100.64.64.0/18", routeTableId: "rtb-1b2c3d4e5f607182a" },
                ],
            },
        },
        nodeGroups: {
            management: { role: "management", instanceTypes: ["m7i.large"], minSize: 2, maxSize: 2 },
            amd64: { role: "jobs", instanceTypes: ["m7i.2xlarge"], minSize: 0, maxSize: 10 },
            "arm64-spot": {
                role: "jobs",
                capacityType: "SPOT",
                instanceTypes: ["m7g.2xlarge", "m6g.2xlarge"],
                minSize: 0,
                maxSize: 5,
            },
        },
        runners: {
            amd64: { nodeGroup: "amd64", tags: ["amd64"], concurrent: 20 },
        },
        // In a real stack this is secret config; validation only checks which runners have one.
        runnerTokens: { amd64: "glrt-fixture-amd64" },
    };
}

/** validDocument() with Karpenter as its engine: the management group, two pools, a runner on each. */
export function karpenterDocument(): Record<string, any> {
    const doc = validDocument();
    doc.addons = { nodeAutoscaler: "karpenter" };
    doc.nodeGroups = { management: doc.nodeGroups.management };
    doc.nodeGroups.management.instanceTypes = ["m7i.xlarge"];
    doc.nodePools = {
        "amd64-spot": {
            arch: "amd64",
            capacityTypes: ["spot", "on-demand"],
            instanceFamilies: ["m7i", "m7a", "m6i"],
            instanceSizes: ["2xlarge", "4xlarge"],
            cpuLimit: 400,
        },
        arm64: { arch: "arm64", instanceFamilies: ["m7g"], instanceSizes: ["2xlarge"], cpuLimit: 80 },
    };
    doc.runners = {
        amd64: { nodePool: "amd64-spot", tags: ["amd64"], concurrent: 20, maxJobTimeoutMinutes: 90 },
        arm64: { nodePool: "arm64", tags: ["arm64"], concurrent: 10 },
    };
    doc.runnerTokens = { amd64: "glrt-fixture-amd64", arm64: "glrt-fixture-arm64" };
    return doc;
}

/**
 * A small VM runner as a stack file gives it (the docker-autoscaler example, 10 VMs): a catch-all policy
 * without idle VMs, then two idle jobs in Berlin working hours. `change` overrides fields.
 */
export function vmRunnerInput(change: Record<string, unknown> = {}): Record<string, any> {
    return {
        executor: "docker-autoscaler",
        tags: ["vm-docker"],
        instanceTypes: ["c7a.2xlarge"],
        arch: "amd64",
        maxInstances: 10,
        policies: [
            { periods: ["* * * * *"], idleCount: 0, idleTime: "5m" },
            { periods: ["* 7-18 * * mon-fri"], timezone: "Europe/Berlin", idleCount: 2, idleTime: "20m" },
        ],
        ...change,
    };
}

/** validDocument() plus VM runners (name → input), each with a token. */
export function withVmRunners(vmRunners: Record<string, Record<string, unknown>>): Record<string, any> {
    let doc = withValue(validDocument(), ["vmRunners"], vmRunners);
    for (const name of Object.keys(vmRunners)) doc = withValue(doc, ["runnerTokens", name], `glrt-fixture-${name}`);
    return doc;
}

/** Applies `value` at a dotted path (array indexes as numbers); `undefined` deletes the key. */
export function withValue(doc: Record<string, any>, path: (string | number)[], value: unknown): Record<string, any> {
    const copy = structuredClone(doc);
    let node: any = copy;
    for (const key of path.slice(0, -1)) node = node[key];
    const last = path[path.length - 1];
    if (value === undefined) delete node[last];
    else node[last] = value;
    return copy;
}

/** Problems of a whole stack document as `path: message` lines; fails the test if the document is accepted. */
export function problemsOf(doc: Record<string, unknown>, region: string | null = "eu-west-1"): string[] {
    try {
        parseStackConfig(doc, region ?? undefined);
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e}`);
        return e.problems.map((p) => `${p.path}: ${p.message}`);
    }
    assert.fail("expected the document to be rejected");
}

/** Asserts the document is rejected with (at least) this problem, path and message start. */
export function rejects(doc: Record<string, unknown>, expected: string): void {
    const problems = problemsOf(doc);
    assert.ok(
        problems.some((p) => p.startsWith(expected)),
        `no problem starting with\n  ${expected}\nin\n  ${problems.join("\n  ")}`,
    );
}
