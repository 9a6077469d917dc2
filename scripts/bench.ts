/**
 * `npm run bench`: times, in one run, (a) importing the four Pulumi SDKs alone, (b) the offline plan of the prod
 * stack, (c) the plan of a generated stack with 50 runners and 20 node groups — each a fresh process, median of
 * RUNS — and prints b/a and c/b. Not part of the tests.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";

const ROOT = path.resolve(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

function time(label: string, args: string[]): number {
    const samples: number[] = [];
    for (let i = 0; i < RUNS; i++) {
        const start = process.hrtime.bigint();
        const result = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        if (result.status !== 0) throw new Error(`${label} failed (${result.status}): ${result.stderr}`);
        samples.push(ms);
    }
    const m = median(samples);
    console.log(
        `${label.padEnd(48)} median ${(m / 1000).toFixed(2)} s   runs ${samples.map((s) => (s / 1000).toFixed(2)).join(" ")}`,
    );
    return m;
}

/** A valid stack with 1 management + 19 job groups and 50 runners (distinct tags, each within its group's capacity). */
function generatedStack(): string {
    const prod = fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8");
    const config = (require("yaml").parse(prod) as { config: Record<string, unknown> }).config;
    const ns = "eks-gitlab-runners";
    const nodeGroups: Record<string, unknown> = {
        management: { role: "management", instanceTypes: ["m7i.large"], minSize: 3, maxSize: 3 },
    };
    const runners: Record<string, unknown> = {};
    for (let g = 1; g <= 19; g++) {
        const arm = g % 3 === 0;
        nodeGroups[`jobs-${g}`] = arm
            ? { role: "jobs", capacityType: "SPOT", instanceTypes: ["m7g.2xlarge", "m6g.2xlarge"], minSize: 0, maxSize: 10 }
            : { role: "jobs", instanceTypes: ["m7i.2xlarge"], minSize: 0, maxSize: 10 };
    }
    for (let r = 1; r <= 50; r++) {
        const group = `jobs-${((r - 1) % 19) + 1}`;
        runners[`runner-${r}`] = { nodeGroup: group, tags: [`bench-${r}`], concurrent: 10 };
    }
    return stringify({ config: { ...config, [`${ns}:nodeGroups`]: nodeGroups, [`${ns}:runners`]: runners } });
}

const sdks = time("(a) import the four Pulumi SDKs", [
    "-e",
    "require('@pulumi/pulumi'); require('@pulumi/aws'); require('@pulumi/eks'); require('@pulumi/kubernetes');",
]);
const prod = time("(b) offline plan of prod", ["plan/run.js", "prod", "--format", "json"]);
const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-")), "Pulumi.bench.yaml");
fs.writeFileSync(file, generatedStack());
const large = time("(c) plan of 50 runners / 20 node groups", ["plan/run.js", "bench", "--stack-file", file, "--format", "json"]);
console.log(`b/a = ${(prod / sdks).toFixed(2)} (target ≤ 1.3)   c/b = ${(large / prod).toFixed(2)} (target ≤ 1.5)`);
