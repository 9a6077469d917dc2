// The plan's lazy resource outputs (plan/lazyOutputs.ts) show a reader what the runtime's own transferProperties
// (@pulumi/pulumi 3.248.0 runtime/rpc.js) shows, whether the property is read before or after the registration answers.
import * as pulumi from "@pulumi/pulumi";
import { strict as assert } from "assert";
import { lazyTransferProperties } from "../plan/lazyOutputs";

type Transfer = typeof lazyTransferProperties;
const { transferProperties } = require("@pulumi/pulumi/runtime/rpc") as { transferProperties: Transfer };
const TRANSFERS: Record<string, Transfer> = { runtime: transferProperties, lazy: lazyTransferProperties };

/** What a reader of an Output can learn; "pending" when it does not settle within a few turns of the event loop. */
async function observe(o: pulumi.Output<unknown>, self: object) {
    const internal = o as unknown as {
        promise(withUnknowns?: boolean): Promise<unknown>;
        isKnown: Promise<boolean>;
        isSecret: Promise<boolean>;
        allResources(): Promise<Set<unknown>>;
    };
    const all = Promise.all([
        internal.promise(true),
        internal.isKnown,
        internal.isSecret,
        internal.allResources().then((r) => [...r].map((x) => (x === self ? "the resource" : x))),
    ]).then(
        ([value, isKnown, isSecret, resources]) => ({ value, isKnown, isSecret, resources }),
        (err: Error) => ({ error: err.message }),
    );
    const pending = new Promise((resolve) => setTimeout(() => resolve("pending"), 20));
    return Promise.race([all, pending]);
}

/** Registers `props` on a fresh object with `transfer`, resolves with `answer`, and observes property `a`. */
async function scenario(transfer: Transfer, answer: (resolvers: Record<string, any>) => void, readFirst: boolean) {
    const onto: Record<string, any> = {};
    const resolvers = transfer(onto, "resource:x[test:T]", { a: 1, b: undefined, id: "i", urn: "u" });
    const early = readFirst ? onto.a : undefined;
    answer(resolvers);
    return { keys: Object.keys(onto), seen: await observe(early ?? onto.a, onto), resolvers: Object.keys(resolvers) };
}

describe("plan: lazy resource outputs", () => {
    // The runtime's own transfer registers its promises for the leak report printed at exit; the cases that stay
    // pending would show up there. Plan mode turns that bookkeeping off as well (plan/engine.ts).
    const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise: <T>(p: Promise<T>) => Promise<T> };
    const tracked = debuggable.debuggablePromise;
    before(() => (debuggable.debuggablePromise = (p) => p));
    after(() => (debuggable.debuggablePromise = tracked));
    const dependency = { name: "dep" };
    const answers: Record<string, (r: Record<string, any>) => void> = {
        "a plain value": (r) => r.a("v", true, false),
        "an unknown value (preview)": (r) => r.a(undefined, false, false),
        "a secret with dependencies": (r) => r.a({ k: [1] }, true, true, [dependency]),
        "a failed registration": (r) => r.a(undefined, true, false, [], new Error("engine said no")),
        "a gRPC error (the engine went away)": (r) =>
            r.a(undefined, true, false, [], Object.assign(new Error("gone"), { code: 14 })),
        "no answer yet": () => undefined,
    };
    for (const [what, answer] of Object.entries(answers)) {
        for (const readFirst of [true, false]) {
            it(`${what}, read ${readFirst ? "before" : "after"} the answer: what the runtime's Output shows`, async () => {
                const [expected, actual] = [
                    await scenario(TRANSFERS.runtime, answer, readFirst),
                    await scenario(TRANSFERS.lazy, answer, readFirst),
                ];
                assert.deepEqual(actual, expected);
            });
        }
    }

    it("the cases above differ from one another (the comparison can fail)", async () => {
        const seen = await Promise.all(Object.values(answers).map((a) => scenario(TRANSFERS.lazy, a, false)));
        assert.equal(new Set(seen.map((s) => JSON.stringify(s.seen))).size, 5); // a gRPC error and no answer both stay pending
    });

    it("refuses to replace a property, as the runtime does", () => {
        for (const transfer of Object.values(TRANSFERS)) {
            assert.throws(
                () => transfer({ a: 0 }, "resource:x[test:T]", { a: 1 }),
                /Property 'a' is already initialized on target/,
            );
        }
    });

    it("makes an Output only when read, and the same one on every read", () => {
        const onto: Record<string, any> = {};
        lazyTransferProperties(onto, "resource:x[test:T]", { a: 1 });
        assert.equal(typeof Object.getOwnPropertyDescriptor(onto, "a")!.get, "function");
        assert.equal(onto.a, onto.a);
        assert.ok(pulumi.Output.isInstance(onto.a));
    });
});
