// The plan's output reaches its reader whole, and its exit codes say what happened: 1 for a stack file that is not
// YAML (with line and column) or whose configuration is invalid (whatever its shape), never a crash.
import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runPlan } from "../plan/cli";
import { ROOT } from "./support/harness";

function write(text: string): string {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plan-")), "Pulumi.x.yaml");
    fs.writeFileSync(file, text);
    return file;
}

describe("plan output and exit codes", () => {
    // Node writes stdout to a pipe asynchronously on POSIX, and process.exit drops what is still queued (Node.js API
    // docs, process, "A note on process I/O"): the reader, slower than the writer, must still get every byte.
    it("writes more than 1 MiB through a pipe completely before it exits (the exit path of `npm run plan`)", async function () {
        this.timeout(30_000);
        const size = 3 * 1024 * 1024;
        const child = spawn(
            process.execPath,
            [
                "-r",
                "./plan/loader.js",
                "-e",
                `require("./plan/exit.ts").exitWith({ code: 0, stdout: "x".repeat(${size}) + "END", stderr: "done" })`,
            ],
            { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
        );
        let received = 0;
        let tail = "";
        let stderr = "";
        // A slow reader: the child's writes outrun the pipe, as they do when a plan is piped into a file or a tool.
        child.stdout.on("data", (chunk: Buffer) => {
            received += chunk.length;
            tail = (tail + chunk.toString()).slice(-3);
            child.stdout.pause();
            setTimeout(() => child.stdout.resume(), 1);
        });
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
        assert.equal(code, 0);
        assert.equal(received, size + 3);
        assert.equal(tail, "END");
        assert.equal(stderr, "done");
    });

    it("1 with file, line and column for a stack file that is not YAML", async () => {
        const r = await runPlan([
            "x",
            "--stack-file",
            write("config:\n  eks-gitlab-runners:cluster:\n    name: [a, b\n  aws:region: eu-west-1\n"),
        ]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /^Pulumi\.x\.yaml is not valid YAML:\n {2}- Pulumi\.x\.yaml:4:\d+: /);
        assert.equal(r.stdout, "");
        const dup = await runPlan(["x", "--stack-file", write("config:\n  aws:region: eu-west-1\n  aws:region: eu-west-2\n")]);
        assert.equal(dup.code, 1);
        assert.match(dup.stderr, /Pulumi\.x\.yaml:3:3: Map keys must be unique/);
    });

    it("1 for a stack file whose config is not a map", async () => {
        for (const [text, expected] of [
            ["- a\n- b\n", "Pulumi.x.yaml: the file must be a map with a `config:` key, found a list"],
            ["config: hello\n", "Pulumi.x.yaml: `config:` must be a map of keys, found a string"],
        ]) {
            const r = await runPlan(["x", "--stack-file", write(text)]);
            assert.deepEqual([r.code, r.stderr], [1, `${expected}\n`]);
        }
    });

    it("1, not a crash, for runner tokens of any shape (the stand-ins are added before validation)", async () => {
        const stack = fs.readFileSync(path.join(ROOT, "Pulumi.test.yaml"), "utf8");
        for (const value of ["glrt-abc", "true", "[glrt-abc]"]) {
            const r = await runPlan(["x", "--stack-file", write(`${stack}\n  eks-gitlab-runners:runnerTokens: ${value}\n`)]);
            assert.equal(r.code, 1, r.stderr);
            assert.match(r.stderr, /runnerTokens: must be a map of runner name → token/);
            assert.doesNotMatch(r.stderr, /glrt-abc/);
        }
    });
});
