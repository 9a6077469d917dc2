// `runners.<name>.registration`: the runner is created in GitLab through the REST API (`POST /api/v4/user/runners`)
// and its authentication token flows straight into the manager's Kubernetes Secret. Without it, the runner keeps
// the manual token (`runnerTokens.<name>` or `tokenSsmParameter`); one runner cannot use both.
//
// GitLab's side of each field, from the REST API docs ("Create a runner linked to a user",
// https://docs.gitlab.com/api/users/#create-a-runner-linked-to-a-user) and the endpoint itself
// (gitlab-org/gitlab lib/api/user_runners.rb, read at gitlabhq/gitlabhq 0ae72efe: `requires :group_id, type: Integer`
// given runner_type group_type, `requires :project_id, type: Integer` given project_type; access_level values from
// Ci::Runner.access_levels).
import { z } from "zod";
import { GITLAB_API_TOKEN_KEY } from "./gitlab";
import { joinPath, Problem, strictObject } from "./problems";

/** → `runner_type` `instance_type` | `group_type` | `project_type`. */
export const REGISTRATION_SCOPES = ["instance", "group", "project"] as const;
export type RegistrationScope = (typeof REGISTRATION_SCOPES)[number];

/** → `access_level`: `ref_protected` runners only take jobs of protected branches and tags. */
export const ACCESS_LEVELS = ["not_protected", "ref_protected"] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

/**
 * GitLab's limits on runner fields, from the model's validations (gitlab-org/gitlab app/models/ci/runner.rb on the
 * main branch, late 2025; the first release of each is not verified here):
 *   - `validates :maximum_timeout, numericality: { greater_than_or_equal_to: 600 }` ("needs to be at least 10
 *     minutes"); no upper bound but the integer column. The runner option `maxJobTimeoutMinutes` has min 10 for it.
 *   - `validates :description, length: { maximum: 1024 }, if: :description_changed?` (added after the unbounded
 *     description of gitlab-org/gitlab work item 451911).
 *   - `validates :maintenance_note, length: { maximum: 1024 }` (also "1024 characters" in the API docs; MR 81137).
 *   - `TAG_LIST_MAX_LENGTH = 50`: "Too many tags specified. Please limit the number of tags to 50".
 */
export const GITLAB_RUNNER_LIMITS = {
    minMaximumTimeoutSeconds: 600,
    descriptionMaxLength: 1024,
    maintenanceNoteMaxLength: 1024,
    maxTags: 50,
} as const;

/**
 * Defaults of a registration. `locked: true`: a project runner cannot be enabled in other projects (GitLab's own
 * default is false). `accessLevel: not_protected` is GitLab's default (ci_runners.access_level DEFAULT 0): a
 * `ref_protected` runner would ignore merge-request pipelines, so protecting is an explicit choice.
 */
export const REGISTRATION_DEFAULTS = { accessLevel: "not_protected", locked: true, paused: false } as const;

/** The owner id each scope needs; instance runners need none. */
const OWNER_ID = { group: "groupId", project: "projectId" } as const;

const positiveId = (error: string) => z.number({ error }).int({ error }).min(1, { error });
const gitlabId = (what: "group" | "project") =>
    positiveId(`must be the numeric ID of the GitLab ${what} (shown on its overview page), not its path`);

/** A label; changing it resets the runner's authentication token. Quoted in YAML so 2026-11 stays a string. */
const ROTATION = /^[A-Za-z0-9._:-]{1,64}$/;

export const registrationSchema = strictObject({
    /** → `runner_type`. */
    scope: z.enum(REGISTRATION_SCOPES, {
        error: (iss) =>
            iss.input === undefined
                ? "is required: instance, group or project"
                : `${JSON.stringify(iss.input)} is not a runner scope (instance, group or project)`,
    }),
    /** → `group_id`; required with scope group, and only then. */
    groupId: gitlabId("group").optional(),
    /** → `project_id`; required with scope project, and only then. */
    projectId: gitlabId("project").optional(),
    /** → `access_level`. */
    accessLevel: z
        .enum(ACCESS_LEVELS, {
            error: (iss) => `${JSON.stringify(iss.input)} is not an access level (not_protected or ref_protected)`,
        })
        .default(REGISTRATION_DEFAULTS.accessLevel),
    /** → `locked`: a project runner that cannot be enabled in other projects. */
    locked: z.boolean({ error: "must be true or false" }).default(REGISTRATION_DEFAULTS.locked),
    /** → `paused`: the runner takes no new jobs. */
    paused: z.boolean({ error: "must be true or false" }).default(REGISTRATION_DEFAULTS.paused),
    /** → `description`; default "<cluster name> <runner>". */
    description: z
        .string({ error: "must be a string" })
        .refine((d) => d.trim() !== "", { error: 'is empty; omit it to get the default "<cluster> <runner>"' })
        .refine((d) => d.length <= GITLAB_RUNNER_LIMITS.descriptionMaxLength, {
            error: `is longer than GitLab's ${GITLAB_RUNNER_LIMITS.descriptionMaxLength} characters`,
        })
        .optional(),
    /** Change it (e.g. "2026-11" → "2027-05") to reset the runner's authentication token on the next deployment. */
    rotation: z
        .string({ error: 'must be a string; quote it (rotation: "2026-11")' })
        .regex(ROTATION, { error: "must be 1–64 of [A-Za-z0-9._:-], e.g. 2026-11" })
        .optional(),
    /**
     * Take over this existing runner (its ID in GitLab) instead of creating one: the migration from a manual token.
     * Read only when the stack first creates the registration; see docs/runner-registration.md.
     */
    adoptRunnerId: positiveId("must be the numeric ID of an existing runner (shown on its page in GitLab, #1234)").optional(),
}).superRefine((r, ctx) => {
    for (const [scope, key] of Object.entries(OWNER_ID) as [RegistrationScope, keyof typeof r][]) {
        if (r.scope === scope && r[key] === undefined) {
            ctx.addIssue({
                code: "custom",
                path: [key],
                message: `is required with scope ${scope}: the numeric ID of the GitLab ${scope} the runner belongs to`,
            });
        } else if (r.scope !== scope && r[key] !== undefined) {
            const owner = r.scope === "instance" ? "the whole instance" : OWNER_ID[r.scope as "group" | "project"];
            ctx.addIssue({
                code: "custom",
                path: [key],
                message: `applies only to scope ${scope}; a runner of scope ${r.scope} belongs to ${owner}, so remove it`,
            });
        }
    }
});
export type RegistrationInput = z.output<typeof registrationSchema>;

