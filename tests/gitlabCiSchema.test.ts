import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { CI_FILE, parsePipeline, Pipeline } from "./support/gitlabCi";
import {
    atPointer,
    CLOSED_BY_GITLAB,
    docsYamlBlocks,
    gitlabCiSchema,
    pipelineSchemaErrors,
    readRepositoryFile,
    schemaErrors,
} from "./support/gitlabCiSchema";
import { ROOT } from "./support/harness";
import { GLOBAL_KEYWORDS } from "./support/gitlabPipeline";

// .gitlab-ci.yml against GitLab's own CI configuration schema (the pipeline editor's ci.json, pinned in
// tests/fixtures/upstream/SOURCES.md): a misspelt keyword under rules:, artifacts:, id_tokens:, cache:, workflow: …
// would otherwise first show as a pipeline GitLab refuses to create, on the first merge request. The behaviour of the
// pipeline (which jobs run where, with which identity) is tested in gitlabCiPipelines.test.ts and gitlabCiJobs.test.ts.
describe("GitLab CI schema", () => {
    const text = fs.readFileSync(CI_FILE, "utf8");
    const shipped = parsePipeline(text) as Pipeline;
    const errorsOf = (changed: string) => schemaErrors(changed, ".gitlab-ci.yml");
    /** The shipped file with exact pieces of it replaced, each found exactly once. */
    const edited = (...edits: [string, string][]) =>
        edits.reduce((at, [from, to]) => {
            assert.equal(at.split(from).length, 2, `not exactly once in .gitlab-ci.yml: ${from}`);
            return at.replace(from, to);
        }, text);
    /** Asserts that each message is among the errors (several edits share one validation: they are independent). */
    const assertFound = (errors: string[], ...messages: string[]) => {
        for (const m of messages)
            assert.ok(
                errors.some((e) => e.includes(m)),
                `no error "${m}" in:\n${errors.join("\n")}`,
            );
    };

    it("accepts the shipped .gitlab-ci.yml and every file it includes", () => {
        assert.deepEqual(pipelineSchemaErrors(".gitlab-ci.yml", readRepositoryFile), []);
    });

    it("refuses a misspelt keyword in a job, in a rule, in workflow and in a global variable", () => {
        const errors = errorsOf(
            edited(
                [
                    "npm-test:\n  extends: .node\n  stage: verify\n  rules:",
                    "npm-test:\n  extends: .node\n  stage: verify\n  rule:",
                ],
                [
                    '    - if: $CI_PIPELINE_SOURCE == "merge_request_event"\n  variables:',
                    '    - iff: $CI_PIPELINE_SOURCE == "merge_request_event"\n  variables:',
                ],
                ["workflow:\n  rules:", "workflow:\n  rule:"],
                ["    options: [", "    option: ["],
            ),
        );
        assertFound(
            errors,
            '(as written) /npm-test must NOT have additional properties: "rule"',
            '(as written) /offline-plan/rules/0 must NOT have additional properties: "iff"',
            '(as written) /workflow must NOT have additional properties: "rule" (schema #/properties/workflow/additionalProperties)',
            '(as written) /variables/BREAK_GLASS_STACK must NOT have additional properties: "option"',
        );
    });

    it("refuses a misspelt keyword in a hidden template, through every job that extends it", () => {
        // The schema accepts anything under a hidden key ("Arbitrary YAML anchor"): only the jobs built from `.infra`
        // show the error, which is why every job is also validated after extends and !reference.
        const errors = errorsOf(edited(["  id_tokens:\n    AWS_ID_TOKEN:", "  id_token:\n    AWS_ID_TOKEN:"]));
        assert.ok(errors.length > 0 && errors.every((e) => e.includes("(after extends and !reference)")), errors.join("\n"));
        assertFound(errors, 'job "deploy:prod" (after extends and !reference) / must NOT have additional properties: "id_token"');
        const jobs = new Set(errors.map((e) => /job "([^"]+)"/.exec(e)?.[1]));
        assert.deepEqual(jobs, new Set(Object.keys(shipped.jobs).filter((n) => shipped.jobs[n].id_tokens)));
    });

    it("refuses a keyword under the wrong key, and a cache entry GitLab does not know", () => {
        // artifacts:expire_in one level up is a job key that does not exist; a cache has no expire_in either (GitLab:
        // "cache config contains unknown keys"), which the schema leaves open and CLOSED_BY_GITLAB closes
        const errors = errorsOf(
            edited(
                ["    expire_in: 30 days", "  expire_in: 30 days"],
                ["  paths: [.npm/]", "  paths: [.npm/]\n  expire_in: 1 week"],
            ),
        );
        assertFound(
            errors,
            '(as written) /offline-plan must NOT have additional properties: "expire_in"',
            'job "npm-test" (after extends and !reference) /cache/0 must NOT have additional properties: "expire_in" (schema #/definitions/cache_item/additionalProperties)',
        );
    });

    it("refuses values of the wrong type or outside the allowed ones", () => {
        const errors = errorsOf(
            edited(
                ["  timeout: 4h", "  timeout: 240"],
                ["  interruptible: true\n  needs: [npm-test]", '  interruptible: "yes"\n  needs: [npm-test]'],
                ["    action: prepare", "    action: preparing"],
                [
                    "      when: manual\n  allow_failure: false\n  variables:\n    AWS_ROLE_ARN: $TEST_DEPLOY_ROLE_ARN",
                    "      when: manually\n  allow_failure: false\n  variables:\n    AWS_ROLE_ARN: $TEST_DEPLOY_ROLE_ARN",
                ],
                ["  needs: [patch:test]", "  needs: patch:test"],
            ),
        );
        assertFound(
            errors,
            'job "deploy:test" (after extends and !reference) /timeout must be string',
            'job "preview:test" (after extends and !reference) /interruptible must be boolean',
            'job "preview:prod" (after extends and !reference) /environment/action must be equal to one of the allowed values',
            "(as written) /break-glass:revoke:test/rules/0/when must be equal to one of the allowed values",
            "(as written) /patch:prod/needs must be array",
        );
    });

    it("closes only what GitLab closes: the schema declares exactly the keys GitLab's config entries allow", () => {
        // lib/gitlab/ci/config/entry/{cache,key,workflow}.rb (see CLOSED_BY_GITLAB); the cache key's files_commits came
        // after key.rb's pinned version and is in the schema, so it stays allowed.
        const allowed: Record<string, string[]> = {
            "/definitions/cache_item": ["key", "untracked", "paths", "when", "policy", "unprotect", "fallback_keys"],
            "/definitions/cache_item/properties/key/oneOf/1": ["files", "prefix", "files_commits"],
            "/properties/workflow": ["rules", "name", "auto_cancel"],
        };
        const schema = gitlabCiSchema();
        for (const { pointer, entry } of CLOSED_BY_GITLAB) {
            const node = atPointer(schema, pointer);
            assert.equal(
                node.additionalProperties,
                undefined,
                `${pointer} is closed upstream now: drop it from CLOSED_BY_GITLAB`,
            );
            assert.deepEqual(Object.keys(node.properties).sort(), allowed[pointer].sort(), `${pointer} against ${entry}`);
        }
    });

    it("validates included files, and refuses includes it cannot see", () => {
        const files: Record<string, string> = {
            ".gitlab-ci.yml":
                "include:\n  - local: /ci/build.yml\n  - remote: https://example.com/ci.yml\nlint:\n  script: [echo lint]\n",
            "ci/build.yml": "include: ci/more.yml\nbuild:\n  script: [make]\n",
            "ci/more.yml": "publish:\n  script: [make publish]\n  artifact:\n    paths: [dist/]\n",
        };
        const errors = pipelineSchemaErrors(".gitlab-ci.yml", (f) => files[f] ?? assert.fail(`read ${f}`));
        assert.ok(
            errors.some((e) => e.startsWith("ci/more.yml") && e.includes('"artifact"')),
            errors.join("\n"),
        );
        assert.ok(errors.some((e) => e.includes("https://example.com/ci.yml") && e.includes("cannot be validated offline")));
        assert.equal(errors.length, 3, errors.join("\n")); // the misspelt key as written and as run, and the remote include
    });

    it("accepts every .gitlab-ci.yml snippet in docs/ and README.md", () => {
        // A yaml block is stack config (every top-level key in the eks-gitlab-runners: namespace) or CI configuration.
        const blocks = docsYamlBlocks();
        const isStackConfig = (code: string) =>
            Object.keys(parseYaml(code) ?? {}).every((k) => k.startsWith("eks-gitlab-runners:"));
        const ci = blocks.filter((b) => !isStackConfig(b.code));
        assert.ok(ci.length >= 4 && blocks.length > ci.length, `${ci.length} CI snippets of ${blocks.length} yaml blocks`);
        for (const b of ci) assert.deepEqual(schemaErrors(b.code, `${b.file}:${b.line}`), [], b.code);
    });

    it("states the GitLab version the pipeline needs: the newest keyword it uses", () => {
        const used = KEYWORD_SINCE.filter((k) => usesKeyword(shipped.written, k));
        assert.ok(
            used.some((k) => k.keyword === "id_tokens"),
            used.map((k) => k.keyword).join(),
        );
        const newest = used
            .map((k) => k.since)
            .sort(byVersion)
            .at(-1)!;
        const runbook = fs.readFileSync(path.join(ROOT, "docs/runbook/first-deployment.md"), "utf8");
        assert.ok(runbook.includes(`GitLab ${newest} or later`), `first-deployment.md must require GitLab ${newest}`);
    });
});

