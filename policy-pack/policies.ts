// The CrossGuard policies: one per rule of ../policies (plus a "-stack" twin when a rule has both a per-resource
// and a whole-stack check). Mandatory: a violation fails `pulumi preview`/`pulumi up`.
import type { ReportViolation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { RULES, Rule } from "../policies";
import { fromResourceArgs, fromStackResource, PACK_CONFIG_SCHEMA, PackConfig, packContext } from "./adapter";

export const PACK_NAME = "eks-gitlab-runners";

function resourcePolicy(rule: Rule): ResourceValidationPolicy {
    const check = rule.checkResource!;
    return {
        name: rule.id,
        description: rule.description,
        enforcementLevel: "mandatory",
        remediationSteps: rule.remediation,
        configSchema: PACK_CONFIG_SCHEMA,
        validateResource: (args, reportViolation: ReportViolation) => {
            if (rule.types.length > 0 && !rule.types.includes(args.type)) return;
            const resource = fromResourceArgs(args);
            const ctx = packContext([resource], args.getConfig<PackConfig>());
            for (const message of check(resource, ctx)) reportViolation(message);
        },
    };
}

function stackPolicy(rule: Rule, name: string): StackValidationPolicy {
    const check = rule.checkStack!;
    return {
        name,
        description: rule.description,
        enforcementLevel: "mandatory",
        remediationSteps: rule.remediation,
        configSchema: PACK_CONFIG_SCHEMA,
        validateStack: (args, reportViolation: ReportViolation) => {
            const resources = args.resources.map(fromStackResource);
            if (resources.length === 0) return;
            const ctx = packContext(resources, args.getConfig<PackConfig>());
            for (const finding of check(resources, ctx)) reportViolation(finding.message, finding.resource?.urn);
        },
    };
}

/** Every policy of the pack, built from the shared rules. */
export function buildPolicies(rules: readonly Rule[] = RULES): (ResourceValidationPolicy | StackValidationPolicy)[] {
    return rules.flatMap((rule) => [
        ...(rule.checkResource ? [resourcePolicy(rule)] : []),
        ...(rule.checkStack ? [stackPolicy(rule, rule.checkResource ? `${rule.id}-stack` : rule.id)] : []),
    ]);
}