/** A validated, fully defaulted registration. */
export interface RunnerRegistration {
    readonly scope: RegistrationScope;
    readonly groupId?: number;
    readonly projectId?: number;
    readonly accessLevel: AccessLevel;
    readonly locked: boolean;
    readonly paused: boolean;
    readonly description: string;
    /** "" until the first rotation. */
    readonly rotation: string;
    readonly adoptRunnerId?: number;
}

/** Fills the defaults that depend on the rest of the stack (the description names the cluster and the runner). */
export function resolveRegistration(runner: string, input: RegistrationInput, clusterName: string): RunnerRegistration {
    return {
        scope: input.scope,
        ...(input.groupId !== undefined ? { groupId: input.groupId } : {}),
        ...(input.projectId !== undefined ? { projectId: input.projectId } : {}),
        accessLevel: input.accessLevel,
        locked: input.locked,
        paused: input.paused,
        description: input.description ?? `${clusterName} ${runner}`,
        rotation: input.rotation ?? "",
        ...(input.adoptRunnerId !== undefined ? { adoptRunnerId: input.adoptRunnerId } : {}),
    };
}

/** GitLab's `maximum_timeout` (seconds) of a runner's `maxJobTimeoutMinutes`. */
export const maximumTimeoutSeconds = (minutes: number) => minutes * 60;

/** Where the GitLab API token can come from (presence only, never a value). */
export interface ApiTokenSources {
    /** `gitlab.apiTokenSsmParameter` is set. */
    readonly ssmParameter: boolean;
    /** `gitlabApiToken` is set. */
    readonly secretConfig: boolean;
    /** Whether `gitlabApiToken` is a secret, as `pulumi.runtime.isConfigSecret` says; undefined when unknown. */
    readonly secretConfigIsSecret?: boolean;
}

const HOW_TO = `set gitlab.apiTokenSsmParameter (an SSM SecureString) or \`pulumi config set --secret ${GITLAB_API_TOKEN_KEY} …\`; the token needs the create_runner and manage_runner scopes`;

/** The API token's sources on their own: at most one, and never in clear text. */
export function apiTokenProblems(api: ApiTokenSources): Problem[] {
    const problems: Problem[] = [];
    if (api.ssmParameter && api.secretConfig) {
        problems.push({
            path: "gitlab.apiTokenSsmParameter",
            message: `${GITLAB_API_TOKEN_KEY} is set too; keep one source of the GitLab API token (remove one with \`pulumi config rm ${GITLAB_API_TOKEN_KEY}\` or drop apiTokenSsmParameter)`,
        });
    }
    if (api.secretConfig && api.secretConfigIsSecret === false) {
        problems.push({
            path: GITLAB_API_TOKEN_KEY,
            message: `is not a secret: the GitLab API token is in clear text in the stack file. Revoke it in GitLab, then set a new one with \`pulumi config set --secret ${GITLAB_API_TOKEN_KEY} …\``,
        });
    }
    return problems;
}

/** What the rules of one registered runner read from the rest of its entry and the document (presence only). */
export interface RegisteredRunnerFacts {
    /** `runners` or `vmRunners`: both may be registered, and share one name space. */
    readonly section?: "runners" | "vmRunners";
    readonly name: string;
    readonly tags: readonly string[];
    /** `runners.<name>.tokenSsmParameter` is set. */
    readonly tokenSsmParameter: boolean;
    /** `runnerTokens.<name>` is set. */
    readonly configToken: boolean;
}

/**
 * Rules of a runner with `registration` that involve other fields or sections: its token comes from GitLab alone
 * (a manual token as well is an error at the manual token's path), an API token must exist to create it, and GitLab's
 * limit on the number of tags holds.
 */
export function registrationProblems(r: RegisteredRunnerFacts, api: ApiTokenSources): Problem[] {
    const problems: Problem[] = [];
    const at = (...rest: string[]) => joinPath(r.section ?? "runners", r.name, ...rest);
    if (!api.ssmParameter && !api.secretConfig) {
        problems.push({ path: at("registration"), message: `needs a GitLab API token to create the runner: ${HOW_TO}` });
    }
    if (r.tokenSsmParameter) {
        problems.push({
            path: at("tokenSsmParameter"),
            message: "the runner has registration, which issues its token through the GitLab API; remove tokenSsmParameter",
        });
    }
    if (r.configToken) {
        problems.push({
            path: joinPath("runnerTokens", r.name),
            message: `runner "${r.name}" has registration, which issues its token through the GitLab API; remove this one with \`pulumi config rm --path 'runnerTokens.${r.name}'\``,
        });
    }
    if (r.tags.length > GITLAB_RUNNER_LIMITS.maxTags) {
        problems.push({
            path: at("tags"),
            message: `${r.tags.length} tags; GitLab accepts at most ${GITLAB_RUNNER_LIMITS.maxTags} per runner`,
        });
    }
    return problems;
}
