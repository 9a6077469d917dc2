import { strict as assert } from "assert";
import { parse as parseToml, stringify as stringifyToml } from "smol-toml";
import { contextFor, evaluate, PolicyResource, RULES, TYPES, Violation } from "../policies";
import { CLUSTER_API_OPT_IN } from "../model/labels";
import { runStackFile } from "./support/harness";
import { policyResources } from "./support/policyResources";

// The three isolation rules, each shown on the shipped prod stack (clean) and on a bad fixture made from it.
const REGION = "eu-west-1";
const JOB_COMPONENT =
    "urn:pulumi:prod::eks-gitlab-runners::eks-gitlab-runners:index:RunnerFleet$eks-gitlab-runners:index:GitlabRunner";

function check(id: string, resources: readonly PolicyResource[]): Violation[] {
    const rule = RULES.find((r) => r.id === id)!;
    return evaluate(resources, contextFor(resources), [rule]);
}

/** `resources` with the one picked replaced by `change(copy)` (dropped when it returns undefined). */
function mutate(
    resources: readonly PolicyResource[],
    pick: (r: PolicyResource) => boolean,
    change: (r: PolicyResource & { inputs: any }) => PolicyResource | undefined,
): PolicyResource[] {
    const i = resources.findIndex(pick);
    assert.ok(i >= 0, "the resource to change exists");
    const changed = change({ ...resources[i], inputs: structuredClone(resources[i].inputs) });
    return [...resources.slice(0, i), ...(changed ? [changed] : []), ...resources.slice(i + 1)];
}

/** Changes the `[runners.kubernetes]` table of runner `name`'s release. */
function withToml(resources: readonly PolicyResource[], name: string, edit: (k: Record<string, unknown>) => void) {
    return mutate(
        resources,
        (r) => r.type === TYPES.helmRelease && r.name === `gitlab-${name}-release`,
        (r) => {
            const doc = parseToml(r.inputs.values.runners.config) as any;
            edit(doc.runners[0].kubernetes);
            r.inputs.values.runners.config = stringifyToml(doc);
            return r;
        },
    );
}