interface KeywordSince {
    keyword: string;
    /** Path from a job (`job`) or from the file's root (`root`); `*` is any key; lists are looked through. */
    scope: "job" | "root";
    path: string[];
    values?: string[];
    since: string;
}

// When each keyword appeared or became generally available, from the CI/CD YAML reference at the schema's commit
// (doc/ci/yaml/_index.md, https://docs.gitlab.com/ci/yaml/) unless another source is named.
const KEYWORD_SINCE: KeywordSince[] = [
    {
        keyword: "environment:action verify|access",
        scope: "job",
        path: ["environment", "action"],
        values: ["verify", "access"],
        since: "15.0",
    }, // gitlab-org/gitlab#351510
    { keyword: "rules:changes:compare_to", scope: "job", path: ["rules", "changes", "compare_to"], since: "15.5" },
    { keyword: "id_tokens", scope: "job", path: ["id_tokens"], since: "15.7" },
    { keyword: "variables:options", scope: "root", path: ["variables", "*", "options"], since: "15.7" },
    { keyword: "variables:expand", scope: "root", path: ["variables", "*", "expand"], since: "15.8" },
    { keyword: "workflow:name", scope: "root", path: ["workflow", "name"], since: "15.8" },
    { keyword: "cache:unprotect", scope: "job", path: ["cache", "unprotect"], since: "15.8" },
    { keyword: "rules:needs", scope: "job", path: ["rules", "needs"], since: "16.2" },
    { keyword: "needs:parallel:matrix", scope: "job", path: ["needs", "parallel"], since: "16.3" },
    { keyword: "workflow:auto_cancel", scope: "root", path: ["workflow", "auto_cancel"], since: "16.10" },
    { keyword: "rules:interruptible", scope: "job", path: ["rules", "interruptible"], since: "16.10" },
    { keyword: "artifacts:access", scope: "job", path: ["artifacts", "access"], since: "16.11" },
    { keyword: "manual_confirmation", scope: "job", path: ["manual_confirmation"], since: "17.1" },
    { keyword: "retry:exit_codes", scope: "job", path: ["retry", "exit_codes"], since: "17.5" },
    { keyword: "include:integrity", scope: "root", path: ["include", "integrity"], since: "17.9" },
];

const byVersion = (a: string, b: string) => {
    const [x, y] = [a, b].map((v) => v.split(".").map(Number));
    return x[0] - y[0] || x[1] - y[1];
};

function reaches(node: unknown, keys: string[], values?: string[]): boolean {
    if (Array.isArray(node)) return node.some((n) => reaches(n, keys, values));
    if (keys.length === 0) return values ? values.includes(String(node)) : true;
    if (!node || typeof node !== "object") return false;
    const [head, ...rest] = keys;
    const children = head === "*" ? Object.values(node) : [(node as Record<string, unknown>)[head]];
    return children.some((c) => c !== undefined && reaches(c, rest, values));
}

function usesKeyword(written: Record<string, any>, k: KeywordSince): boolean {
    if (k.scope === "root") return reaches(written, k.path, k.values);
    return Object.entries(written).some(([name, job]) => !GLOBAL_KEYWORDS.has(name) && reaches(job, k.path, k.values));
}
