import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { PolicyResource, RULES, TYPES, UNKNOWN } from "../policies";
import { fromResourceArgs, fromStackResource, plain } from "../policy-pack/adapter";
import { buildPolicies, PACK_NAME } from "../policy-pack/policies";
import { ROOT, runStackFile } from "./support/harness";
import { policyResources } from "./support/policyResources";

// The SDK's own unknown-checking proxy, to feed the pack adapter exactly what a preview hands it (not in its typings).
const { unknownCheckingProxy } = require("@pulumi/policy/proxy") as { unknownCheckingProxy<T>(v: T): T };
const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

describe("CrossGuard pack (policy-pack/)", () => {
    let prod: PolicyResource[];
    before(async () => {
        prod = policyResources(await runStackFile("prod"), "eu-west-1");
    });
    const policies = buildPolicies();
    const reports = () => {
        const messages: { message: string; urn?: string }[] = [];
        return {
            messages,
            report: (message: string, urn?: string) => {
                messages.push({ message, urn });
            },
        };
    };
    const config = <T>() => ({ productionStacks: ["prod"] }) as unknown as T;
    const sdkResourceArgs = (type: string, name: string, props: Record<string, unknown>, opts: Record<string, unknown> = {}) => ({
        type,
        name,
        urn: `urn:pulumi:prod::eks-gitlab-runners::${type}::${name}`,
        props: unknownCheckingProxy(props),
        opts: {
            protect: false,
            ignoreChanges: [],
            aliases: [],
            customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
            additionalSecretOutputs: [],
            ...opts,
        },
        stackTags: new Map(),
        getConfig: config,
        isType: () => false,
        asType: () => undefined,
        notApplicable: (): never => {
            throw new Error("n/a");
        },
    });

    it("serves every rule as a mandatory policy, named by its id (a '-stack' twin where a rule has both checks)", () => {
        const names = policies.map((p) => p.name);
        assert.equal(new Set(names).size, names.length);
        assert.deepEqual(
            names,
            RULES.flatMap((r) => [
                ...(r.checkResource ? [r.id] : []),
                ...(r.checkStack ? [r.checkResource ? `${r.id}-stack` : r.id] : []),
            ]),
        );
        assert.ok(names.includes("prod-cluster-protected-stack"));
        for (const p of policies) assert.equal(p.enforcementLevel, "mandatory", p.name);
    });

    it("validateResource reports through the SDK's callback, and survives unknown preview values", () => {
        const imds = policies.find((p) => p.name === "imdsv2-hop-limit-1")! as any;
        const bad = reports();
        imds.validateResource(
            sdkResourceArgs(TYPES.launchTemplate, "lt", {
                metadataOptions: { httpTokens: "optional", httpPutResponseHopLimit: 1 },
            }),
            bad.report,
        );
        assert.deepEqual(
            bad.messages.map((m) => m.message),
            ['launch template lt allows IMDSv1 (metadataOptions.httpTokens is "optional"); set httpTokens: "required"'],
        );
        const previewed = reports();
        imds.validateResource(
            sdkResourceArgs(TYPES.launchTemplate, "lt", {
                metadataOptions: { httpTokens: UNKNOWN_STRING, httpPutResponseHopLimit: 1 },
            }),
            previewed.report,
        );
        assert.deepEqual(previewed.messages, []);
    });

    it("the adapter turns the SDK's unknowns into UNKNOWN and keeps the parent's name", () => {
        const args = sdkResourceArgs(
            TYPES.nodeGroup,
            "ng",
            { launchTemplate: UNKNOWN_STRING, labels: { a: "b" }, list: [1, UNKNOWN_STRING] },
            { parent: "urn:pulumi:prod::p::eks-gitlab-runners:index:JobNodeGroup::amd64" },
        );
        const resource = fromResourceArgs(args as any);
        assert.deepEqual(resource.inputs, { launchTemplate: UNKNOWN, labels: { a: "b" }, list: [1, UNKNOWN] });
        assert.equal(resource.parent, "amd64");
        assert.deepEqual(plain(unknownCheckingProxy({ x: { y: UNKNOWN_STRING } })), { x: { y: UNKNOWN } });
    });

    it("in the pack, a token inside a Kubernetes Secret (declared secret) passes and one in Helm values fails", () => {
        const token = policies.find((p) => p.name === "runner-token-not-plaintext")! as any;
        const ok = reports();
        token.validateResource(
            sdkResourceArgs(
                TYPES.secret,
                "t",
                { stringData: { "runner-token": "glrt-abc" } },
                { additionalSecretOutputs: ["data", "stringData"] },
            ),
            ok.report,
        );
        assert.deepEqual(ok.messages, []);
        const leak = reports();
        token.validateResource(sdkResourceArgs(TYPES.helmRelease, "r", { values: { runnerToken: "glrt-abc" } }), leak.report);
        assert.equal(leak.messages.length, 1);
    });

    it("validateStack pairs resources through the SDK's parent objects and reports the offender's URN", () => {
        const azr = policies.find((p) => p.name === "job-nodegroup-azrebalance-suspended")! as any;
        const byName = new Map<string, any>();
        const sdk = prod
            .filter((r) => !(r.type === TYPES.asgProcessSuspension && r.parent === "amd64"))
            .map((r) => {
                const parent = r.parent === undefined ? undefined : (byName.get(r.parent) ?? { name: r.parent });
                const resource = {
                    type: r.type,
                    name: r.name,
                    urn: r.urn!,
                    props: unknownCheckingProxy({ ...r.inputs, ...r.outputs }),
                    opts: { protect: r.opts?.protect ?? false, additionalSecretOutputs: [] },
                    parent,
                };
                byName.set(r.name, resource);
                return resource;
            });
        assert.equal(fromStackResource(sdk.find((r) => r.type === TYPES.nodeGroup)! as any).parent, "management");
        const found = reports();
        azr.validateStack(
            {
                resources: sdk,
                stackTags: new Map(),
                getConfig: config,
                notApplicable: () => {
                    throw new Error("n/a");
                },
            },
            found.report,
        );
        assert.equal(found.messages.length, 1);
        assert.equal(found.messages[0].urn, prod.find((r) => r.type === TYPES.nodeGroup && r.parent === "amd64")!.urn);
    });

    it("honours productionStacks from the pack config", () => {
        const prod = policies.find((p) => p.name === "prod-cluster-protected")! as any;
        const cluster = sdkResourceArgs(TYPES.eksCluster, "c", { deletionProtection: false });
        const asProd = reports();
        prod.validateResource(cluster, asProd.report);
        assert.equal(asProd.messages.length, 2);
        const notProd = reports();
        prod.validateResource({ ...cluster, getConfig: () => ({ productionStacks: ["live"] }) }, notProd.report);
        assert.deepEqual(notProd.messages, []);
    });

    it("is a loadable pack: PulumiPolicy.yaml, a versioned package.json with no dependencies, one root @pulumi/policy pin", () => {
        const dir = path.join(ROOT, "policy-pack");
        const manifest = parseYaml(fs.readFileSync(path.join(dir, "PulumiPolicy.yaml"), "utf8"));
        assert.equal(manifest.runtime, "nodejs");
        assert.equal(manifest.name, PACK_NAME);
        const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
        assert.match(pkg.version, /^\d+\.\d+\.\d+$/, "PolicyPack reads its version from here");
        assert.equal(pkg.dependencies, undefined, "dependencies resolve from the root: one copy of @pulumi/pulumi");
        const root = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
        assert.match(root.devDependencies["@pulumi/policy"], /^\d+\.\d+\.\d+$/, "pinned exactly");
        assert.match(
            fs.readFileSync(path.join(dir, "index.ts"), "utf8"),
            /new PolicyPack\(PACK_NAME, \{[\s\S]*policies: buildPolicies\(\)/,
        );
    });
});
