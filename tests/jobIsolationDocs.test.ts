import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { PROJECT } from "../config";
import { NON_INTERNET_IPV4 } from "../model/network";
import { ROOT, stackConfigOf, stackFileConfig } from "./support/harness";

// The guide shows a job using the prod deploy runner: the snippet must be a job that really lands there.
describe("docs/job-isolation.md", () => {
    const text = fs.readFileSync(path.join(ROOT, "docs/job-isolation.md"), "utf8");
    const yamlBlocks = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => parseYaml(m[1]));
    const prod = stackConfigOf("prod");
    const deploy = prod.runners.find((r) => r.name === "deploy")!;

    it("a .gitlab-ci.yml job that lands on the deploy runner and runs aws sts get-caller-identity, without keys", () => {
        const job = yamlBlocks.map((b) => b["deploy-artifacts"]).find(Boolean);
        assert.ok(job, "the deploy job snippet");
        // GitLab gives a job to a runner whose tags include all of the job's tags.
        assert.ok(job.tags.every((t: string) => deploy.tags.includes(t)));
        for (const other of prod.runners.filter((r) => r !== deploy))
            assert.ok(!job.tags.every((t: string) => other.tags.includes(t)), `${other.name} could take it too`);
        assert.ok(job.script.includes("aws sts get-caller-identity"));
        assert.ok(!/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|id_tokens/.test(JSON.stringify(job)));
    });

    it("the runner example is the prod stack's deploy runner plus the optional fields", () => {
        const example = yamlBlocks.map((b) => b[`${PROJECT}:runners`]?.deploy).find(Boolean);
        const shipped = (stackFileConfig("prod")[`${PROJECT}:runners`] as Record<string, any>).deploy;
        for (const key of ["nodeGroup", "tags", "concurrent"]) assert.deepEqual(example[key], shipped[key], key);
        assert.deepEqual(example.jobIdentity.managedPolicyArns, shipped.jobIdentity.managedPolicyArns);
    });

    it("states the internet ranges the renderer excepts, and the change for existing runners", () => {
        for (const cidr of NON_INTERNET_IPV4) assert.ok(text.includes(cidr), cidr);
        assert.match(text, /## What changes for existing runners/);
    });
});
