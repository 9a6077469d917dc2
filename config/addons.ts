import { z } from "zod";
import { Problem, strictObject } from "./problems";
import { StackContext } from "./context";

/** `addons`: cluster add-ons (Cluster Autoscaler, metrics-server, Container Insights). */
export const addonsSchema = strictObject({}).default({});
type AddonsInput = z.output<typeof addonsSchema>;

export type AddonsConfig = Readonly<AddonsInput>;

/** Whether the Container Insights add-on (and its per-node DaemonSets) is enabled. */
export function containerInsightsEnabled(_addons: AddonsInput | undefined): boolean {
    return true;
}

/** Cross-field rules of the add-ons (e.g. the autoscaler version for the cluster version). */
export function resolveAddons(addons: AddonsInput, _ctx: StackContext): { addons: AddonsConfig; problems: Problem[] } {
    return { addons, problems: [] };
}
