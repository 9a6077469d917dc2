// Rules of `vmRunners` that involve more than one field or section, and the defaulted, derived VmRunnerConfig.
import { instanceFacts, unsupportedInstanceType } from "../instanceTypes";
import { joinPath, Problem, pushAll } from "../problems";
import { DEFAULT_CHART_VERSION, runnerChart } from "../runnerCharts";
import { RUNNER_OPTIONS, TERMINATION_GRACE_MARGIN_SECONDS } from "../runnerOptions";
import { RESOURCE_DEFAULTS } from "../runnerResources";
import { ManagerNames, managerNames, runnerNameProblems } from "../runners";
import { tagListProblems, TaggedRunner } from "../runnerTags";
import { ApiTokenSources, registrationProblems, resolveRegistration, RunnerRegistration } from "../runnerRegistration";
import { RunnerTokenPresence, RunnerTokenSource, tokenSource, tokenSourceProblems } from "../runnerTokens";
import { VmExecutor, VmPolicy, VmRunnerInput } from "./options";

/** A validated VM runner: its options as given plus what the program derives from them. */
export interface VmRunnerConfig {
    readonly name: string;
    readonly executor: VmExecutor;
    readonly tags: readonly string[];
    readonly instanceTypes: readonly string[];
    readonly arch: "amd64" | "arm64";
    readonly diskSizeGiB: number;
    readonly capacityPerInstance: number;
    readonly maxUseCount: number;
    readonly maxInstances: number;
    readonly policies: readonly VmPolicy[];
    readonly maxJobTimeoutMinutes: number;
    /** → `[[runners.monitoring.job_queuing_durations]] threshold`: the queue alarm counts jobs that waited longer. */
    readonly jobQueueThresholdSeconds: number;
    /** Jobs at once: maxInstances × capacityPerInstance (→ chart `concurrent`). */
    readonly concurrent: number;
    /** The manager pod's grace period: the job timeout + the margin (a replaced manager finishes its jobs). */
    readonly terminationGracePeriodSeconds: number;
    /** Seconds between job requests: the runners' default. */
    readonly checkInterval: number;
    /**
     * Whether job containers may run privileged (`[runners.docker] privileged`, docker-in-docker): only for a
     * docker-autoscaler runner whose every job gets a fresh VM of its own (capacityPerInstance 1, maxUseCount 1),
     * so a job that takes the VM over finds no other job on it and leaves nothing behind for the next one.
     */
    readonly privileged: boolean;
    /** The manager pod's requests and limit (the runners' manager default). */
    readonly manager: Readonly<{ cpuRequest: string; memoryRequest: string; memoryLimit: string }>;
    readonly chart: Readonly<{ version: typeof DEFAULT_CHART_VERSION; runnerVersion: string }>;
    readonly token: RunnerTokenSource;
    /** The runner in GitLab, created and kept equal to the stack through the API; undefined: a manual token. */
    readonly registration?: RunnerRegistration;
    /** Never: a VM runner takes tagged jobs only (sent to GitLab with `registration`). */
    readonly runUntagged: false;
    readonly names: ManagerNames;
}

export interface VmRunnerContext {
    /** Undefined when `runnerTokens` itself was invalid (its problems are already reported). */
    readonly runnerTokens?: RunnerTokenPresence;
    /** Keys of `runners`: VM runners share their name space (Helm releases, service accounts, token Secrets). */
    readonly runnerNames: readonly string[];
    /** Where the GitLab API token that creates registered runners comes from (presence only). */
    readonly apiToken?: ApiTokenSources;
    /** The EKS cluster's name: a registered runner's default description starts with it. */
    readonly clusterName?: string;
}

const CHECK_INTERVAL = RUNNER_OPTIONS.checkInterval.schema.parse(undefined);

