// The option table of `vmRunners.<name>` (and of each entry of its `policies`): every key with its schema (and so its
// default), where it ends up upstream and one line of documentation, in the shape of the runner option table
// (config/runnerOptions.ts). The schema, the rendering of the `toml` targets, the reference tables in
// docs/runners.md (scripts/generate-docs.ts) and the upstream-key tests all derive from it. Rules across fields
// are in resolve.ts.
import { z } from "zod";
import { int, RunnerOption, schemaOf } from "../optionTable";
import { RUNNER_OPTIONS } from "../runnerOptions";
import { parseGoDuration } from "../goDuration";
import { cronPeriodSchema, timeZoneSchema } from "../policySchedule";

/** GitLab Runner's fleeting executors (docs/executors/docker_autoscaler.md, instance.md at v18.9.0). */
export const VM_EXECUTORS = ["docker-autoscaler", "instance"] as const;
export type VmExecutor = (typeof VM_EXECUTORS)[number];

export const VM_ARCHS = ["amd64", "arm64"] as const;

/** `idle_time` below this is refused upstream (common/config.go at v18.9.0: `jsonschema:"minimum=1000000000"`, 1 s). */
export const MIN_IDLE_TIME_MS = 1000;

/** The keys of one `policies` entry → `[[runners.autoscaler.policy]]`. */
export const VM_POLICY_OPTIONS = {
    periods: {
        schema: z.array(cronPeriodSchema).min(1, { error: "list at least one period" }).default(["* * * * *"]),
        target: { toml: "runners.autoscaler.policy.periods" },
        doc: "5-field cron ranges when this policy applies (`* 5-17 * * mon-fri`: 05:00–17:59 on weekdays); the last matching policy wins",
    },
    timezone: {
        schema: timeZoneSchema.default("UTC"),
        target: { toml: "runners.autoscaler.policy.timezone" },
        doc: "IANA zone of `periods`; always written, so the manager container's local time never decides",
    },
    idleCount: {
        schema: int(0, 100000, "jobs").default(0),
        target: { toml: "runners.autoscaler.policy.idle_count" },
        doc: "idle capacity kept ready, in **jobs** (not VMs): ⌈idleCount / capacityPerInstance⌉ VMs wait; ≤ maxInstances × capacityPerInstance",
    },
    idleTime: {
        schema: z
            .string({ error: (iss) => (iss.input === undefined ? "is required" : "must be a Go duration") })
            .refine((text) => (parseGoDuration(text) ?? -1) >= MIN_IDLE_TIME_MS, {
                error: (iss) => `${JSON.stringify(iss.input)} is not a Go duration of at least 1s (e.g. 5m, 20m0s, 1h30m)`,
            }),
        target: { toml: "runners.autoscaler.policy.idle_time" },
        doc: "how long a VM may stay idle before it is removed (unless needed for idleCount)",
    },
} satisfies Record<string, RunnerOption>;

export const vmPolicySchema = schemaOf(VM_POLICY_OPTIONS);
export type VmPolicy = Readonly<z.output<typeof vmPolicySchema>>;

/** `[[runners.autoscaler.policy]]` tables from the policies, in order (order matters: the last match wins). */
export function renderPolicies(policies: readonly VmPolicy[]): Record<string, unknown>[] {
    return policies.map((p) => ({
        periods: [...p.periods],
        timezone: p.timezone,
        idle_count: p.idleCount,
        idle_time: p.idleTime,
    }));
}

