import { NODEGROUP_KEY, ROLE_KEY, RUNNER_LABELS, RUNNER_NAMESPACES } from "../model/labels";
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { JOBS_DISCOVERY_TAG } from "../model/autoscalerTags";
import { DRAIN_BOUND_TAG } from "../components/nodegroups/lifecycle/drainPlan";
import { TAGS as BREAK_GLASS_TAGS } from "../scripts/ci/breakGlass";
import { oidcAudience, shippedDeployWindow } from "../scripts/ci/deployWindow";
import { iamCommand } from "../scripts/ci/iam";
import { protectedRefs } from "../scripts/ci/trust";
import { CI_FILE, parsePipeline, Pipeline } from "./support/gitlabCi";
import { ROOT } from "./support/harness";
import { MIN_PULUMI_CLI_VERSION } from "../config/versions";

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
            "First deployment",
            "Threat model",
            "How long a deploy may take",
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
            "PodEvictionFailure",
            "drain bound",
        ]) {
            assert.ok(all.includes(topic), topic);
        }
        assert.ok(all.includes("pulumi config set -s test --secret --path 'runnerTokens.amd64'"), "the manual token command");
        assert.ok(all.includes("--name /ci/gitlab/runner-admin-token"), "the API token of registered runners, in SSM");
        assert.ok(!all.includes("--path 'runnerTokens.amd64-spot'"), "no runner token is copied by hand for prod");
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

    it("shows every IAM document it asks for in full, exactly as scripts/ci/iam.ts prints it", () => {
        const ciText = fs.readFileSync(CI_FILE, "utf8");
        let shown = 0;
        for (const file of docs) {
            for (const [, args, json] of text(file).matchAll(/^<!-- iam\.ts (.+) -->\n```json\n([\s\S]*?)^```/gm)) {
                shown++;
                assert.deepEqual(JSON.parse(json), JSON.parse(iamCommand(args.split(" "), ciText)), `${file}: iam.ts ${args}`);
            }
        }
        assert.equal(shown, 3, "deploy and preview trust policies, the preview role's backend policy");
    });

    it("protects exactly the refs the roles trust, and registers the OIDC audience the jobs request", () => {
        const branches = [...all.matchAll(/protected_branches" \\\n\s+--form '?name=([^' ]+)'?/g)].map((m) => `branch:${m[1]}`);
        const tags = [...all.matchAll(/protected_tags" \\\n\s+--form '?name=([^' ]+)'?/g)].map((m) => `tag:${m[1]}`);
        const trusted = Object.values(protectedRefs()).map((r) => `${r.type}:${r.pattern}`);
        assert.deepEqual([...branches, ...tags].sort(), trusted.sort());
        assert.match(
            all,
            /--form name=main --form push_access_level=0 --form merge_access_level=40/,
            "main: merge requests only",
        );
        assert.match(all, /--form forking_access_level=disabled/);
        const audiences = [...all.matchAll(/create-open-id-connect-provider .*--client-id-list (\S+)/g)].map((m) => m[1]);
        assert.deepEqual(audiences, [oidcAudience(fs.readFileSync(CI_FILE, "utf8"))]);
    });

    it("states the deploy window the pipeline declares, and gives the infra runner at least that long", () => {
        const window = shippedDeployWindow();
        const page = text("docs/runbook.md");
        assert.ok(page.includes(`DEPLOY_SESSION_SECONDS: ${window.sessionSeconds}`), "session");
        assert.ok(
            page.includes(`${window.timeoutMinutes} minutes`) && page.includes(`timeout: ${window.timeoutMinutes / 60}h`),
            "timeout",
        );
        const [, maximum] =
            /description=infra [\s\S]*?--data maximum_timeout=(\d+)/.exec(all) ?? assert.fail("infra runner registration");
        assert.ok(Number(maximum) >= window.timeoutMinutes * 60, `infra runner maximum_timeout ${maximum}`);
    });

    it("uses no GNU-only command forms in its shell blocks (date -d, sed -i without suffix, grep -P, readlink -f, stat -c, base64 -w)", () => {
        const gnuOnly = [
            /\bdate\b[^\n|;]*\s(-d|--date)\b/,
            /\bsed\s+-i\s+['"]/,
            /\bgrep\s+-\w*P/,
            /\breadlink\s+-f\b/,
            /\bstat\s+-c\b/,
            /\bbase64\s+-w\b/,
        ];
        for (const file of docs) {
            for (const [, , body] of text(file).matchAll(/^( *)```sh\n([\s\S]*?)^\1```/gm)) {
                for (const pattern of gnuOnly) assert.doesNotMatch(body, pattern, `${file}: ${pattern}`);
            }
        }
        assert.match("EXPIRES=$(date -u -d '+4 hours' +%H)", gnuOnly[0], "the check does catch the old break-glass snippet");
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
            DRAIN_BOUND_TAG,
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

    it("states one minimum Pulumi CLI, the one resource hooks need, and the pipeline's image meets it", () => {
        // config/versions.ts MIN_PULUMI_CLI_VERSION: resource hooks (the node-group drain) need CLI v3.182.0.
        const stated = ["README.md", ...docs, "docs/runners.md", "docs/addons.md"].flatMap((file) =>
            [...text(file).matchAll(/Pulumi CLI (?:≥ |\*\*)(\d+\.\d+(?:\.\d+)?)/g)].map((m) => `${file}: ${m[1]}`),
        );
        assert.ok(stated.length >= 3, stated.join("; "));
        for (const s of stated) assert.equal(s.split(": ")[1], MIN_PULUMI_CLI_VERSION, s);
        const image = /pulumi\/pulumi-nodejs:(\d+)\.(\d+)\.(\d+)/.exec(fs.readFileSync(CI_FILE, "utf8"));
        const min = MIN_PULUMI_CLI_VERSION.split(".").map(Number);
        assert.ok(image, "the pipeline's Pulumi image");
        const [major, minor, patch] = image.slice(1).map(Number);
        assert.ok(major > min[0] || (major === min[0] && (minor > min[1] || (minor === min[1] && patch >= min[2]))), image[0]);
    });
});