export function resolveVmRunners(
    input: Record<string, VmRunnerInput>,
    ctx: VmRunnerContext,
): { vmRunners: VmRunnerConfig[]; problems: Problem[]; tagged: TaggedRunner[] } {
    const problems: Problem[] = [];
    const vmRunners: VmRunnerConfig[] = [];
    const tagged: TaggedRunner[] = [];
    for (const [name, v] of Object.entries(input)) {
        const at = (...rest: (string | number)[]) => joinPath("vmRunners", name, ...rest);
        pushAll(problems, runnerNameProblems("vmRunners", name));
        if (ctx.runnerNames.includes(name)) {
            problems.push({
                path: at(),
                message: `runners.${name} exists too; a VM runner and a runner share Helm release, service account and token names: rename one`,
            });
        }
        const entry: TaggedRunner = {
            name,
            section: "vmRunners",
            tags: v.tags,
            runUntagged: false,
            group: { vm: name, arch: v.arch },
        };
        tagged.push(entry);
        pushAll(problems, tagListProblems(entry));
        pushAll(problems, instanceTypeProblems(v, at));

        const capacity = v.maxInstances * v.capacityPerInstance;
        v.policies.forEach((p, i) => {
            if (p.idleCount > capacity) {
                problems.push({
                    path: at("policies", i, "idleCount"),
                    message: `${p.idleCount} idle jobs exceed what the runner can hold at all (maxInstances ${v.maxInstances} × capacityPerInstance ${v.capacityPerInstance} = ${capacity}); lower it or raise maxInstances`,
                });
            }
        });
        if (v.registration)
            pushAll(
                problems,
                registrationProblems(
                    {
                        section: "vmRunners",
                        name,
                        tags: v.tags,
                        tokenSsmParameter: v.tokenSsmParameter !== undefined,
                        configToken: ctx.runnerTokens?.names.has(name) ?? false,
                    },
                    ctx.apiToken ?? { ssmParameter: false, secretConfig: false },
                ),
            );
        else pushAll(problems, tokenSourceProblems("vmRunners", name, v.tokenSsmParameter, ctx.runnerTokens));

        const { tokenSsmParameter, registration, ...options } = v;
        vmRunners.push({
            ...options,
            name,
            concurrent: capacity,
            terminationGracePeriodSeconds: v.maxJobTimeoutMinutes * 60 + TERMINATION_GRACE_MARGIN_SECONDS,
            checkInterval: CHECK_INTERVAL,
            privileged: v.executor === "docker-autoscaler" && v.capacityPerInstance === 1 && v.maxUseCount === 1,
            manager: { ...RESOURCE_DEFAULTS.manager },
            chart: { version: DEFAULT_CHART_VERSION, runnerVersion: runnerChart(DEFAULT_CHART_VERSION).runnerVersion },
            token: registration ? { source: "registration" } : tokenSource(tokenSsmParameter),
            ...(registration ? { registration: resolveRegistration(name, registration, ctx.clusterName ?? "eks") } : {}),
            runUntagged: false,
            names: managerNames(name),
        });
    }
    return { vmRunners, problems, tagged };
}

/** Every type from the facts table (config/instanceTypes.ts), listed once, of the runner's `arch`. */
function instanceTypeProblems(v: VmRunnerInput, at: (...rest: (string | number)[]) => string): Problem[] {
    const problems: Problem[] = [];
    v.instanceTypes.forEach((t, i) => {
        const facts = instanceFacts(t);
        if (!facts) {
            problems.push({
                path: at("instanceTypes", i),
                message: unsupportedInstanceType(t),
            });
        } else if (facts.arch !== v.arch) {
            problems.push({
                path: at("instanceTypes", i),
                message: `${t} is ${facts.arch} but arch is ${v.arch}; every VM of a runner boots the same ${v.arch} image`,
            });
        } else if (v.instanceTypes.indexOf(t) !== i) {
            problems.push({ path: at("instanceTypes", i), message: `"${t}" is listed twice` });
        }
    });
    return problems;
}
