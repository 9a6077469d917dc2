// The plan's loader (plan/loader.js) defers what @pulumi/pulumi loads at start-up but the plan never uses, and the
// deferred modules still work for whoever reads them.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { ROOT } from "./support/harness";

describe("plan loader", () => {
    it("loads the TypeScript compiler, arborist and the Automation API only when something reads them", function () {
        this.timeout(30_000);
        const script = `
            const from = require("path").dirname(require.resolve("@pulumi/pulumi"));
            const deferred = (file) => require.cache[require.resolve(file, { paths: [from] })]?.deferred === true;
            const files = ["typescript", "@npmcli/arborist", "./automation"];
            const pulumi = require("@pulumi/pulumi");
            const before = files.map(deferred);
            const works = typeof pulumi.automation.LocalWorkspace.create === "function";
            console.log(JSON.stringify({ before, works, after: files.map(deferred) }));`;
        const r = spawnSync(process.execPath, ["-r", "./plan/loader.js", "-e", script], { cwd: ROOT, encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(JSON.parse(r.stdout), { before: [true, true, true], works: true, after: [true, true, false] });
    });
});
