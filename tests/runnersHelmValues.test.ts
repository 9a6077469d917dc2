// The runner manager's Helm chart values as rendered from the stack file.
import { strict as assert } from "assert";
import { PRIORITY_CLASSES } from "../model/priorityClasses";
import { GRACEFUL_STOP_SCRIPT } from "../components/runners/helmValues";
import { validDocument, withValue } from "./support/fixtures";
import { managementOf, stack, valuesOf } from "./support/runnerRender";

describe("runner renderers", () => {
    describe("Helm values", () => {
        it("never carry a token, and never the registration-only settings a glrt token rejects", () => {
            const cfg = stack();
            const v = valuesOf(cfg, cfg.runners[0]) as any;
            assert.ok(!JSON.stringify(v).includes("glrt-"));
            for (const key of ["runnerToken", "runnerRegistrationToken"]) assert.ok(!(key in v), key);
            // gitlab-runner register exits with "Runner configuration other than name and executor configuration is
            // reserved" if these reach it together with an authentication token.
            for (const key of ["tags", "runUntagged", "locked", "protected", "maximumTimeout"])
                assert.ok(!(key in v.runners), `runners.${key}`);
            assert.deepEqual(v.runners, {
                name: "ci-fixture-amd64",
                executor: "kubernetes",
                secret: "gitlab-runner-amd64-token",
                config: v.runners.config,
            });
        });

        it("manager pod: management nodes, platform priority, own service account, no chart RBAC, metrics, unregister", () => {
            const cfg = stack();
            const r = cfg.runners[0];
            const v = valuesOf(cfg, r) as any;
            const m = managementOf(cfg);
            assert.deepEqual(v.nodeSelector, { ...m.labels, "kubernetes.io/arch": m.arch });
            assert.deepEqual(
                v.tolerations,
                m.taints.map((t) => ({ key: t.key, operator: "Equal", value: t.value, effect: t.effect })),
            );
            assert.equal(v.priorityClassName, PRIORITY_CLASSES.platform);
            assert.deepEqual(v.rbac, { create: false });
            assert.deepEqual(v.serviceAccount, { create: false, name: r.names.serviceAccount });
            assert.deepEqual(v.metrics, { enabled: true, portName: "metrics", port: 9252 });
            assert.equal(v.unregisterRunners, true);
            assert.deepEqual(v.resources, { requests: { cpu: "200m", memory: "256Mi" }, limits: { memory: "1Gi" } });
            assert.equal(v.securityContext.allowPrivilegeEscalation, false);
            assert.deepEqual(v.securityContext.capabilities, { drop: ["ALL"] });
        });

        it("grace period covers the longest job, and the preStop drains with SIGQUIT after unregistering", () => {
            const cfg = stack(withValue(validDocument(), ["runners", "amd64", "maxJobTimeoutMinutes"], 180));
            const v = valuesOf(cfg, cfg.runners[0]) as any;
            assert.equal(v.terminationGracePeriodSeconds, 180 * 60 + 300);
            assert.deepEqual(v.deploymentLifecycle.preStop.exec.command, ["/bin/bash", "-c", GRACEFUL_STOP_SCRIPT]);
            const steps = GRACEFUL_STOP_SCRIPT.split("\n");
            assert.match(steps[0], /unregister --all-runners/);
            assert.match(steps[1], /-QUIT/);
            assert.match(steps[2], /^while pgrep/);
        });
    });
});
