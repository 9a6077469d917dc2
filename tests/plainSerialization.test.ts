// The plan's fast path for plain values (plan/plainSerialization.ts) serializes as the runtime's own
// serializeProperty does (@pulumi/pulumi 3.248.0 runtime/rpc.js), and leaves everything else to it.
import * as pulumi from "@pulumi/pulumi";
import { strict as assert } from "assert";
import * as fc from "fast-check";
import { NOT_PLAIN, plainCopy, usePlainSerialization } from "../plan/plainSerialization";

type Serialized = [Record<string, unknown>, Map<string, Set<unknown>>];
const rpc = require("@pulumi/pulumi/runtime/rpc") as {
    serializeProperties(label: string, props: object): Promise<Record<string, unknown>>;
    serializeResourceProperties(label: string, props: object): Promise<Serialized>;
};

/** Both serializers of the runtime, then the same with the fast path in place. */
async function bothWays(props: Record<string, unknown>) {
    const runtime = [await rpc.serializeProperties("p", props), await rpc.serializeResourceProperties("r", props)] as const;
    const restore = usePlainSerialization();
    try {
        return { runtime, plan: [await rpc.serializeProperties("p", props), await rpc.serializeResourceProperties("r", props)] };
    } finally {
        restore();
    }
}

/** Plain values as programs build them, with what serialization drops: undefined, functions, holes. */
const plain = fc.letrec((tie) => ({
    value: fc.oneof(
        { depthSize: "small" },
        fc.constantFrom(undefined, null, true, 0, -0, 1.5, NaN, "", "x", () => 1),
        fc.string(),
        fc.integer(),
        fc.array(tie("value"), { maxLength: 4 }),
        fc.sparseArray(tie("value"), { maxLength: 4 }),
        fc.dictionary(fc.string(), tie("value"), { maxKeys: 4 }),
    ),
})).value;

describe("plan: plain values serialized at once", () => {
    it("gives what the runtime gives for any plain value (fast-check, fixed seed)", async () => {
        await fc.assert(
            fc.asyncProperty(fc.dictionary(fc.string(), plain, { maxKeys: 5 }), async (props) => {
                const { runtime, plan } = await bothWays(props);
                assert.deepEqual(plan, runtime);
                assert.deepEqual(Object.keys(plan[0]), Object.keys(runtime[0]), "key order");
            }),
            { numRuns: 300, seed: 20261129 },
        );
    });

    it("leaves Outputs, promises, resources' markers and class instances to the runtime, with the same result", async () => {
        class Point {
            constructor(readonly x = 1) {}
        }
        const props = {
            name: "n",
            fromOutput: pulumi.output({ a: [1, undefined] }),
            nested: { list: [Promise.resolve("later"), 2] },
            instance: new Point(),
            date: new Date(0),
            secret: pulumi.secret("s"),
        };
        const { runtime, plan } = await bothWays(props);
        assert.deepEqual(plan, runtime);
        for (const value of [props.fromOutput, props.nested, props.instance, props.date, { __pulumiOutput: true }, Symbol("s")]) {
            assert.equal(plainCopy(value), NOT_PLAIN);
        }
    });

    it("names the property in a failing value's error, as the runtime does", async () => {
        const failing = () => ({ broken: Promise.reject(new Error("no value")) });
        await assert.rejects(rpc.serializeResourceProperties("r", failing()), /error serializing property "broken": no value/);
        const restore = usePlainSerialization();
        try {
            await assert.rejects(
                rpc.serializeResourceProperties("r", failing()),
                /error serializing property "broken": no value/,
            );
        } finally {
            restore();
        }
    });

    it("copies: the serialized value shares nothing with the input", () => {
        const input = { a: { b: [1] } };
        const copy = plainCopy(input) as typeof input;
        copy.a.b.push(2);
        assert.deepEqual(input, { a: { b: [1] } });
    });
});
