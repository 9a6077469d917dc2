// A registered runner in the plan: what the program declares to GitLab, read back from its registration resource.
import { SETTING_FIELDS, SETTING_KEYS } from "../components/runners/registration/api";
import { MISSING, OrMissing } from "./missing";

/** A registered runner as the program declared it to GitLab: read from the registration resource's inputs. */
export interface RegistrationPlan {
    /** `instance`, `group <id>` or `project <id>`. */
    readonly scope: string;
    /** Every setting the deployment puts (back) on the runner in GitLab, by GitLab's field name. */
    readonly enforces: Record<string, unknown>;
    /** The rotation label ("" before the first one). */
    readonly rotation: string;
    readonly adoptRunnerId?: number;
}

/** The scope and enforced settings of a recorded registration resource (or MISSING without one). */
export function registrationOf(recordedInputs: Record<string, any> | undefined): OrMissing<RegistrationPlan> {
    if (!recordedInputs) return MISSING;
    const i = recordedInputs;
    const scope =
        i.runnerType === "group_type"
            ? `group ${i.groupId}`
            : i.runnerType === "project_type"
              ? `project ${i.projectId}`
              : i.runnerType === "instance_type"
                ? "instance"
                : MISSING;
    return {
        scope,
        enforces: Object.fromEntries(SETTING_KEYS.map((k) => [SETTING_FIELDS[k], i[k] ?? MISSING])),
        rotation: typeof i.rotation === "string" ? i.rotation : MISSING,
        ...(typeof i.adoptRunnerId === "number" ? { adoptRunnerId: i.adoptRunnerId } : {}),
    };
}
