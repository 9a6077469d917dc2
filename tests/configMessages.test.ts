// How validation speaks: a missing key is "required" wherever it is, a wrong type names what was expected and what
// was found, an unknown key suggests the allowed key it probably meant. Checked over every key of both shipped
// stack files and of the fixture, so no schema can slip back to zod's own wording.
import { strict as assert } from "assert";
import { ConfigError, parseStackConfig } from "../config";
import { SECTION_KEYS } from "../config/stack";
import { projectKeys } from "../plan/stackFile";
import { stackFileConfig } from "../plan/engine";
import { problemsOf, validDocument, withValue } from "./support/fixtures";
import { SHIPPED_STACKS } from "./support/harness";

type Path = (string | number)[];

/** Paths of every map key of a document (list items are not keys: deleting one is not a missing key). */
function keyPaths(node: unknown, prefix: Path = []): Path[] {
    if (Array.isArray(node)) return node.flatMap((v, i) => keyPaths(v, [...prefix, i]));
    if (node === null || typeof node !== "object") return [];
    return Object.entries(node).flatMap(([k, v]) => [[...prefix, k], ...keyPaths(v, [...prefix, k])]);
}

const render = (path: Path) => path.reduce<string>((s, p) => (typeof p === "number" ? `${s}[${p}]` : s ? `${s}.${p}` : p), "");

function rejection(doc: Record<string, unknown>): string[] {
    try {
        parseStackConfig(doc, "eu-west-1");
        return [];
    } catch (e) {
        assert.ok(e instanceof ConfigError, String(e));
        return e.problems.map((p) => `${p.path}: ${p.message}`);
    }
}

describe("validation messages", () => {
    const documents: [string, Record<string, unknown>][] = [
        ["fixture", validDocument()],
        ...SHIPPED_STACKS.map((stack): [string, Record<string, unknown>] => {
            const doc = projectKeys(stackFileConfig(stack));
            doc.runnerTokens = Object.fromEntries(Object.keys(doc.runners as object).map((r) => [r, "glrt-x"]));
            return [stack, doc];
        }),
    ];

    it("a deleted key is reported at its own path as required (or by the rule that needs it), never in zod's words", () => {
        let required = 0;
        for (const [name, doc] of documents) {
            for (const path of keyPaths(doc)) {
                const at = render(path);
                for (const line of rejection(withValue(doc, path, undefined)).filter((l) => l.startsWith(`${at}: `))) {
                    assert.doesNotMatch(
                        line,
                        /undefined|Invalid input|Invalid option|received|must be a whole number/,
                        `${name}: deleting ${at}`,
                    );
                    if (line === `${at}: is required`) required++;
                }
            }
        }
        assert.ok(required >= 20, `${required} required keys found`);
    });

    it("a key with no value (YAML `key:`) is required too", () => {
        assert.deepEqual(
            problemsOf(withValue(validDocument(), ["runners", "amd64", "concurrent"], null)).filter((l) =>
                l.startsWith("runners.amd64.concurrent"),
            ),
            ["runners.amd64.concurrent: is required (the key is there but has no value)"],
        );
    });

    it("a value of the wrong type names what was expected and what was found", () => {
        const problems = problemsOf(withValue(validDocument(), ["nodeGroups", "amd64", "minSize"], "zero"));
        assert.ok(problems.includes('nodeGroups.amd64.minSize: must be a number (found the string "zero")'), problems.join("\n"));
    });

    it("an unknown key suggests the allowed key it is closest to, at every level", () => {
        const cases: [Path, string][] = [
            [["clustr"], `clustr: unknown top-level key (allowed: ${SECTION_KEYS.join(", ")}); did you mean "cluster"?`],
            [["cluster", "verison"], 'did you mean "version"?'],
            [["runners", "amd64", "concurent"], 'did you mean "concurrent"?'],
            [["nodeGroups", "amd64", "maxsize"], 'did you mean "maxSize"?'],
        ];
        for (const [path, expected] of cases) {
            const problems = problemsOf(withValue(validDocument(), path, 1));
            assert.ok(
                problems.some((p) => p.startsWith(`${render(path)}: `) && p.endsWith(expected)),
                `${render(path)}:\n${problems.join("\n")}`,
            );
        }
        assert.ok(
            problemsOf(withValue(validDocument(), ["runners", "amd64", "nodeGroup"], "amd46")).includes(
                'runners.amd64.nodeGroup: "amd46" is not a node group (jobs groups: amd64, arm64-spot); did you mean "amd64"?',
            ),
        );
    });

    it("runnerTokens as a scalar is a shape problem that never quotes the value", () => {
        for (const value of ["glrt-abc", true, 42, ["glrt-abc"]]) {
            const problems = problemsOf(withValue(validDocument(), ["runnerTokens"], value));
            const own = problems.filter((p) => p.startsWith("runnerTokens"));
            assert.deepEqual(own, [
                "runnerTokens: must be a map of runner name → token, one per runner: `pulumi config set --secret --path 'runnerTokens.<runner>' glrt-…`",
            ]);
            assert.ok(!problems.join("\n").includes("glrt-abc"), "the token is never quoted");
        }
    });

    it("a key that cannot be written bare is quoted in the path, as `pulumi config set --path` takes it", () => {
        assert.ok(
            problemsOf(withValue(validDocument(), ["cluster", "tags"], { "a.b": "aws:x" })).includes(
                'cluster.tags["a.b"]: values starting with "aws:" are reserved for AWS',
            ),
        );
        assert.ok(problemsOf(withValue(validDocument(), [""], {})).some((p) => p.startsWith('[""]: unknown top-level key')));
    });
});
