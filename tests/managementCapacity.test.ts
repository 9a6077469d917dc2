// The management group's capacity: the platform pods it must hold, even with one node gone, as a config error.
import { strict as assert } from "assert";
import { problemsOf, validDocument, withValue } from "./support/fixtures";
import { checkManagementRoom, managementPods } from "../config/managementCapacity";
import { PLATFORM_DEPLOYMENTS } from "../model/platformWorkloads";
import { parseCpuMillis, parseMemoryMiB } from "../config/quantities";
import { clusterAutoscalerValues } from "../config/addons/clusterAutoscaler";
import { metricsServerValues } from "../config/addons/metricsServer";
import { parseStackConfig } from "../config";

describe("management group capacity", () => {
    const perNode = { cpuMillis: 1480, memoryMiB: 7299, pods: 30 }; // t3.large with Container Insights
    const pod = (name: string, cpuMillis: number, memoryMiB: number, replicas = 1) => ({ name, replicas, cpuMillis, memoryMiB });

    it("fits, hand-computed: 2 × t3.large hold the test stack's platform pods even with one node gone", () => {
        // coredns 2 × 100m/70Mi + autoscaler 2 × 100m/300Mi + metrics-server 2 × 100m/200Mi + operator 100m/64Mi + a 200m/256Mi manager
        const pods = [
            pod(
                PLATFORM_DEPLOYMENTS.coreDns.name,
                PLATFORM_DEPLOYMENTS.coreDns.cpuMillis,
                PLATFORM_DEPLOYMENTS.coreDns.memoryMiB,
                PLATFORM_DEPLOYMENTS.coreDns.replicas,
            ),
            pod(
                PLATFORM_DEPLOYMENTS.clusterAutoscaler.name,
                PLATFORM_DEPLOYMENTS.clusterAutoscaler.cpuMillis,
                PLATFORM_DEPLOYMENTS.clusterAutoscaler.memoryMiB,
                PLATFORM_DEPLOYMENTS.clusterAutoscaler.replicas,
            ),
            pod(
                PLATFORM_DEPLOYMENTS.metricsServer.name,
                PLATFORM_DEPLOYMENTS.metricsServer.cpuMillis,
                PLATFORM_DEPLOYMENTS.metricsServer.memoryMiB,
                PLATFORM_DEPLOYMENTS.metricsServer.replicas,
            ),
            pod(
                PLATFORM_DEPLOYMENTS.containerInsightsOperator.name,
                PLATFORM_DEPLOYMENTS.containerInsightsOperator.cpuMillis,
                PLATFORM_DEPLOYMENTS.containerInsightsOperator.memoryMiB,
                PLATFORM_DEPLOYMENTS.containerInsightsOperator.replicas,
            ),
            pod("manager", 200, 256),
        ];
        const { capacity, findings } = checkManagementRoom(
            { name: "management", minSize: 2, boundBy: "t3.large" },
            perNode,
            pods,
        );
        assert.deepEqual(capacity.demand, { cpuMillis: 900, memoryMiB: 1460, pods: 8 });
        assert.deepEqual(capacity.roomLessOneNode, perNode);
        assert.deepEqual(findings, []);
    });

    it("warns when one node gone leaves too little room, and errors when even all nodes are too small", () => {
        const group = { name: "management", minSize: 2, boundBy: "t3.large" };
        const tight = checkManagementRoom(group, perNode, [pod("managers", 500, 512, 4)]); // 2000m: > 1480, ≤ 2960
        assert.deepEqual(
            tight.findings.map((f) => [f.severity, f.subject]),
            [["warning", "nodeGroups.management"]],
        );
        const over = checkManagementRoom(group, perNode, [pod("managers", 500, 512, 7)]); // 3500m > 2960
        assert.deepEqual(
            over.findings.map((f) => [f.severity, f.subject]),
            [["error", "nodeGroups.management"]],
        );
        assert.match(over.findings[0].message, /need 3\.5 CPU \/ 3\.5Gi \/ 7 pods but 2 × t3\.large give 2\.96 CPU/);
    });

    it("counts only the enabled add-ons and one manager per runner", () => {
        const off = { enabled: false } as any;
        const pods = managementPods({ clusterAutoscaler: off, karpenter: off, metricsServer: off, containerInsights: off }, [
            { name: "a", manager: { cpuRequest: "250m", memoryRequest: "1Gi", memoryLimit: "2Gi" } },
        ]);
        assert.deepEqual(
            pods.map((p) => p.name),
            ["coredns", "runner manager a"],
        );
        assert.deepEqual(pods[1], { name: "runner manager a", replicas: 1, cpuMillis: 250, memoryMiB: 1024 });
    });

    it("the autoscaler and metrics-server values render exactly the requests the capacity model counts", () => {
        const config = parseStackConfig(validDocument(), "eu-west-1");
        const management = config.nodeGroups.management;
        const rendered = [
            [
                clusterAutoscalerValues({
                    config: config.addons.clusterAutoscaler,
                    clusterName: "c",
                    region: "eu-west-1",
                    management,
                }),
                "replicaCount",
                PLATFORM_DEPLOYMENTS.clusterAutoscaler,
            ],
            [metricsServerValues(config.addons.metricsServer, management), "replicas", PLATFORM_DEPLOYMENTS.metricsServer],
        ] as const;
        for (const [values, replicasKey, counted] of rendered) {
            const { requests } = values.resources as { requests: { cpu: string; memory: string } };
            assert.equal(values[replicasKey], counted.replicas, counted.name);
            assert.equal(parseCpuMillis(requests.cpu), counted.cpuMillis, counted.name);
            assert.equal(parseMemoryMiB(requests.memory), counted.memoryMiB, counted.name);
        }
        const pods = managementPods(config.addons, []).map((p) => p.name);
        assert.ok(
            pods.includes(PLATFORM_DEPLOYMENTS.clusterAutoscaler.name) && pods.includes(PLATFORM_DEPLOYMENTS.metricsServer.name),
        );
    });
});

describe("capacity errors block the config layer", () => {
    it("a management group too small for its pods is a ConfigError at its path", () => {
        let doc = withValue(validDocument(), ["nodeGroups", "management", "instanceTypes"], ["t3.medium"]);
        doc = withValue(doc, ["runners", "amd64", "manager"], { cpuRequest: "3", memoryRequest: "256Mi", memoryLimit: "1Gi" });
        const problems = problemsOf(doc);
        assert.equal(problems.length, 1, problems.join("\n"));
        // 3 CPU of the manager + autoscaler, metrics-server, Container Insights operator and fleet-metrics agent.
        assert.match(problems[0], /^nodeGroups\.management: its platform pods and runner managers need 3\.8 CPU/);
    });
});
