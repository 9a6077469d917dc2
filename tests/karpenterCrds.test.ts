import { strict as assert } from "assert";
import * as path from "path";
import { ec2NodeClassObject, nodePoolObject } from "../components/karpenter/nodePoolSpec";
import { CelCheck, celRules, loadCrds, schemaErrors, storageSchema } from "./support/crdSchema";
import { ROOT, Recorded, Run, runStackFile, stackConfigOf } from "./support/harness";

// The NodePools and EC2NodeClasses the program creates, validated against the CRDs of the pinned release
// (tests/fixtures/upstream/karpenter-crds.v1.14.1.yaml, source on its first line). `@kubernetes-models/karpenter` 2.0.0
// was not used: it is ESM-only, needs Node ≥ 22, and is generated from Go types without saying which Karpenter release,
// so it could not be held to 1.14.1.
const CRDS = loadCrds(path.join(ROOT, "tests/fixtures/upstream/karpenter-crds.v1.14.1.yaml"));
const schemaOf = (kind: string) => storageSchema(CRDS.get(kind) ?? assert.fail(`no CRD for ${kind}`));

type Self = any;
const has = (o: Self, k: string) => o !== null && typeof o === "object" && o[k] !== undefined;
const keys = (o: Self) => Object.keys(o ?? {});
/** CEL `find("^([^/]+)")` on a label key: its prefix (the whole key when it has no slash). */
const domain = (key: string) => /^([^/]+)/.exec(key)![1];
const listIn = (rule: string) => [...(/in \[([^\]]*)\]/.exec(rule)?.[1].matchAll(/["']([^"']+)["']/g) ?? [])].map((m) => m[1]);
const endsWith = (rule: string) => /endsWith\("([^"]+)"\)/.exec(rule)![1];

/**
 * The CEL rules of the two CRDs that our objects reach, each checked by hand: the rule's text (or a pattern for a
 * family of rules) and what it requires. `oldSelf` rules guard updates; they are checked against the same object (a
 * re-deploy of an unchanged pool). A rule not in this table fails the test: a new release's rules must be read.
 */
