// CrossGuard entry point: `pulumi preview --policy-pack policy-pack` (and `pulumi up --policy-pack policy-pack`).
// The rules live in ../policies and run offline in `npm test` too; this file only serves them to the engine.
import { PolicyPack } from "@pulumi/policy";
import { buildPolicies, PACK_NAME } from "./policies";

new PolicyPack(PACK_NAME, {
    description: 'Guardrails of the eks-gitlab-runners fleet (docs/runbook.md, "Policy checks").',
    enforcementLevel: "mandatory",
    policies: buildPolicies(),
});
