/**
 * The before-delete resource hook that drains a managed node group before Pulumi deletes it — after a replacement
 * (blueGreen.ts) or when a group leaves the stack file.
 *
 * One named hook per stack, shared by every aws.eks.NodeGroup: delete hooks must be named `pulumi.ResourceHook`
 * instances, because the engine must find the hook again when it deletes a resource (@pulumi/pulumi resource.d.ts
 * `ResourceHookBinding.beforeDelete`; Pulumi docs, "Resource option: hooks",
 * https://www.pulumi.com/docs/iac/concepts/resources/options/hooks/). Consequences from the same page: a failing
 * before-delete hook prevents the deletion and fails the deployment; `pulumi destroy` must run with `--run-program`
 * so the hook exists; hooks do not run during previews (`onDryRun` defaults to false). Resource hooks need an engine
 * that implements them: config/versions.ts MIN_PULUMI_CLI_VERSION.
 */
import * as pulumi from "@pulumi/pulumi";
import { asgTagApi } from "./asgClient";
import {
    AsgTagApi,
    Clock,
    DrainApi,
    DrainLogger,
    drainNodeGroup,
    DrainReport,
    DRAIN_TIMING,
    DrainTiming,
    KubernetesDrainApi,
} from "./drain";
import { readDrainPlan } from "./drainPlan";
import { kubeDrainApi } from "./kubeClient";

/** The hook's name in the engine. Renaming it orphans the binding recorded on every existing node group: keep it. */
export const DRAIN_HOOK_NAME = "eks-gitlab-runners-drain-node-group";

const NODE_GROUP_TYPE = "aws:eks/nodeGroup:NodeGroup";

/** The cluster's kubeconfig, once the program has resolved it. */
export interface KubeconfigHolder {
    /** The kubeconfig text (JSON or YAML), or undefined while the cluster output is not resolved. */
    current(): string | undefined;
}

/**
 * Captures the kubeconfig for the hook. A hook is called by the engine with only the deleted resource's own inputs
 * and outputs (ResourceHookArgs), never with other resources' outputs, so the cluster's kubeconfig has to reach it
 * through the program: an `apply` copies the resolved value into this holder when the cluster output resolves (on
 * every `pulumi up` and `destroy --run-program`, long before any delete runs). The value stays in memory only.
 */
export function captureKubeconfig(kubeconfig: pulumi.Input<string | object>): KubeconfigHolder {
    let value: string | undefined;
    pulumi.output(kubeconfig).apply((resolved) => {
        value = typeof resolved === "string" ? resolved : JSON.stringify(resolved);
        return undefined;
    });
    return { current: () => value };
}

export interface DrainHookDeps {
    kubernetes(kubeconfig: string): KubernetesDrainApi;
    autoScaling(region: string): AsgTagApi;
    clock: Clock;
    log: DrainLogger;
    timing: DrainTiming;
    /** How long the hook waits for the kubeconfig before giving up (it is normally known already). */
    kubeconfigWaitSeconds: number;
    /**
     * The drain bound the running program computes for a group key of the stack file, if it still has that group. The
     * old group's recorded tag holds the bound of the deployment that created it; when this deployment raised a
     * runner's job timeout, jobs that started under the new one may already run on the old nodes, so the longer wins.
     */
    currentBoundSeconds?: (groupKey: string) => number | undefined;
}

export const systemClock: Clock = {
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

function defaultDeps(): DrainHookDeps {
    return {
        kubernetes: kubeDrainApi,
        autoScaling: (region) => asgTagApi(region),
        clock: systemClock,
        log: { info: (m) => pulumi.log.info(m), warn: (m) => pulumi.log.warn(m) },
        timing: DRAIN_TIMING,
        kubeconfigWaitSeconds: 300,
    };
}

/** The hook's function, separate from pulumi.ResourceHook so tests call it directly (mocks never run hooks). */
export function drainHookCallback(holder: KubeconfigHolder, deps: DrainHookDeps) {
    return async (args: pulumi.ResourceHookArgs): Promise<DrainReport> => {
        if (args.type !== NODE_GROUP_TYPE) {
            throw new Error(
                `${DRAIN_HOOK_NAME} is bound to ${args.urn} (${args.type}); it drains only ${NODE_GROUP_TYPE} resources`,
            );
        }
        const recorded = readDrainPlan(args.oldInputs, args.oldOutputs);
        const current = recorded.groupKey === undefined ? undefined : deps.currentBoundSeconds?.(recorded.groupKey);
        const plan =
            current !== undefined && current > recorded.boundSeconds
                ? { ...recorded, boundSeconds: current, boundDefaulted: false }
                : recorded;
        if (plan.boundDefaulted) {
            deps.log.warn(`[drain ${plan.nodeGroupName}] no drain bound tag on the node group; using ${plan.boundSeconds} s`);
        }
        // Short sleeps rather than one long timer: a pending timer would keep the program alive after the deployment.
        for (let waited = 0; holder.current() === undefined && waited < deps.kubeconfigWaitSeconds; waited += 1) {
            await deps.clock.sleep(1000);
        }
        const kubeconfig = holder.current();
        if (kubeconfig === undefined) {
            throw new Error(
                `[drain ${plan.nodeGroupName}] the cluster's kubeconfig was not known after ${deps.kubeconfigWaitSeconds} s; ` +
                    `the node group is kept. Run the deployment again (pulumi destroy needs --run-program).`,
            );
        }
        const kube = deps.kubernetes(kubeconfig);
        const asg = deps.autoScaling(plan.region);
        const api: DrainApi = {
            listNodes: (group) => kube.listNodes(group),
            cordon: (node) => kube.cordon(node),
            listPods: (node) => kube.listPods(node),
            evict: (namespace, name) => kube.evict(namespace, name),
            removeAsgTag: (asgName, key) => asg.removeAsgTag(asgName, key),
        };
        return drainNodeGroup(plan, api, deps.clock, deps.log, deps.timing);
    };
}

/**
 * The stack's one drain hook. Bind it to every aws.eks.NodeGroup as `hooks: { beforeDelete: [hook] }` (see
 * blueGreen.ts). `kubeconfig`: the cluster's kubeconfig as JSON text or object (e.g. `cluster.eks.kubeconfigJson`).
 */
export function drainHook(
    kubeconfig: pulumi.Input<string | object>,
    overrides: Partial<DrainHookDeps> = {},
): pulumi.ResourceHook {
    const callback = drainHookCallback(captureKubeconfig(kubeconfig), { ...defaultDeps(), ...overrides });
    return new pulumi.ResourceHook(DRAIN_HOOK_NAME, async (args) => {
        await callback(args);
    });
}