export const VM_RUNNER_OPTIONS = {
    executor: {
        schema: z.enum(VM_EXECUTORS, {
            error: (iss) =>
                iss.input === undefined
                    ? "is required (docker-autoscaler or instance)"
                    : `${JSON.stringify(iss.input)} is not a VM executor (allowed: ${VM_EXECUTORS.join(", ")})`,
        }),
        target: { chart: "runners.executor" },
        doc: "`docker-autoscaler` (each job in Docker on a VM; Docker installed at boot) or `instance` (jobs run in a shell on the VM; git and gitlab-runner installed at boot)",
        summary: true,
    },
    tags: {
        schema: z.array(z.string()).min(1, { error: "list at least one tag: a VM runner only takes the jobs that ask for it" }),
        target: { gitlab: "tag_list" },
        doc: "the job tags it serves (never untagged jobs); no tag may also be served by another runner",
        summary: true,
    },
    instanceTypes: {
        schema: z.array(z.string()).min(1, { error: "list at least one instance type" }),
        target: { derived: "the Auto Scaling group's mixed instances policy (on-demand, first type preferred)" },
        doc: "EC2 types of the VMs, all of `arch`; cost is reckoned at the dearest",
        summary: true,
    },
    arch: {
        schema: z.enum(VM_ARCHS, {
            error: (iss) => `${JSON.stringify(iss.input)} is not an architecture (allowed: ${VM_ARCHS.join(", ")})`,
        }),
        target: { derived: "the AL2023 AMI (x86_64 / arm64) and `[runners.autoscaler.connector_config] arch`" },
        doc: "CPU architecture of the VMs; every instance type must have it",
    },
    diskSizeGiB: {
        schema: int(20, 16384, "GiB").default(100),
        target: { derived: "the launch template's encrypted gp3 root volume" },
        doc: "root volume of each VM: images, services and the build tree of its jobs",
    },
    capacityPerInstance: {
        schema: int(1, 100, "jobs per VM").default(1),
        target: { toml: "runners.autoscaler.capacity_per_instance" },
        doc: "jobs on one VM at once; 1 = a VM of its own for every job",
    },
    maxUseCount: {
        schema: int(0, 100000, "jobs per VM lifetime").default(1),
        target: { toml: "runners.autoscaler.max_use_count" },
        doc: "jobs a VM runs before it is replaced (0 = unlimited); bounds how long a VM lives on an old AMI",
    },
    maxInstances: {
        schema: int(1, 1000, "VMs"),
        target: { toml: "runners.autoscaler.max_instances" },
        doc: "most VMs at once: the Auto Scaling group's MaxSize; with capacityPerInstance the runner's `concurrent`",
        summary: true,
    },
    policies: {
        schema: z
            .array(vmPolicySchema)
            .min(1, { error: "list at least one policy (the first usually `periods: ['* * * * *']`)" }),
        target: { toml: "runners.autoscaler.policy", render: renderPolicies },
        doc: "idle policies by time of day, see [below](#vm-runner-policies); the last matching period wins",
        summary: true,
    },
    jobQueueThresholdSeconds: {
        // The same key as a Kubernetes runner's: [runners.monitoring] belongs to every [[runners]] entry, whatever its
        // executor (common/config.go RunnerSettings.Monitoring, v18.9.0 and v19.3.0).
        schema: RUNNER_OPTIONS.jobQueueThresholdSeconds.schema,
        target: RUNNER_OPTIONS.jobQueueThresholdSeconds.target,
        doc: RUNNER_OPTIONS.jobQueueThresholdSeconds.doc,
    },
    maxJobTimeoutMinutes: {
        schema: RUNNER_OPTIONS.maxJobTimeoutMinutes.schema,
        target: { gitlab: "maximum_timeout" },
        doc: "the longest job; a replaced manager waits this long (+ 300 s) for its running jobs",
    },
    registration: {
        schema: RUNNER_OPTIONS.registration.schema,
        target: RUNNER_OPTIONS.registration.target,
        doc: "create the runner through the GitLab API and take its token from there, as for a runner (`docs/runner-registration.md`); GitLab gets its tags, run-untagged false and the job timeout",
        defaultText: "none (manual token)",
    },
    tokenSsmParameter: {
        schema: RUNNER_OPTIONS.tokenSsmParameter.schema,
        target: { derived: "the token Secret" },
        doc: "SSM SecureString holding the token, instead of `runnerTokens.<name>` (VM runners without `registration`)",
    },
} satisfies Record<string, RunnerOption>;

export type VmRunnerOptionKey = keyof typeof VM_RUNNER_OPTIONS;

/** One entry of `vmRunners`: a runner manager on the management nodes and the EC2 Auto Scaling group it scales. */
export const vmRunnerSchema = schemaOf(VM_RUNNER_OPTIONS);
export type VmRunnerInput = z.output<typeof vmRunnerSchema>;