const CEL: { readonly rule: string | RegExp; readonly holds: (self: Self, rule: string) => boolean }[] = [
    {
        rule: "(has(self.role) && !has(self.instanceProfile)) || (!has(self.role) && has(self.instanceProfile))",
        holds: (s) => has(s, "role") !== has(s, "instanceProfile"),
    },
    {
        rule: /^!has\(self\.amiFamily\) \|\| \(self\.amiSelectorTerms\.exists\(x, has\(x\.alias\) && x\.alias\.find\('\^\[\^@\]\+'\) == '(\w+)'\) \? \(self\.amiFamily == 'Custom' \|\| self\.amiFamily == '(\w+)'\) : true\)$/,
        holds: (s, rule) => {
            const [, family, expected] = /== '(\w+)'\) \? \(self\.amiFamily == 'Custom' \|\| self\.amiFamily == '(\w+)'/.exec(
                rule,
            )!;
            const aliased = s.amiSelectorTerms.some((t: Self) => has(t, "alias") && t.alias.split("@")[0] === family);
            return !has(s, "amiFamily") || !aliased || ["Custom", expected].includes(s.amiFamily);
        },
    },
    {
        rule: "self.amiSelectorTerms.exists(x, has(x.alias)) ? true : has(self.amiFamily)",
        holds: (s) => s.amiSelectorTerms.some((t: Self) => has(t, "alias")) || has(s, "amiFamily"),
    },
    {
        rule: "self.all(x, has(x.tags) || has(x.id) || has(x.name) || has(x.alias) || has(x.ssmParameter))",
        holds: (s) => s.every((x: Self) => ["tags", "id", "name", "alias", "ssmParameter"].some((k) => has(x, k))),
    },
    {
        rule: "!self.exists(x, has(x.id) && (has(x.alias) || has(x.tags) || has(x.name) || has(x.owner)))",
        holds: (s) => !s.some((x: Self) => has(x, "id") && ["alias", "tags", "name", "owner"].some((k) => has(x, k))),
    },
    {
        rule: "!self.exists(x, has(x.alias) && (has(x.id) || has(x.tags) || has(x.name) || has(x.owner)))",
        holds: (s) => !s.some((x: Self) => has(x, "alias") && ["id", "tags", "name", "owner"].some((k) => has(x, k))),
    },
    {
        rule: "!(self.exists(x, has(x.alias)) && self.size() != 1)",
        holds: (s) => !(s.some((x: Self) => has(x, "alias")) && s.length !== 1),
    },
    { rule: "self.matches('^[a-zA-Z0-9]+@.+$')", holds: (s) => /^[a-zA-Z0-9]+@.+$/.test(s) },
    {
        rule: "self.split('@')[0] in ['al2','al2023','bottlerocket','windows2019','windows2022','windows2025']",
        holds: (s, rule) => listIn(rule).includes(s.split("@")[0]),
    },
    {
        rule: "self.split('@')[0] in ['windows2019','windows2022','windows2025'] ? self.split('@')[1] == 'latest' : true",
        holds: (s, rule) => !listIn(rule).includes(s.split("@")[0]) || s.split("@")[1] === "latest",
    },
    {
        rule: "self.filter(x, has(x.rootVolume)?x.rootVolume==true:false).size() <= 1",
        holds: (s) => s.filter((x: Self) => x.rootVolume === true).length <= 1,
    },
    { rule: "has(self.snapshotID) || has(self.volumeSize)", holds: (s) => has(s, "snapshotID") || has(s, "volumeSize") },
    {
        rule: "!has(self.volumeInitializationRate) || (has(self.snapshotID) && self.snapshotID != '')",
        holds: (s) => !has(s, "volumeInitializationRate") || (has(s, "snapshotID") && s.snapshotID !== ""),
    },
    { rule: "self != ''", holds: (s) => s !== "" },
    { rule: "self.size() != 0", holds: (s) => s.length !== 0 },
    {
        rule: "self.all(x, has(x.tags) || has(x.id) || has(x.name))",
        holds: (s) => s.every((x: Self) => has(x, "tags") || has(x, "id") || has(x, "name")),
    },
    {
        rule: "!self.all(x, has(x.id) && (has(x.tags) || has(x.name)))",
        holds: (s) => !s.every((x: Self) => has(x, "id") && (has(x, "tags") || has(x, "name"))),
    },
    {
        rule: "!self.all(x, has(x.name) && (has(x.tags) || has(x.id)))",
        holds: (s) => !s.every((x: Self) => has(x, "name") && (has(x, "tags") || has(x, "id"))),
    },
    { rule: "self.all(k, k != '' && self[k] != '')", holds: (s) => keys(s).every((k) => k !== "" && s[k] !== "") },
    { rule: "self.all(x, has(x.tags) || has(x.id))", holds: (s) => s.every((x: Self) => has(x, "tags") || has(x, "id")) },
    { rule: "!self.all(x, has(x.id) && has(x.tags))", holds: (s) => !s.every((x: Self) => has(x, "id") && has(x, "tags")) },
    { rule: "self.all(k, k != '')", holds: (s) => keys(s).every((k) => k !== "") },
    {
        rule: /^self\.all\(k, k ?!= ?'([^']+)'\)$/,
        holds: (s, rule) => keys(s).every((k) => k !== /'([^']+)'/.exec(rule)![1]),
    },
    {
        rule: "self.all(k, !k.startsWith('kubernetes.io/cluster') )",
        holds: (s) => keys(s).every((k) => !k.startsWith("kubernetes.io/cluster")),
    },
    // NodePool
    { rule: "has(self.replicas) == has(oldSelf.replicas)", holds: () => true }, // oldSelf = self
    {
        rule: "!has(self.replicas) || (!has(self.limits) || size(self.limits) == 0 || (size(self.limits) == 1 && 'nodes' in self.limits))",
        holds: (s) => !has(s, "replicas") || !has(s, "limits") || keys(s.limits).every((k) => k === "nodes"),
    },
    { rule: "!has(self.replicas) || !has(self.weight)", holds: (s) => !has(s, "replicas") || !has(s, "weight") },
    {
        rule: "self.all(x, has(x.schedule) == has(x.duration))",
        holds: (s) => s.every((x: Self) => has(x, "schedule") === has(x, "duration")),
    },
    {
        rule: /^self\.all\(x, x in \[.*\] \|\| !x\.find\("\^\(\[\^\/\]\+\)"\)\.endsWith\("[^"]+"\)\)$/,
        holds: (s, rule) => keys(s).every((k) => listIn(rule).includes(k) || !domain(k).endsWith(endsWith(rule))),
    },
    { rule: /^self\.all\(x, x != "([^"]+)"\)$/, holds: (s, rule) => keys(s).every((k) => k !== /"([^"]+)"/.exec(rule)![1]) },
    { rule: "self.group == oldSelf.group", holds: () => true }, // oldSelf = self
    { rule: "self.kind == oldSelf.kind", holds: () => true }, // oldSelf = self
    {
        rule: "self.all(x, x.operator == 'In' ? x.values.size() != 0 : true)",
        holds: (s) => s.every((x: Self) => x.operator !== "In" || x.values.length !== 0),
    },
    {
        rule: "self.all(x, (x.operator == 'Gt' || x.operator == 'Lt' || x.operator == 'Gte' || x.operator == 'Lte') ? (x.values.size() == 1 && int(x.values[0]) >= 0) : true)",
        holds: (s) =>
            s.every(
                (x: Self) =>
                    !["Gt", "Lt", "Gte", "Lte"].includes(x.operator) || (x.values.length === 1 && Number(x.values[0]) >= 0),
            ),
    },
    {
        rule: "self.all(x, (x.operator == 'In' && has(x.minValues)) ? x.values.size() >= x.minValues : true)",
        holds: (s) => s.every((x: Self) => !(x.operator === "In" && has(x, "minValues")) || x.values.length >= x.minValues),
    },
    {
        rule: /^self in \[.*\] \|\| !self\.find\("\^\(\[\^\/\]\+\)"\)\.endsWith\("[^"]+"\)$/,
        holds: (s, rule) => listIn(rule).includes(s) || !domain(s).endsWith(endsWith(rule)),
    },
    { rule: /^self != "([^"]+)"$/, holds: (s, rule) => s !== /"([^"]+)"/.exec(rule)![1] },
];

