// The fixture stack and one runner's rendered Helm values, for the runner renderer tests.
import { allNodeGroups } from "../../config";
import { parseStackConfig, RunnerConfig, StackConfig } from "../../config";
import { renderRunnerToml } from "../../components/runners/configToml";
import { runnerHelmValues } from "../../components/runners/helmValues";
import { validDocument } from "./fixtures";

export const REGION = "eu-west-1";
export const CACHE = { bucketName: "ci-cache-bucket", region: REGION };

export function stack(doc: Record<string, any> = validDocument()): StackConfig {
    return parseStackConfig(doc, REGION);
}
export const groupOf = (cfg: StackConfig, r: RunnerConfig) => allNodeGroups(cfg.nodeGroups).find((g) => g.name === r.nodeGroup)!;
export const managementOf = (cfg: StackConfig) => cfg.nodeGroups.management;
export const valuesOf = (cfg: StackConfig, r: RunnerConfig) =>
    runnerHelmValues({
        runner: r,
        gitlabUrl: cfg.gitlab.url,
        clusterName: cfg.cluster.name,
        management: managementOf(cfg),
        runnersConfig: renderRunnerToml({ runner: r, group: groupOf(cfg, r), cache: CACHE }),
    });
