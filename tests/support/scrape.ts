// What the scrape tests share: a two-runner stack, every source collected, the scrape job of a source, and the
// upstream metric lists (tests/fixtures/upstream).
import * as fs from "fs";
import * as path from "path";
import { parseStackConfig } from "../../config";
import { prometheusScrapeConfig } from "../../config/observability";
import { KARPENTER_VERSION } from "../../model/karpenter";
import { validDocument, withValue } from "./fixtures";
import { ROOT } from "./harness";

const UPSTREAM = path.join(ROOT, "tests/fixtures/upstream");

/** name → label names, from a metrics TSV fixture (columns name, type, labels, const_labels, file). */
export function upstreamMetrics(file: string): Map<string, { type: string; labels: string[] }> {
    const rows = fs
        .readFileSync(path.join(UPSTREAM, file), "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "" && !l.startsWith("#"))
        .slice(1)
        .map((l) => l.split("\t"));
    return new Map(rows.map(([name, type, labels]) => [name, { type, labels: labels ? labels.split(",") : [] }]));
}

export const config = () => {
    let doc = withValue(validDocument(), ["runners", "arm64"], { nodeGroup: "arm64-spot", tags: ["arm64"], concurrent: 5 });
    doc = withValue(doc, ["runnerTokens", "arm64"], "glrt-fixture-arm64");
    return parseStackConfig(doc, "eu-west-1");
};
export const collection = { sources: ["runner", "clusterAutoscaler", "karpenter"] as const };
export const KARPENTER_FIXTURE = `karpenter-metrics.v${KARPENTER_VERSION}.tsv`;
export const job = (name: string) => prometheusScrapeConfig(collection).scrape_configs.find((j) => j.job_name === name)!;
