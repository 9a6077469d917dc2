// The policy rules of eks-gitlab-runners, and one function that runs them all over a stack's resources. The same
// list backs the mocha suite (tests/policies.test.ts, both shipped stacks) and the CrossGuard pack (policy-pack/).
import { prodClusterProtected } from "./cluster";
import { fargateJobsWithoutNodes, fargateProfilesJobsOnly } from "./fargate";
import { iamNoWildcardWrites } from "./iam";
import { karpenterControllerIamScoped, karpenterJobsNotDisrupted, karpenterSpotPoolDiversified } from "./karpenter";
import { jobNamespaceDefaultDeny, jobRoleNoFullWildcard, jobTokenNotMounted } from "./isolation";
import { DEFAULT_PRODUCTION_STACKS, resourceLabel, PolicyResource, Rule, RuleContext, stackOfUrn, Violation } from "./model";
import { imdsV2HopLimit1, jobNodeGroupAzRebalanceSuspended, managementNodeGroupIsolated } from "./nodes";
import { noPrivilegedRunnerUnlessOptedIn, runnerRbacNamespaceScoped, runnerTokensNotPlaintext } from "./runners";
import { s3BucketsPrivateEncrypted } from "./storage";

export * from "./model";

export const RULES: readonly Rule[] = [
    imdsV2HopLimit1,
    iamNoWildcardWrites,
    s3BucketsPrivateEncrypted,
    noPrivilegedRunnerUnlessOptedIn,
    runnerTokensNotPlaintext,
    managementNodeGroupIsolated,
    jobNodeGroupAzRebalanceSuspended,
    prodClusterProtected,
    runnerRbacNamespaceScoped,
    karpenterControllerIamScoped,
    karpenterSpotPoolDiversified,
    karpenterJobsNotDisrupted,
    jobRoleNoFullWildcard,
    jobNamespaceDefaultDeny,
    jobTokenNotMounted,
    fargateProfilesJobsOnly,
    fargateJobsWithoutNodes,
];

/** A context for a stack's resources: the stack name comes from their URNs unless given. */
export function contextFor(resources: readonly PolicyResource[], options: Partial<RuleContext> = {}): RuleContext {
    const stack = options.stack ?? resources.map((r) => stackOfUrn(r.urn)).find((s) => s !== undefined);
    if (stack === undefined) throw new Error("cannot tell the stack: no resource has a URN; pass options.stack");
    return {
        stack,
        productionStacks: options.productionStacks ?? DEFAULT_PRODUCTION_STACKS,
        secretsVisible: options.secretsVisible ?? true,
    };
}

/** Runs `rules` (default: all) over every resource of a stack; returns every violation, in rule order. */
export function evaluate(resources: readonly PolicyResource[], ctx: RuleContext, rules: readonly Rule[] = RULES): Violation[] {
    const violations: Violation[] = [];
    for (const rule of rules) {
        if (rule.checkResource) {
            for (const r of resources) {
                for (const message of rule.checkResource(r, ctx))
                    violations.push({ rule: rule.id, target: resourceLabel(r), message });
            }
        }
        if (rule.checkStack) {
            for (const f of rule.checkStack(resources, ctx))
                violations.push({ rule: rule.id, target: f.resource ? resourceLabel(f.resource) : "stack", message: f.message });
        }
    }
    return violations;
}

/** How many resources of a stack a rule inspects (0 means it passed vacuously). */
export function coverage(rule: Rule, resources: readonly PolicyResource[]): number {
    return rule.types.length === 0 ? resources.length : resources.filter((r) => rule.types.includes(r.type)).length;
}
