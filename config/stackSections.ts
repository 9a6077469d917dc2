// The top level of a stack document: `aws:region`, the known sections under the `eks-gitlab-runners:` namespace,
// and each section checked against its own schema (config/stack.ts then applies the rules across sections).
import { z } from "zod";
import { addonsSchema, addonsSchemaFor } from "./addons";
import { cacheSchema } from "./cache";
import { clusterSchema } from "./cluster";
import { fargateSchema } from "./fargate";
import { GITLAB_API_TOKEN_KEY, gitlabApiTokenSchema, gitlabSchema } from "./gitlab";
import { networkSchema } from "./network";
import { nodeGroupSchema } from "./nodeGroups";
import { nodePoolSchema } from "./nodePools";
import { observabilitySchema } from "./observability/schema";
import { joinPath, Problem, problemsFromZod, pushAll } from "./problems";
import { runnerSchema } from "./runners";
import { runnerTokensSchema } from "./runnerTokens";
import { closest } from "./suggest";
import { vmRunnerSchema } from "./vmRunners";

/** Top-level keys under the `eks-gitlab-runners:` namespace, each validated on its own so one bad section does not hide another's problems. */
const SECTIONS = {
    gitlab: gitlabSchema,
    cluster: clusterSchema,
    network: networkSchema,
    nodeGroups: z.record(z.string(), nodeGroupSchema),
    nodePools: z.record(z.string(), nodePoolSchema).default({}),
    runners: z.record(z.string(), runnerSchema).default({}),
    vmRunners: z.record(z.string(), vmRunnerSchema).default({}),
    addons: addonsSchema,
    cache: cacheSchema,
    fargate: fargateSchema,
    observability: observabilitySchema,
    /** Secret: runner authentication tokens. Only their presence is validated; they never enter StackConfig. */
    runnerTokens: runnerTokensSchema,
    /** Secret: the GitLab API token that creates registered runners. Presence and type only; never in StackConfig. */
    [GITLAB_API_TOKEN_KEY]: gitlabApiTokenSchema,
} as const;
/** The top-level keys of a stack's `eks-gitlab-runners:` config (besides `aws:region`). */
export const SECTION_KEYS: readonly string[] = Object.keys(SECTIONS);

export type Sections = { [K in keyof typeof SECTIONS]: z.output<(typeof SECTIONS)[K]> };

const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

/** Runs one step of the checks; an unexpected exception becomes a problem of `section` (config/stack.ts). */
export type Guard = <T>(section: string, step: () => T) => T | undefined;

/**
 * Checks the region and the top-level keys (unknown ones with the closest known key), and parses every section
 * on its own, so that one bad section does not hide another's problems. Problems are added to `problems`; the
 * sections that parsed are returned.
 */
export function parseSections(
    raw: Readonly<Record<string, unknown>>,
    region: string | undefined,
    problems: Problem[],
    guard: Guard,
): Partial<Sections> {
    if (region === undefined)
        problems.push({ path: "aws:region", message: "is not set; run `pulumi config set aws:region <region>`" });
    else if (typeof region !== "string" || !REGION.test(region))
        problems.push({ path: "aws:region", message: `${JSON.stringify(region)} is not an AWS region name like eu-west-1` });

    for (const key of Object.keys(raw)) {
        if (!(key in SECTIONS)) {
            const hint = closest(key, Object.keys(SECTIONS));
            problems.push({
                path: joinPath(key),
                message: `unknown top-level key (allowed: ${Object.keys(SECTIONS).join(", ")})${hint ? `; did you mean "${hint}"?` : ""}`,
            });
        }
    }
    const parsed: Partial<Sections> = {};
    for (const [key, sectionSchema] of Object.entries(SECTIONS) as [keyof Sections, z.ZodType][]) {
        guard(key, () => {
            // `cluster` parses before `addons`: the add-on rules that depend on the cluster version run in its schema.
            const schema = key === "addons" ? addonsSchemaFor({ kubernetesVersion: parsed.cluster?.version }) : sectionSchema;
            const result = schema.safeParse(raw[key]);
            if (result.success) (parsed as Record<string, unknown>)[key] = result.data;
            else if (raw[key] === undefined || raw[key] === null) problems.push({ path: key, message: "is required" });
            else pushAll(problems, problemsFromZod(key, result.error.issues, raw[key]));
        });
    }
    return parsed;
}
