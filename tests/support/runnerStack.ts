// What the runner-stack tests share: the recorded resource types they look up, and a scan for strings in secrets.
import { isSecretInput } from "./harness";

/** Resource types of the runner components, as the mock harness records them. */
export const T = {
    release: "kubernetes:helm.sh/v3:Release",
    secret: "kubernetes:core/v1:Secret",
    namespace: "kubernetes:core/v1:Namespace",
    serviceAccount: "kubernetes:core/v1:ServiceAccount",
    role: "kubernetes:rbac.authorization.k8s.io/v1:Role",
    roleBinding: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
    pdb: "kubernetes:policy/v1:PodDisruptionBudget",
    nodeGroup: "aws:eks/nodeGroup:NodeGroup",
    bucket: "aws:s3/bucket:Bucket",
    association: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    iamRole: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
} as const;

/** Every string in a value, with whether it sits inside a Pulumi secret envelope. */
export function strings(
    value: unknown,
    inSecret = false,
    out: { s: string; secret: boolean }[] = [],
): { s: string; secret: boolean }[] {
    if (typeof value === "string") out.push({ s: value, secret: inSecret });
    else if (isSecretInput(value)) strings(value.value, true, out);
    else if (Array.isArray(value)) value.forEach((v) => strings(v, inSecret, out));
    else if (value !== null && typeof value === "object") Object.values(value).forEach((v) => strings(v, inSecret, out));
    return out;
}
