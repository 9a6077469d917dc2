// A structural checker for .gitlab-ci.yml: parses it the way GitLab does (extends, !reference, rules), simulates which
// jobs each kind of pipeline creates (tests/support/pipelineScenarios.ts), and checks the delivery rules: who gets cloud
// credentials where, what prod waits for, what may overlap or be interrupted. Used by tests/gitlabCiChecker.test.ts,
// which proves every check on a bad file, by tests/gitlabCiPipelines.test.ts and gitlabCiJobs.test.ts on the shipped file,
// and by tests/runbook.test.ts.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { Job, jobsIn, lines, parsePipeline, Pipeline, scriptOf, variablesIn, variableValue } from "./gitlabPipeline";
import { ROOT } from "./harness";
import { isMergeRequest, isSchedule, refProtected, SCENARIOS } from "./pipelineScenarios";

/** GitLab predefined variables this pipeline's `rules:` may use (anything else must be defined under variables:). */
export const PREDEFINED = new Set([
    "CI_PIPELINE_SOURCE",
    "CI_COMMIT_BRANCH",
    "CI_DEFAULT_BRANCH",
    "CI_COMMIT_TAG",
    "CI_OPEN_MERGE_REQUESTS",
    "CI_MERGE_REQUEST_IID",
]);

export * from "./gitlabPipeline";
export { isMergeRequest, isSchedule, refProtected, SCENARIOS, tokenRef } from "./pipelineScenarios";

// --- the checks -----------------------------------------------------------------------------------------------------

export const callsCloud = (job: Job) => /(^|\s)(pulumi|aws)\s/m.test(scriptOf(job));
export const changesInfrastructure = (job: Job) =>
    /pulumi (up|destroy)\b|(create|delete)-access-entry|breakGlass\.ts (grant|revoke)\b/.test(scriptOf(job));
export const runsPulumiUp = (job: Job) => /pulumi up\b/.test(scriptOf(job));

