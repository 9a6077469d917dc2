// Property: whatever a stack file holds, validation answers with a ConfigError whose every problem names a path in
// the document, never with another exception (and never with the guard's "bug" problem, which would only hide one).
// Random mutations of both shipped stack files and of every example stack (so every config section the project has,
// runner registration, warm capacity, job identity and the rest, is mutated): deleted keys, values of every type,
// unknown keys, repeated list items, renamed keys. Validation only: no program is evaluated. Bounded so it cannot
// outgrow the suite's time: a fixed seed (the same 2,000 documents every run), at most 4 mutations of bounded size
// each, and a time limit that fails the test rather than letting it run on.
import { strict as assert } from "assert";
import fc from "fast-check";
import * as fs from "fs";
import * as path from "path";
import { ConfigError, parseStackConfig } from "../config";
import { SECTION_KEYS } from "../config/stack";
import { projectKeys } from "../plan/stackFile";
import { stackFileConfig, standInRunnerTokens, withoutEncryptedValues } from "../plan/engine";
import { ROOT, SHIPPED_STACKS } from "./support/harness";

type Json = unknown;
type Path = (string | number)[];

/** Every path to a value in the document (objects and lists included). */
function paths(node: Json, prefix: Path = [], out: Path[] = []): Path[] {
    out.push(prefix);
    if (Array.isArray(node)) node.forEach((v, i) => paths(v, [...prefix, i], out));
    else if (node !== null && typeof node === "object") for (const [k, v] of Object.entries(node)) paths(v, [...prefix, k], out);
    return out;
}

