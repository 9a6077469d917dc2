import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { JOBS_DISCOVERY_TAG } from "../components/nodegroups/asgTags";
import { TAGS as BREAK_GLASS_TAGS } from "../scripts/ci/breakGlass";
import { NODEGROUP_KEY, ROLE_KEY } from "../config/nodeGroups";
import { RUNNER_LABELS, RUNNER_NAMESPACES } from "../config/runnerDefaults";
import { CI_FILE, parsePipeline, Pipeline } from "./support/gitlabCi";
import { ROOT } from "./support/harness";

// The runbook drives this pipeline and this program: its job names, label keys, namespaces, stack outputs and links must
// be the real ones, or its commands stop working silently.
describe("runbook", () => {
    const docs = ["docs/runbook.md", ...fs.readdirSync(path.join(ROOT, "docs/runbook")).map((f) => `docs/runbook/${f}`)];
    const text = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");
    const all = docs.map(text).join("\n");
    const pipeline = parsePipeline(fs.readFileSync(CI_FILE, "utf8")) as Pipeline;
    const slug = (heading: string) =>
        heading
            .trim()
            .toLowerCase()
            .replace(/[^a-z0-9 _-]/g, "")
            .replace(/ /g, "-");
    const anchors = (file: string) =>
        new Set(
            text(file)
                .split("\n")
                .filter((l) => /^#{1,6} /.test(l))
                .map((l) => slug(l.replace(/^#+ /, ""))),
        );

    it("covers every topic of the delivery issue", () => {
        for (const topic of [
            "First deployment into an account",
            "Adding a runner",
            "Tuning a runner",
            "Adding a node group",
            "Cluster upgrade",
            "Monthly patching",
            "Break-glass",
            "Migrating from the legacy",
            "Jobs wait in",
            "Scale-from-zero",
            "OOMKilled",
            "killed on scale-down",
            "IP address exhaustion",
            "Runner metrics",
            "Container Insights",
            "15-minute drain limit",
        ]) {
            assert.ok(all.includes(topic), topic);
        }
        assert.ok(all.includes("pulumi config set -s prod --secret --path 'runnerTokens.amd64'"), "the token command");
        assert.ok(/control plane → add-ons → autoscaler[\s\S]{0,60}→ node groups/.test(all), "the upgrade order is spelled out");
    });

    it("every sh block is valid bash, and every yaml block parses", () => {
        let blocks = 0;
        for (const file of docs) {
            for (const [, indent, lang, body] of text(file).matchAll(/^( *)```(sh|yaml)\n([\s\S]*?)^\1```/gm)) {
                blocks++;
                const code = body
                    .split("\n")
                    .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l))
                    .join("\n"); // fences inside list items
                if (lang === "sh") {
                    const result = spawnSync("bash", ["-n"], { input: code, encoding: "utf8" });
                    assert.equal(result.status, 0, `${file}: ${result.stderr}\n${code}`);
                } else {
                    assert.doesNotThrow(() => parseYaml(code), `${file}:\n${code}`);
                }
            }
        }
        assert.ok(blocks > 30, `${blocks} blocks`);
    });

    it("every relative link and anchor resolves", () => {
        for (const file of docs) {
            for (const [, target] of text(file).matchAll(/\]\(([^)\s]+)\)/g)) {
                if (/^https?:/.test(target)) continue;
                const [rel, anchor] = target.split("#");
                const resolved = rel ? path.join(path.dirname(file), rel) : file;
                assert.ok(fs.existsSync(path.join(ROOT, resolved)), `${file}: ${target}`);
                if (anchor) assert.ok(anchors(resolved).has(anchor), `${file}: #${anchor} is not a heading of ${resolved}`);
            }
        }
    });

    it("names only CI jobs that exist", () => {
        const named = [
            ...all.matchAll(/\b((?:deploy|preview|drift|patch):(?:test|prod)|break-glass:(?:grant|revoke):(?:test|prod))\b/g),
        ].map((m) => m[1]);
        assert.ok(named.length > 10);
        for (const job of new Set(named)) assert.ok(pipeline.jobs[job], job);
    });

    it("uses the label keys, tags and namespaces the code uses", () => {
        const known = new Set<string>([
            ROLE_KEY,
            NODEGROUP_KEY,
            ...Object.values(RUNNER_LABELS),
            JOBS_DISCOVERY_TAG,
            ...Object.values(BREAK_GLASS_TAGS),
            ...[...fs.readFileSync(CI_FILE, "utf8").matchAll(/eks-gitlab-runners\/[a-z-]+/g)].map((m) => m[0]),
        ]);
        for (const [key] of all.matchAll(/eks-gitlab-runners\/[a-z-]+(?=[=:`\s,"])/g)) assert.ok(known.has(key), key);
        assert.ok(all.includes(`-n ${RUNNER_NAMESPACES.managers} `));
        assert.ok(all.includes(`${RUNNER_NAMESPACES.jobsPrefix}$RUNNER`));
    });

    it("reads only stack outputs the program exports", () => {
        const program = fs.readFileSync(path.join(ROOT, "index.ts"), "utf8");
        const exported = new Set([...program.slice(program.lastIndexOf("return {")).matchAll(/^\s+(\w+):/gm)].map((m) => m[1]));
        const used = [...all.matchAll(/pulumi stack output (\w+)/g)].map((m) => m[1]);
        assert.ok(used.length > 5);
        for (const name of new Set(used)) assert.ok(exported.has(name), `pulumi stack output ${name}`);
    });
});
