import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PRIORITY_CLASS_SPECS, PriorityClassSpec } from "../../model/priorityClasses";

export interface PlatformPriorityClassesArgs {
    provider: k8s.Provider;
}

/**
 * The cluster-wide PriorityClasses of PRIORITY_CLASS_SPECS, created once per stack. Their names are fixed (pods
 * refer to them by name), so they carry no auto-naming suffix.
 */
export class PlatformPriorityClasses extends pulumi.ComponentResource {
    public readonly classes: Readonly<Record<keyof typeof PRIORITY_CLASS_SPECS, k8s.scheduling.v1.PriorityClass>>;

    constructor(name: string, args: PlatformPriorityClassesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-gitlab-runners:index:PriorityClasses", name, {}, opts);
        const make = (key: string, spec: PriorityClassSpec) =>
            new k8s.scheduling.v1.PriorityClass(
                `${name}-${key}`,
                {
                    metadata: {
                        name: spec.name,
                        labels: { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "eks-gitlab-runners" },
                    },
                    value: spec.value,
                    preemptionPolicy: spec.preemptionPolicy,
                    globalDefault: false,
                    description: spec.description,
                },
                { parent: this, provider: args.provider },
            );
        this.classes = {
            platform: make("platform", PRIORITY_CLASS_SPECS.platform),
            jobs: make("jobs", PRIORITY_CLASS_SPECS.jobs),
            warmCapacity: make("warm-capacity", PRIORITY_CLASS_SPECS.warmCapacity),
        };
        this.registerOutputs({ names: Object.values(PRIORITY_CLASS_SPECS).map((s) => s.name) });
    }
}