const SECRET_TEXT: [RegExp, string][] = [
    [/\b(AKIA|ASIA)[A-Z0-9]{16}\b/, "an AWS access key id"],
    [/aws_secret_access_key\s*[:=]\s*["']?[A-Za-z0-9/+]{40}/i, "an AWS secret access key"],
    [/glrt-[A-Za-z0-9_.-]+/, "a GitLab runner token (glrt-)"],
    [/\bpul-[0-9a-f]{40}\b/, "a Pulumi access token (pul-)"],
];
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSPHRASE|ACCESS_KEY/;
const LONG_LIVED_KEYS = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"];

export function checkGitlabCi(text: string): string[] {
    const parsed = parsePipeline(text);
    if (typeof parsed === "string") return [parsed];
    const p = parsed;
    const problems: string[] = [];
    const stages: string[] = p.doc.stages ?? ["build", "test", "deploy"];

    // Every job's stage exists.
    for (const [name, job] of Object.entries(p.jobs)) {
        const stage = job.stage ?? "test";
        if (![".pre", ".post", ...stages].includes(stage))
            problems.push(`job "${name}": stage "${stage}" is not in stages (${stages.join(", ")})`);
        if (job.only !== undefined || job.except !== undefined) problems.push(`job "${name}": uses only/except; use rules`);
    }

    // Variables in rules:if are predefined (allow-listed) or defined.
    const ruleSets: [string, unknown][] = [
        ["workflow", p.doc.workflow?.rules],
        ...Object.entries(p.jobs).map(([n, j]) => [`job "${n}"`, j.rules] as [string, unknown]),
    ];
    for (const [where, rules] of ruleSets) {
        const jobVars = where.startsWith("job") ? Object.keys(p.jobs[where.slice(5, -1)].variables ?? {}) : [];
        for (const rule of (rules as { if?: string }[] | undefined) ?? []) {
            for (const v of variablesIn(rule.if ?? "")) {
                if (!PREDEFINED.has(v) && !(v in p.variables) && !jobVars.includes(v)) {
                    problems.push(
                        `${where}: rules if "${rule.if}" uses $${v}, which is neither an allowed GitLab predefined variable nor defined under variables:`,
                    );
                }
            }
        }
    }

    // No secrets inline.
    text.split("\n").forEach((line, n) => {
        for (const [pattern, what] of SECRET_TEXT) if (pattern.test(line)) problems.push(`line ${n + 1}: contains ${what}`);
    });
    const variableBlocks: [string, Record<string, unknown>][] = [
        ["variables", p.doc.variables ?? {}],
        ...Object.entries(p.jobs).map(
            ([n, j]) => [`job "${n}" variables`, j.variables ?? {}] as [string, Record<string, unknown>],
        ),
    ];
    for (const [where, block] of variableBlocks) {
        for (const [key, raw] of Object.entries(block)) {
            const value = variableValue(raw);
            if (LONG_LIVED_KEYS.includes(key))
                problems.push(`${where}: ${key} is defined; AWS credentials come from id_tokens, never from variables`);
            else if (SECRET_NAME.test(key) && value !== "" && !value.startsWith("$"))
                problems.push(`${where}: ${key} has an inline value; make it a masked, protected CI/CD variable`);
        }
    }

    for (const [name, job] of Object.entries(p.jobs)) {
        const stack = job.variables?.STACK as string | undefined;
        // Infrastructure-changing jobs never overlap: a resource group per stack.
        if (changesInfrastructure(job)) {
            if (!job.resource_group) problems.push(`job "${name}" changes infrastructure but has no resource_group`);
            else if (stack && !String(job.resource_group).includes(stack))
                problems.push(`job "${name}": resource_group "${job.resource_group}" does not name its stack ${stack}`);
            // A cancelled `pulumi up` leaves pending operations and a locked stack behind.
            if (job.interruptible === true) problems.push(`job "${name}" changes infrastructure but is interruptible`);
        }
        // Cloud credentials only through ID tokens, and only on the infra runner.
        if (callsCloud(job)) {
            if (!job.id_tokens || Object.keys(job.id_tokens).length === 0)
                problems.push(`job "${name}" calls pulumi/aws but has no id_tokens`);
            else if (!/assume-role-with-web-identity/.test(scriptOf(job)))
                problems.push(`job "${name}" has id_tokens but never exchanges them (aws sts assume-role-with-web-identity)`);
            if (!lines(job.tags).includes("$INFRA_RUNNER_TAG"))
                problems.push(`job "${name}" calls pulumi/aws but is not pinned to the infra runner (tags: [$INFRA_RUNNER_TAG])`);
        }
        for (const need of ([] as unknown[]).concat(job.needs ?? [])) {
            const needed = typeof need === "string" ? need : (need as { job?: string }).job;
            if (needed && !p.jobs[needed]) problems.push(`job "${name}" needs "${needed}", which does not exist`);
        }
        // A failed cloud call must fail the job: `|| true`, `|| echo …` or `|| :` turn it into success.
        if (callsCloud(job)) {
            const swallowed = scriptOf(job).match(/.*\|\|\s*(true|:|echo)\b.*/);
            if (swallowed) problems.push(`job "${name}" ignores a failed command: ${swallowed[0].trim()}`);
        }
        const onStop = job.environment?.on_stop;
        if (onStop && p.jobs[onStop]?.environment?.action !== "stop")
            problems.push(`job "${name}": on_stop "${onStop}" is not a job with environment action stop`);
    }

    // Which jobs run where.
    let where: Record<string, Record<string, string>>;
    try {
        where = Object.fromEntries(Object.keys(SCENARIOS).map((s) => [s, jobsIn(p, s)]));
    } catch (err) {
        return [...problems, `rules cannot be evaluated: ${(err as Error).message}`];
    }
    for (const [name, job] of Object.entries(p.jobs)) {
        const scenarios = Object.keys(SCENARIOS).filter((s) => name in where[s]);
        const onSchedule = scenarios.filter(isSchedule);
        const elsewhere = scenarios.filter((s) => !isSchedule(s));
        const scheduledJob = lines((job.rules ?? []).map((r: { if?: string }) => r.if ?? "")).some((e) =>
            /CI_PIPELINE_SOURCE == "schedule"/.test(e),
        );
        if (scheduledJob && elsewhere.length > 0)
            problems.push(`job "${name}" is a scheduled job but also runs in: ${elsewhere.join(", ")}`);
        if (/pulumi refresh\b/.test(scriptOf(job)) && onSchedule.length === 0)
            problems.push(`job "${name}" detects drift but never runs on a schedule`);
        if (changesInfrastructure(job) && onSchedule.length > 0 && !scheduledJob)
            problems.push(`job "${name}" changes infrastructure in schedule pipelines without being a scheduled job`);
        if (changesInfrastructure(job) && scenarios.some(isMergeRequest))
            problems.push(`job "${name}" changes infrastructure from a merge request pipeline`);
        // A role's trust names refs, and only protected refs are out of a Developer's reach (scripts/ci/trust.ts). A
        // merge-request job runs the merge request's own .gitlab-ci.yml and code: never with cloud credentials.
        if (callsCloud(job)) {
            for (const s of scenarios.filter((s) => isMergeRequest(s) || !refProtected(s)))
                problems.push(`job "${name}" gets cloud credentials in: ${s}`);
        }
        if (runsPulumiUp(job) && job.variables?.STACK === "prod") {
            for (const s of elsewhere)
                if (where[s][name] !== "manual")
                    problems.push(`job "${name}" deploys prod without a person (when: ${where[s][name]}) in: ${s}`);
            if (job.environment?.name !== "prod")
                problems.push(`job "${name}" deploys prod outside the protected environment "prod"`);
            // Prod waits for green tests and a deploy of test of the same commit, in every pipeline that offers it.
            if (!scheduledJob) {
                const waited = requiredNeeds(p, name);
                const testsFirst = [...waited].some((n) => /(^|\s)npm test\b/.test(scriptOf(p.jobs[n])));
                const testStackFirst = [...waited].some((n) => runsPulumiUp(p.jobs[n]) && p.jobs[n].variables?.STACK === "test");
                if (!testsFirst || !testStackFirst)
                    problems.push(
                        `job "${name}" deploys prod without first waiting (needs) for ${testsFirst ? "" : "npm test"}${testsFirst || testStackFirst ? "" : " and "}${testStackFirst ? "" : "a deploy of test"}`,
                    );
            }
        }
    }
    // needs, as GitLab resolves them per pipeline: a missing need fails the pipeline's creation, an absent optional
    // need is dropped and the job starts at once (GitLab CI/CD YAML reference, needs:optional; gitlab-org/gitlab#354849).
    for (const [s, jobs] of Object.entries(where)) {
        for (const name of Object.keys(jobs)) {
            for (const need of needsOf(p.jobs[name])) {
                if (!p.jobs[need.job]) continue;
                if (!need.optional && !(need.job in jobs))
                    problems.push(`job "${name}" needs "${need.job}", which is not in the pipeline: ${s}`);
                if (need.optional && changesInfrastructure(p.jobs[name]) && !(need.job in jobs))
                    problems.push(
                        `job "${name}" changes infrastructure and its optional need "${need.job}" is absent in: ${s} (it starts without waiting)`,
                    );
            }
        }
    }
    return problems;
}

export function needsOf(job: Job): { job: string; optional: boolean }[] {
    return ([] as unknown[])
        .concat(job.needs ?? [])
        .map((n) =>
            typeof n === "string"
                ? { job: n, optional: false }
                : { job: String((n as Job).job), optional: (n as Job).optional === true },
        );
}

/** Every job a job waits for through needs that are not optional, transitively. */
export function requiredNeeds(p: Pipeline, name: string, seen = new Set<string>()): Set<string> {
    for (const need of needsOf(p.jobs[name] ?? {}))
        if (!need.optional && p.jobs[need.job] && !seen.has(need.job)) {
            seen.add(need.job);
            requiredNeeds(p, need.job, seen);
        }
    return seen;
}

/** For each job of a scenario's pipeline that assumes an AWS role: the variable naming that role. */
export function identitiesIn(p: Pipeline, scenario: string): Record<string, string> {
    return Object.fromEntries(
        Object.keys(jobsIn(p, scenario))
            .filter((name) => callsCloud(p.jobs[name]))
            .map((name) => [name, String(p.jobs[name].variables?.AWS_ROLE_ARN ?? "").replace(/^\$/, "")]),
    );
}

export const CI_FILE = path.join(ROOT, ".gitlab-ci.yml");

/** The shipped .gitlab-ci.yml: its text, its parsed pipeline, and one of its jobs by name (a missing job fails the test). */
export function shippedPipeline(): { text: string; pipeline: Pipeline; job: (name: string) => Job } {
    const text = fs.readFileSync(CI_FILE, "utf8");
    const pipeline = parsePipeline(text) as Pipeline;
    return { text, pipeline, job: (name) => pipeline.jobs[name] ?? assert.fail(`no job ${name}`) };
}
