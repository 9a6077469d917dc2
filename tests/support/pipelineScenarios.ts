// The kinds of pipelines GitLab creates for this project, as the variables GitLab sets in each (GitLab docs,
// "Predefined CI/CD variables": CI_COMMIT_BRANCH is absent in merge-request and tag pipelines, CI_COMMIT_REF_PROTECTED
// says whether the pipeline's ref is protected), plus SCHEDULED_TASK / BREAK_GLASS_STACK as schedules and "Run
// pipeline" set them. Refs follow the runbook's protection: main, preview/* and v* are protected; nothing else is.
export const SCENARIOS: Record<string, Record<string, string>> = {
    "merge request from an unprotected branch": {
        CI_PIPELINE_SOURCE: "merge_request_event",
        CI_MERGE_REQUEST_IID: "7",
        CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: "feature/faster-builds",
        CI_COMMIT_REF_NAME: "feature/faster-builds",
        CI_COMMIT_REF_PROTECTED: "false",
        CI_DEFAULT_BRANCH: "main",
    },
    "merge request from a protected branch": {
        CI_PIPELINE_SOURCE: "merge_request_event",
        CI_MERGE_REQUEST_IID: "8",
        CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: "preview/mr-8",
        CI_COMMIT_REF_NAME: "preview/mr-8",
        CI_COMMIT_REF_PROTECTED: "true",
        CI_DEFAULT_BRANCH: "main",
    },
    "push to a branch with an MR": {
        CI_PIPELINE_SOURCE: "push",
        CI_COMMIT_BRANCH: "feature/faster-builds",
        CI_COMMIT_REF_NAME: "feature/faster-builds",
        CI_COMMIT_REF_PROTECTED: "false",
        CI_OPEN_MERGE_REQUESTS: "group/project!7",
        CI_DEFAULT_BRANCH: "main",
    },
    "push to an unprotected branch": {
        CI_PIPELINE_SOURCE: "push",
        CI_COMMIT_BRANCH: "spike",
        CI_COMMIT_REF_NAME: "spike",
        CI_COMMIT_REF_PROTECTED: "false",
        CI_DEFAULT_BRANCH: "main",
    },
    "push to a preview/ branch": {
        CI_PIPELINE_SOURCE: "push",
        CI_COMMIT_BRANCH: "preview/mr-7",
        CI_COMMIT_REF_NAME: "preview/mr-7",
        CI_COMMIT_REF_PROTECTED: "true",
        CI_DEFAULT_BRANCH: "main",
    },
    "push to the default branch": {
        CI_PIPELINE_SOURCE: "push",
        CI_COMMIT_BRANCH: "main",
        CI_COMMIT_REF_NAME: "main",
        CI_COMMIT_REF_PROTECTED: "true",
        CI_DEFAULT_BRANCH: "main",
    },
    "release tag": {
        CI_PIPELINE_SOURCE: "push",
        CI_COMMIT_TAG: "v1.4.0",
        CI_COMMIT_REF_NAME: "v1.4.0",
        CI_COMMIT_REF_PROTECTED: "true",
        CI_DEFAULT_BRANCH: "main",
    },
    "other tag": {
        CI_PIPELINE_SOURCE: "push",
        CI_COMMIT_TAG: "nightly-2026-05-01",
        CI_COMMIT_REF_NAME: "nightly-2026-05-01",
        CI_COMMIT_REF_PROTECTED: "false",
        CI_DEFAULT_BRANCH: "main",
    },
    "drift schedule": {
        CI_PIPELINE_SOURCE: "schedule",
        CI_COMMIT_BRANCH: "main",
        CI_COMMIT_REF_NAME: "main",
        CI_COMMIT_REF_PROTECTED: "true",
        CI_DEFAULT_BRANCH: "main",
        SCHEDULED_TASK: "drift",
    },
    "patch schedule": {
        CI_PIPELINE_SOURCE: "schedule",
        CI_COMMIT_BRANCH: "main",
        CI_COMMIT_REF_NAME: "main",
        CI_COMMIT_REF_PROTECTED: "true",
        CI_DEFAULT_BRANCH: "main",
        SCHEDULED_TASK: "patch",
    },
    "Run pipeline on the default branch, break-glass prod": {
        CI_PIPELINE_SOURCE: "web",
        CI_COMMIT_BRANCH: "main",
        CI_COMMIT_REF_NAME: "main",
        CI_COMMIT_REF_PROTECTED: "true",
        CI_DEFAULT_BRANCH: "main",
        BREAK_GLASS_STACK: "prod",
        BREAK_GLASS_ROLE_ARN: "arn:aws:iam::444455556666:role/BreakGlass",
    },
    "Run pipeline on the default branch, break-glass test": {
        CI_PIPELINE_SOURCE: "web",
        CI_COMMIT_BRANCH: "main",
        CI_COMMIT_REF_NAME: "main",
        CI_COMMIT_REF_PROTECTED: "true",
        CI_DEFAULT_BRANCH: "main",
        BREAK_GLASS_STACK: "test",
        BREAK_GLASS_ROLE_ARN: "arn:aws:iam::111122223333:role/BreakGlass",
    },
    "Run pipeline on another branch": {
        CI_PIPELINE_SOURCE: "web",
        CI_COMMIT_BRANCH: "spike",
        CI_COMMIT_REF_NAME: "spike",
        CI_COMMIT_REF_PROTECTED: "false",
        CI_DEFAULT_BRANCH: "main",
        BREAK_GLASS_STACK: "prod",
    },
};

export const isSchedule = (scenario: string) => SCENARIOS[scenario].CI_PIPELINE_SOURCE === "schedule";
export const isMergeRequest = (scenario: string) => SCENARIOS[scenario].CI_PIPELINE_SOURCE === "merge_request_event";
export const refProtected = (scenario: string) => SCENARIOS[scenario].CI_COMMIT_REF_PROTECTED === "true";

/** The ref an ID token of this pipeline names: for a merge request its source branch (GitLab jwt_v2.rb, source_ref). */
export function tokenRef(scenario: string): { type: "branch" | "tag"; name: string } {
    const v = SCENARIOS[scenario];
    if (v.CI_COMMIT_TAG) return { type: "tag", name: v.CI_COMMIT_TAG };
    return { type: "branch", name: v.CI_MERGE_REQUEST_SOURCE_BRANCH_NAME ?? v.CI_COMMIT_BRANCH };
}