describe("isolation policy rules", () => {
    let prod: PolicyResource[] = [];
    before(async () => {
        prod = policyResources(await runStackFile("prod"), REGION);
    });

    describe("job-role-no-full-wildcard", () => {
        const jobPolicy = (statement: object, urn = `${JOB_COMPONENT}$aws:iam/rolePolicy:RolePolicy::gitlab-x-job-inline`) => ({
            type: TYPES.iamRolePolicy,
            name: "gitlab-x-job-inline",
            urn,
            inputs: { role: "r", policy: JSON.stringify({ Version: "2012-10-17", Statement: [statement] }) },
        });

        it("passes the shipped deploy role, and inspects it", () => {
            assert.deepEqual(check("job-role-no-full-wildcard", prod), []);
            assert.ok(
                prod.some((r) => r.type === TYPES.iamRolePolicyAttachment && r.name.startsWith("gitlab-deploy-job-policy-")),
            );
        });

        it('fires on "*" on "*" in a job role\'s inline policy, and on AdministratorAccess attached to one', () => {
            const v = check("job-role-no-full-wildcard", [
                ...prod,
                jobPolicy({ Sid: "All", Effect: "Allow", Action: "*", Resource: "*" }),
            ]);
            assert.deepEqual(
                v.map((x) => x.message),
                [
                    'policy of gitlab-x-job-inline statement "All" allows "*" on "*": every action on every resource of the account',
                ],
            );
            const admin = mutate(
                prod,
                (r) => r.type === TYPES.iamRolePolicyAttachment && r.name.startsWith("gitlab-deploy-job-policy-"),
                (r) => ({ ...r, inputs: { ...r.inputs, policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" } }),
            );
            assert.match(
                check("job-role-no-full-wildcard", admin)[0].message,
                /attaches arn:aws:iam::aws:policy\/AdministratorAccess to a job role/,
            );
        });

        it("leaves Deny statements, scoped grants and roles outside runners alone", () => {
            const outside =
                "urn:pulumi:prod::eks-gitlab-runners::eks-gitlab-runners:index:RunnerCache$aws:iam/rolePolicy:RolePolicy::other";
            assert.deepEqual(
                check("job-role-no-full-wildcard", [
                    jobPolicy({ Effect: "Deny", Action: "*", Resource: "*" }),
                    jobPolicy({ Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::b/*" }),
                    jobPolicy({ Effect: "Allow", Action: "*", Resource: "*" }, outside),
                ]),
                [],
            );
        });
    });

    describe("job-namespace-default-deny", () => {
        it("passes every shipped job namespace", () => assert.deepEqual(check("job-namespace-default-deny", prod), []));

        it("fires when a job namespace loses its default deny", () => {
            const bad = mutate(
                prod,
                (r) => r.name === "gitlab-arm64-jobs-deny",
                () => undefined,
            );
            const v = check("job-namespace-default-deny", bad);
            assert.deepEqual(
                v.map((x) => [x.target, x.message]),
                [
                    [
                        `${TYPES.helmRelease}::gitlab-arm64-release`,
                        "job namespace gitlab-jobs-arm64 of runner release gitlab-arm64-release has no default-deny NetworkPolicy (podSelector {}, policyTypes Ingress and Egress, no rules)",
                    ],
                ],
            );
        });

        it("fires when the default deny selects only some pods, skips a direction or allows something", () => {
            const edits: ((spec: any) => void)[] = [
                (spec) => (spec.podSelector = { matchLabels: { app: "x" } }),
                (spec) => (spec.policyTypes = ["Ingress"]),
                (spec) => (spec.egress = [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }]),
            ];
            for (const edit of edits) {
                const bad = mutate(
                    prod,
                    (r) => r.name === "gitlab-deploy-jobs-deny",
                    (r) => {
                        edit(r.inputs.spec);
                        return r;
                    },
                );
                assert.match(check("job-namespace-default-deny", bad)[0]?.message ?? "", /gitlab-jobs-deploy .* no default-deny/);
            }
        });
    });

    describe("job-sa-token-not-mounted", () => {
        it("passes the shipped runners", () => assert.deepEqual(check("job-sa-token-not-mounted", prod), []));

        it("fires when job pods would get a token without the opt-in", () => {
            const mounted = withToml(prod, "amd64", (k) => (k.automount_service_account_token = true));
            assert.match(
                check("job-sa-token-not-mounted", mounted)[0].message,
                /get the token of gitlab-job-amd64, which is not labelled/,
            );
            // Neither pod nor account says false: Kubernetes mounts it.
            const unset = mutate(
                withToml(prod, "amd64", (k) => delete k.automount_service_account_token),
                (r) => r.name === "gitlab-amd64-job-sa",
                (r) => {
                    delete r.inputs.automountServiceAccountToken;
                    return r;
                },
            );
            assert.equal(check("job-sa-token-not-mounted", unset).length, 1);
        });

        it("fires on the default service account, an unknown one, and a job-selectable one", () => {
            const cases: [(k: Record<string, unknown>) => void, RegExp][] = [
                [(k) => delete k.service_account, /run as the namespace's default service account/],
                [
                    (k) => (k.service_account = "builder"),
                    /service account builder in gitlab-jobs-arm64 is not one this stack creates/,
                ],
                [(k) => (k.service_account_overwrite_allowed = ".*"), /lets a job pick another service account/],
            ];
            for (const [edit, pattern] of cases)
                assert.match(check("job-sa-token-not-mounted", withToml(prod, "arm64", edit))[0].message, pattern);
        });

        it("passes a mounted token on an account that carries the opt-in", () => {
            const optedIn = mutate(
                withToml(prod, "amd64", (k) => (k.automount_service_account_token = true)),
                (r) => r.name === "gitlab-amd64-job-sa",
                (r) => {
                    r.inputs.metadata.labels[CLUSTER_API_OPT_IN.label] = CLUSTER_API_OPT_IN.value;
                    return r;
                },
            );
            assert.deepEqual(check("job-sa-token-not-mounted", optedIn), []);
        });
    });
});