/** The table entries a rule matches (exactly one is expected). */
const entriesFor = (rule: string) => CEL.filter((c) => (typeof c.rule === "string" ? c.rule === rule : c.rule.test(rule)));

/** CEL rules the object breaks (or that are not in the table), as messages. */
function celProblems(kind: string, object: unknown): string[] {
    return celRules(schemaOf(kind), object).flatMap((c: CelCheck) => {
        const entries = entriesFor(c.rule);
        if (entries.length !== 1) return [`${c.path}: ${entries.length} table entries for CEL rule ${c.rule}`];
        return entries[0].holds(c.self, c.rule) ? [] : [`${c.path}: ${c.message}`];
    });
}

describe("Karpenter objects against the CRDs of v1.14.1", () => {
    let run: Run;
    let objects: Recorded[];
    before(async () => {
        run = await runStackFile("karpenter");
        objects = run.resources.filter((r) => r.type.startsWith("kubernetes:karpenter."));
    });
    const body = (r: Recorded) => {
        const { apiVersion, kind, metadata, spec } = r.inputs;
        return { apiVersion, kind, metadata, spec };
    };

    it("the CRD file holds the two kinds at their v1 storage versions", () => {
        assert.equal(CRDS.get("NodePool")!.spec.group, "karpenter.sh");
        assert.equal(CRDS.get("EC2NodeClass")!.spec.group, "karpenter.k8s.aws");
        for (const kind of ["NodePool", "EC2NodeClass"])
            assert.equal(CRDS.get(kind)!.spec.versions.find((v: Self) => v.storage).name, "v1");
    });

    it("every NodePool and EC2NodeClass the example stack creates passes the schema, unknown fields included", () => {
        assert.equal(objects.length, 2 * stackConfigOf("karpenter").nodePools.length);
        for (const r of objects) assert.deepEqual(schemaErrors(schemaOf(r.inputs.kind), body(r)), [], `${r.name}`);
    });

    it("every CEL rule those objects reach is known and holds", () => {
        const reached = new Set<string>();
        for (const r of objects) {
            for (const c of celRules(schemaOf(r.inputs.kind), body(r))) reached.add(c.rule);
            assert.deepEqual(celProblems(r.inputs.kind, body(r)), [], r.name);
        }
        assert.ok(reached.size >= 40, `only ${reached.size} rules reached`);
    });

    it("so do objects of every kind of pool (Spot, arm64, a given grace period, Never expiring)", () => {
        const [pool] = stackConfigOf("karpenter").nodePools;
        const variants = [
            { ...pool, capacityTypes: ["spot"] as const, expireAfter: "Never", consolidateAfter: "Never" },
            { ...pool, arch: "arm64" as const, instanceFamilies: ["m7g"], terminationGracePeriod: "1h30m" },
        ];
        const ctx = { clusterName: "c", nodeRoleName: "c-karpenter-node", amiAlias: "al2023@v20251112", tags: { a: "b" } };
        for (const p of variants) {
            for (const object of [nodePoolObject(p), ec2NodeClassObject(p, ctx)]) {
                assert.deepEqual(schemaErrors(schemaOf(object.kind), object), []);
                assert.deepEqual(celProblems(object.kind, object), []);
            }
        }
    });

    it("the checks reject what the API server would: an unknown field, a bad enum or duration, a broken alias or tag", () => {
        const [pool] = stackConfigOf("karpenter").nodePools;
        const np = nodePoolObject(pool);
        const typo = structuredClone(np) as Self;
        typo.spec.disruption.consolidateAfer = "5m";
        assert.match(schemaErrors(schemaOf("NodePool"), typo).join("\n"), /additionalProperty.*consolidateAfer/);
        const policy = structuredClone(np) as Self;
        policy.spec.disruption.consolidationPolicy = "Sometimes";
        assert.match(schemaErrors(schemaOf("NodePool"), policy).join("\n"), /allowedValues/);
        const days = structuredClone(np) as Self;
        days.spec.template.spec.expireAfter = "14d";
        assert.match(schemaErrors(schemaOf("NodePool"), days).join("\n"), /expireAfter must match pattern/);

        const ctx = {
            clusterName: "c",
            nodeRoleName: "r",
            amiAlias: "al2023-latest",
            tags: { "kubernetes.io/cluster/c": "owned" },
        };
        assert.deepEqual(celProblems("EC2NodeClass", ec2NodeClassObject(pool, ctx)).sort(), [
            ".spec.amiSelectorTerms[0].alias: 'alias' is improperly formatted, must match the format 'family@version'",
            ".spec.amiSelectorTerms[0].alias: family is not supported, must be one of the following: 'al2', 'al2023', 'bottlerocket', 'windows2019', 'windows2022', 'windows2025'",
            ".spec.tags: tag contains a restricted tag matching kubernetes.io/cluster/",
        ]);
        const restricted = structuredClone(np) as Self;
        restricted.spec.template.metadata.labels["karpenter.sh/nodepool"] = "x";
        assert.ok(celProblems("NodePool", restricted).some((p) => p.includes('label "karpenter.sh/nodepool" is restricted')));
    });
});
