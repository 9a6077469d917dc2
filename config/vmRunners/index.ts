// `vmRunners`: GitLab runners whose jobs run on EC2 VMs of an Auto Scaling group of their own (fleeting executors).
export { VM_EXECUTORS, VM_POLICY_OPTIONS, VM_RUNNER_OPTIONS, vmRunnerSchema } from "./options";
export type { VmExecutor, VmPolicy, VmRunnerInput, VmRunnerOptionKey } from "./options";
export { resolveVmRunners } from "./resolve";
export type { VmRunnerConfig } from "./resolve";
export { vmRunnerCapacity } from "./capacity";
export type { IdlePolicyCost, VmRunnerCapacity } from "./capacity";
