// The facts of supported instance types, looked up the way the instance-type tests need them.
import { strict as assert } from "assert";
import { InstanceFacts, SUPPORTED_INSTANCE_TYPES, instanceFacts } from "../../config/instanceTypes";

/** The facts of `name`, failing the test when it is not a supported type. */
export function facts(name: string): InstanceFacts {
    const f = instanceFacts(name);
    assert.ok(f, `${name} should be a supported type`);
    return f;
}

/** The facts of every supported type, in table order. */
export const ALL = SUPPORTED_INSTANCE_TYPES.map(facts);
