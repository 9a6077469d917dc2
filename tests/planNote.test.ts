// The offline-plan job's merge-request note, run as the job runs it (bash, curl) against a fake GitLab on 127.0.0.1.
// What GitLab expects, from its Notes API reference (doc/api/notes.md of gitlab-org/gitlab, "Create new merge request
// note"): POST /projects/:id/merge_requests/:merge_request_iid/notes, the token in the PRIVATE-TOKEN header, the text
// in `body`, "Limited to 1,000,000 characters".
import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { CI_FILE, parsePipeline, Pipeline, scriptOf } from "./support/gitlabCi";

const NOTES_API_BODY_LIMIT = 1_000_000;

interface Request {
    method?: string;
    url?: string;
    token?: string;
    contentType?: string;
    body: string;
}

/** The job's note step: the script entry that posts the note (the plans themselves are written by the first one). */
function noteStep(): string {
    const pipeline = parsePipeline(fs.readFileSync(CI_FILE, "utf8")) as Pipeline;
    const script = pipeline.jobs["offline-plan"].script as string[];
    const step = script.find((s) => s.includes("PLAN_NOTE_TOKEN"));
    assert.ok(step, scriptOf(pipeline.jobs["offline-plan"]));
    return step;
}

async function runNoteStep(diffs: { test: string; prod: string }, status = 201) {
    const requests: Request[] = [];
    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c) => chunks.push(c));
        req.on("end", () => {
            requests.push({
                method: req.method,
                url: req.url,
                token: req.headers["private-token"] as string | undefined,
                contentType: req.headers["content-type"],
                body: Buffer.concat(chunks).toString(),
            });
            res.writeHead(status, { "content-type": "application/json" }).end('{"id":1}');
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-note-"));
    try {
        fs.writeFileSync(path.join(dir, "plan-diff-test.md"), diffs.test);
        fs.writeFileSync(path.join(dir, "plan-diff-prod.md"), diffs.prod);
        const { port } = server.address() as AddressInfo;
        const env = {
            PATH: process.env.PATH ?? "/usr/bin:/bin",
            PLAN_NOTE_TOKEN: "glpat-note-test",
            CI_API_V4_URL: `http://127.0.0.1:${port}/api/v4`,
            CI_PROJECT_ID: "42",
            CI_MERGE_REQUEST_IID: "7",
            CI_JOB_URL: "https://gitlab.example.com/g/p/-/jobs/99",
        };
        const child = spawn("bash", ["-e", "-c", noteStep()], { cwd: dir, env });
        let stderr = "";
        child.stderr.on("data", (c) => (stderr += c));
        const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
        return { code, stderr, requests };
    } finally {
        server.close();
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

const bodyOf = (r: Request) => new URLSearchParams(r.body).get("body");

describe("offline-plan: the merge-request note (Notes API, against a local fake GitLab)", () => {
    it("posts both diffs as one note to this merge request, with the token in PRIVATE-TOKEN", async function () {
        this.timeout(20_000);
        const r = await runNoteStep({ test: "## test & co\n+ a=b\n", prod: "## prod 100%\n" });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.requests.length, 1);
        const [req] = r.requests;
        assert.equal(req.method, "POST");
        assert.equal(req.url, "/api/v4/projects/42/merge_requests/7/notes");
        assert.equal(req.token, "glpat-note-test");
        assert.equal(req.contentType, "application/x-www-form-urlencoded");
        // Form-encoded whole: '&', '=', '%' and newlines arrive as written.
        assert.equal(bodyOf(req), "## test & co\n+ a=b\n\n## prod 100%\n");
    });

    it("points at the artifacts instead of posting a note longer than the API takes", async function () {
        this.timeout(20_000);
        const long = "x".repeat(NOTES_API_BODY_LIMIT / 2);
        const r = await runNoteStep({ test: long, prod: long });
        assert.equal(r.code, 0, r.stderr);
        const body = bodyOf(r.requests[0])!;
        assert.ok(body.length < NOTES_API_BODY_LIMIT);
        assert.match(
            body,
            /too long for a comment: see plan-diff-\*\.md in https:\/\/gitlab\.example\.com\/g\/p\/-\/jobs\/99\/artifacts\/browse/,
        );
    });

    it("a refused note is a warning, never a failed job (the diffs are in the artifacts)", async function () {
        this.timeout(20_000);
        const r = await runNoteStep({ test: "t\n", prod: "p\n" }, 403);
        assert.equal(r.code, 0);
        assert.match(r.stderr, /WARNING: could not post the plan as a merge-request note/);
    });

    it("keeps its size cap below the documented body limit", () => {
        const cap = Number(/NOTE_MAX_BYTES=(\d+)/.exec(noteStep())?.[1]);
        assert.ok(cap > 0 && cap < NOTES_API_BODY_LIMIT, String(cap));
    });
});
