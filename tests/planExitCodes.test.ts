// The exit codes of `npm run plan`: 1 with the problem for an invalid or over-committed stack file, 0 with stand-ins for
// encrypted values, 2 for a usage error.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { parseArgs, runPlan } from "../plan/cli";
import { PlanData } from "../plan/planData";
import { ROOT } from "./support/harness";

describe("offline plan (npm run plan)", () => {
    describe("exit codes", () => {
        const write = (doc: unknown) => {
            const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plan-")), "Pulumi.x.yaml");
            fs.writeFileSync(file, stringify(doc));
            return file;
        };
        const testDoc = () => parse(fs.readFileSync(path.join(ROOT, "Pulumi.test.yaml"), "utf8"));

        it("1 with the validation error when the config is invalid", async () => {
            const doc = testDoc();
            doc.config["eks-gitlab-runners:cluster"].version = "1.2";
            const r = await runPlan(["x", "--stack-file", write(doc)]);
            assert.equal(r.code, 1);
            assert.match(r.stderr, /cluster\.version: "1\.2" is not a supported EKS version/);
            assert.equal(r.stdout, "");
        });

        it("1 when capacity is over-committed (a runner beyond its group)", async () => {
            const doc = testDoc();
            doc.config["eks-gitlab-runners:runners"].amd64.concurrent = 500;
            const r = await runPlan(["x", "--stack-file", write(doc)]);
            assert.equal(r.code, 1);
            assert.match(r.stderr, /runners\.amd64\.concurrent: 500 jobs cannot run at once: "amd64" holds 18/);
        });

        it("0 for a stack file with encrypted values, which get stand-ins", async () => {
            const doc = testDoc();
            doc.config["eks-gitlab-runners:runnerTokens"] = { amd64: { secure: "v1:AAAA" }, isolated: { secure: "v1:BBBB" } };
            const r = await runPlan(["x", "--stack-file", write(doc), "--format", "json"]);
            assert.equal(r.code, 0, r.stderr);
            assert.deepEqual(
                (JSON.parse(r.stdout) as PlanData).findings.filter((f) => f.subject.startsWith("runnerTokens")),
                [],
            );
        });

        it("2 for usage errors", async () => {
            for (const argv of [[], ["nope"], ["test", "--format", "xml"], ["test", "prod"], ["test", "--verbose"]]) {
                const r = await runPlan(argv);
                assert.equal(r.code, 2, argv.join(" "));
                assert.match(r.stderr, /usage: npm run plan -- <stack>/);
            }
            assert.deepEqual(parseArgs(["prod", "--format=markdown"]), {
                stack: "prod",
                format: "markdown",
                stackFile: undefined,
            });
            assert.deepEqual(parseArgs(["prod", "--base=main"]), {
                stack: "prod",
                format: "text",
                stackFile: undefined,
                base: "main",
            });
        });
    });
});
