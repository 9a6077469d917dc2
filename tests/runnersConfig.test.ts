import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseStackConfig } from "../config";
import { CACHE_DEFAULTS } from "../config/cache";
import { RUNNER_OPTIONS, TERMINATION_GRACE_MARGIN_SECONDS } from "../config/runnerOptions";
import { RESOURCE_DEFAULTS } from "../config/runnerResources";

/** The default the runner option table gives a key. */
const defaultOf = (key: keyof typeof RUNNER_OPTIONS) => RUNNER_OPTIONS[key].schema.parse(undefined);
import { smallestNode } from "../config/runnerResources";
import { problemsOf, validDocument, withValue } from "./support/fixtures";

const REGION = "eu-west-1";

describe("runner config", () => {
    it("fills every default from the runner option table and derives names, chart and token source", () => {
        const r = parseStackConfig(validDocument(), REGION).runners[0];
        assert.equal(r.name, "amd64");
        assert.equal(r.checkInterval, defaultOf("checkInterval"));
        assert.equal(r.requestConcurrency, defaultOf("requestConcurrency"));
        assert.equal(r.outputLimit, defaultOf("outputLimit"));
        assert.equal(r.image, defaultOf("image"));
        assert.equal(r.privileged, false);
        assert.equal(r.pullPolicy, "if-not-present");
        assert.deepEqual(r.allowedPullPolicies, defaultOf("allowedPullPolicies"));
        assert.equal(r.pollTimeout, defaultOf("pollTimeout"));
        assert.equal(
            r.terminationGracePeriodSeconds,
            (defaultOf("maxJobTimeoutMinutes") as number) * 60 + TERMINATION_GRACE_MARGIN_SECONDS,
        );
        assert.deepEqual(r.manager, RESOURCE_DEFAULTS.manager);
        // The default chart is 0.92.0 ↔ GitLab Runner 19.3.0 (chart release notes, tests/fixtures/upstream/gitlab-runner-chart-versions.tsv).
        assert.deepEqual(r.chart, { version: "0.92.0", runnerVersion: "19.3.0" });
        assert.equal(r.warmCapacity, undefined, "warm capacity is off unless configured");
        assert.deepEqual(r.token, { source: "config" });
        assert.deepEqual(r.names, {
            release: "gitlab-runner-amd64",
            managerNamespace: "gitlab-runner",
            serviceAccount: "gitlab-runner-amd64",
            tokenSecret: "gitlab-runner-amd64-token",
            jobNamespace: "gitlab-jobs-amd64",
            jobServiceAccount: "gitlab-job-amd64",
        });
    });

    it("requests default to RESOURCE_DEFAULTS, no CPU limit, and ceilings to the room on the smallest node", () => {
        const r = parseStackConfig(validDocument(), REGION).runners[0];
        // m7i.2xlarge, Container Insights on: CPU 8000m − 90 kube-reserved − 450 DaemonSets; memory 32768 − 893 − 100 − 153.
        const node = smallestNode({ name: "amd64", instanceTypes: ["m7i.2xlarge"] }, true)!;
        assert.deepEqual(node, {
            group: "amd64",
            cpuMillis: 7460,
            cpuType: "m7i.2xlarge",
            memoryMiB: 31622,
            memoryType: "m7i.2xlarge",
            pods: 53,
        });
        assert.deepEqual(r.resources.build, {
            cpuRequest: "1",
            cpuLimit: undefined,
            memoryRequest: "2Gi",
            memoryLimit: "4Gi",
            cpuRequestMax: "7360m",
            cpuLimitMax: undefined,
            memoryRequestMax: "31494Mi",
            memoryLimitMax: "31622Mi",
        });
        assert.deepEqual(r.resources.helper, {
            cpuRequest: "100m",
            cpuLimit: undefined,
            memoryRequest: "128Mi",
            memoryLimit: "512Mi",
            cpuRequestMax: "6460m",
            cpuLimitMax: undefined,
            memoryRequestMax: "29574Mi",
            memoryLimitMax: "31622Mi",
        });
        assert.deepEqual(r.resources.services, {
            cpuRequest: "250m",
            cpuLimit: undefined,
            memoryRequest: "256Mi",
            memoryLimit: "1Gi",
            cpuRequestMax: "6360m",
            cpuLimitMax: undefined,
            memoryRequestMax: "29446Mi",
            memoryLimitMax: "31622Mi",
        });
    });

    it("a configured CPU limit gets a ceiling of the node's allocatable CPU", () => {
        const r = parseStackConfig(withValue(validDocument(), ["runners", "amd64", "cpuLimit"], "2"), REGION).runners[0];
        assert.equal(r.resources.build.cpuLimit, "2");
        assert.equal(r.resources.build.cpuLimitMax, "7460m");
    });

    it("keeps only the token's presence: the validated config holds no token", () => {
        const doc = withValue(validDocument(), ["runnerTokens", "amd64"], "glrt-do-not-copy-me");
        const cfg = parseStackConfig(doc, REGION);
        assert.ok(!JSON.stringify(cfg).includes("glrt-"), "a token reached the StackConfig");
        assert.ok(!("runnerTokens" in cfg));
    });

    it("never quotes a token in an error message", () => {
        let doc = withValue(validDocument(), ["runnerTokens", "amd64"], "GR1348941-super-secret");
        doc = withValue(doc, ["runnerTokens", "ghost"], "glrt-another-secret");
        const problems = problemsOf(doc).join("\n");
        assert.ok(!problems.includes("super-secret") && !problems.includes("another-secret"), problems);
    });

    it("an SSM parameter is a token source of its own", () => {
        let doc = withValue(validDocument(), ["runners", "amd64", "tokenSsmParameter"], "/ci/runners/amd64/token");
        doc = withValue(doc, ["runnerTokens"], undefined);
        assert.deepEqual(parseStackConfig(doc, REGION).runners[0].token, { source: "ssm", parameter: "/ci/runners/amd64/token" });
    });

    it("cache defaults come from CACHE_DEFAULTS", () => {
        assert.deepEqual(parseStackConfig(validDocument(), REGION).cache, { ...CACHE_DEFAULTS });
    });

    it("accepts overlapping tags between runners on equivalent nodes", () => {
        let doc = withValue(validDocument(), ["nodeGroups", "amd64-big"], {
            role: "jobs",
            instanceTypes: ["m7i.4xlarge"],
            minSize: 0,
            maxSize: 2,
        });
        doc = withValue(doc, ["runners", "big"], { nodeGroup: "amd64-big", tags: ["amd64", "big"], concurrent: 5 });
        doc = withValue(doc, ["runnerTokens", "big"], "glrt-x");
        assert.equal(parseStackConfig(doc, REGION).runners.length, 2);
    });

    it("docs/runners.md states exactly the cache defaults CACHE_DEFAULTS holds (runner defaults are generated)", () => {
        const text = fs.readFileSync(path.join(__dirname, "..", "docs", "runners.md"), "utf8");
        const cell = (key: string) => {
            const line = text.split("\n").find((l) => l.startsWith(`| \`${key}\` |`));
            assert.ok(line, `no reference row for ${key}`);
            return line.split("|")[2].trim();
        };
        assert.equal(cell("expirationDays"), `\`${CACHE_DEFAULTS.expirationDays}\``);
        assert.equal(cell("retainOnDestroy"), `\`${CACHE_DEFAULTS.retainOnDestroy}\``);
    });

    it("accepts a privileged runner that only takes tagged jobs", () => {
        const r = parseStackConfig(withValue(validDocument(), ["runners", "amd64", "privileged"], true), REGION).runners[0];
        assert.equal(r.privileged, true);
    });
});