/** Sets an own property, also for keys like "__proto__" (as JSON.parse creates them). */
function setOwn(target: Record<string | number, unknown>, key: string | number, value: unknown): void {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function at(doc: Json, path: Path): { parent?: any; key?: string | number } {
    if (path.length === 0) return {};
    let node: any = doc;
    for (const k of path.slice(0, -1)) node = node[k];
    return { parent: node, key: path[path.length - 1] };
}

const scalar = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: -5, max: 100_000 }),
    fc.constantFrom(0, -0, 1e308, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, 0.5),
    fc.string({ maxLength: 20 }),
    fc.constantFrom(
        "",
        "glrt-x",
        "1.34",
        "1.3",
        "m7i.large",
        "0.0.0.0/0",
        "10.0.0.0/33",
        "aws:x",
        "sg-0",
        "ON_DEMAND",
        "x".repeat(300),
    ),
);
const value = fc.oneof(
    { weight: 4, arbitrary: scalar },
    { weight: 1, arbitrary: fc.array(scalar, { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), scalar, { maxKeys: 3 }) },
);
const key = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom("__proto__", "constructor", "toString", "verison", "instanceType", "aws:cost", "runnerz"),
);
const mutation = fc.oneof(
    fc.record({ op: fc.constant("delete" as const), pick: fc.nat() }),
    fc.record({ op: fc.constant("set" as const), pick: fc.nat(), value }),
    fc.record({ op: fc.constant("addKey" as const), pick: fc.nat(), key, value }),
    fc.record({ op: fc.constant("repeat" as const), pick: fc.nat(), times: fc.integer({ min: 2, max: 300 }) }),
    fc.record({ op: fc.constant("rename" as const), pick: fc.nat(), key }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(doc: Record<string, Json>, m: Mutation): void {
    const all = paths(doc);
    const path = all[m.pick % all.length];
    const { parent, key: last } = at(doc, path);
    const node = path.length === 0 ? doc : parent[last!];
    switch (m.op) {
        case "delete":
            if (parent && Array.isArray(parent)) parent.splice(last as number, 1);
            else if (parent) delete parent[last!];
            return;
        case "set":
            if (parent) setOwn(parent, last!, structuredClone(m.value));
            return;
        case "addKey":
            if (node && typeof node === "object" && !Array.isArray(node)) setOwn(node, m.key, structuredClone(m.value));
            return;
        case "repeat":
            if (Array.isArray(node) && node.length > 0)
                node.push(...Array.from({ length: m.times }, () => structuredClone(node[0])));
            return;
        case "rename":
            if (parent && !Array.isArray(parent)) {
                const v = parent[last!];
                delete parent[last!];
                setOwn(parent, m.key, v);
            }
            return;
    }
}

describe("validation of any stack document (property)", () => {
    const examples = fs
        .readdirSync(path.join(ROOT, "examples"))
        .filter((f) => /^Pulumi\..+\.yaml$/.test(f))
        .map((f) => path.join(ROOT, "examples", f));
    const files = [...SHIPPED_STACKS.map((stack) => path.join(ROOT, `Pulumi.${stack}.yaml`)), ...examples];
    const bases = files.map((file) => projectKeys(stackFileConfig("property", file)));
    const sections = new Set(["aws:region", ...SECTION_KEYS]);
    /** Wall-clock bound of the 2,000 runs: about 10× what they take on an idle 2-core machine. */
    const TIME_LIMIT_MS = 40_000;

    it("starts from every stack file the project ships, each valid as written", () => {
        assert.ok(files.length >= 3, files.join(", "));
        for (const [i, doc] of bases.entries()) {
            const config = Object.fromEntries(Object.entries(doc).map(([k, v]) => [`eks-gitlab-runners:${k}`, v]));
            const tokens = standInRunnerTokens(config, () => "glrt-stand-in").config;
            assert.doesNotThrow(() => parseStackConfig(projectKeys({ ...config, ...tokens }), "eu-west-1"), files[i]);
        }
    });

    it("answers 2,000 random mutations of every stack file with a ConfigError naming a path, or accepts them", function () {
        this.timeout(TIME_LIMIT_MS + 5_000);
        let rejected = 0;
        fc.assert(
            fc.property(
                fc.nat({ max: bases.length - 1 }),
                fc.array(mutation, { minLength: 1, maxLength: 4 }),
                fc.constantFrom<string | undefined>("eu-west-1", "eu-west-1", "eu-west-1", undefined, "mars-1"),
                (which, mutations, region) => {
                    const doc = structuredClone(bases[which]) as Record<string, Json>;
                    for (const m of mutations) mutate(doc, m);
                    try {
                        // What the plan reads before validation (stand-ins for secrets and missing tokens) takes any shape too.
                        const config = withoutEncryptedValues(
                            Object.fromEntries(Object.entries(doc).map(([k, v]) => [`eks-gitlab-runners:${k}`, v])),
                            () => "glrt-stand-in",
                        ).config;
                        const tokens = standInRunnerTokens(config, () => "glrt-stand-in").config;
                        parseStackConfig(projectKeys({ ...config, ...tokens }), region);
                    } catch (error) {
                        if (!(error instanceof ConfigError)) throw error;
                        rejected++;
                        for (const p of error.problems) {
                            const quoted = /^\[("(?:[^"\\]|\\.)*")\]/.exec(p.path);
                            const root = quoted ? JSON.parse(quoted[1]) : p.path.split(/[.[]/)[0];
                            assert.ok(
                                p.path.length > 0 && (sections.has(root) || root in doc),
                                `path ${JSON.stringify(p.path)}: ${p.message}`,
                            );
                            assert.ok(p.message.length > 0, p.path);
                            assert.doesNotMatch(p.message, /bug in eks-gitlab-runners/, `${p.path}: ${p.message}`);
                            assert.doesNotMatch(
                                p.message,
                                /received undefined|Invalid input: expected/,
                                `${p.path}: ${p.message}`,
                            );
                        }
                    }
                },
            ),
            { numRuns: 2000, seed: 19, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: true },
        );
        assert.ok(rejected > 1000, `most mutations should be rejected (${rejected})`);
    });
});
