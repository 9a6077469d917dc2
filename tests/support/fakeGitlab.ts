// A local stand-in for the GitLab runner endpoints: a Node HTTP server on 127.0.0.1 (a free port) with in-memory
// runners, answering the way gitlab-org/gitlab does (lib/api/user_runners.rb, lib/api/ci/runners.rb,
// lib/api/api_guard.rb, app/models/ci/runner.rb): the same status codes, `{"message": …}` / `{"error": …}` bodies,
// token scopes, the defaults of POST /user/runners (locked false, run_untagged true) and the model's validations.
// Tests can edit a runner behind the provider's back (a UI edit) and queue failures (429, 5xx, a dropped connection).
import * as http from "http";
import type { AddressInfo } from "net";
import type { RunnerSpec } from "../../components/runners/registration/api";

export interface FakeRunner {
    id: number;
    runner_type: string;
    group_id?: number;
    project_id?: number;
    description: string;
    paused: boolean;
    locked: boolean;
    run_untagged: boolean;
    tag_list: string[];
    access_level: string;
    maximum_timeout: number | null;
    maintenance_note: string;
    token: string;
}

export interface RecordedRequest {
    readonly method: string;
    readonly path: string;
    readonly headers: http.IncomingHttpHeaders;
    readonly body: unknown;
}

/** A canned answer for the next matching request, or "network" to drop the connection without one. */
export type Injected = { status: number; headers?: Record<string, string>; body?: string } | "network";

/** Tokens the fake knows, with their scopes (doc: "Access token scopes"). */
export const FAKE_TOKENS = {
    full: { token: "glpat-fake-full-0123456789", scopes: ["create_runner", "manage_runner"] },
    createOnly: { token: "glpat-fake-create-0123456789", scopes: ["create_runner"] },
    readApi: { token: "glpat-fake-readapi-0123456789", scopes: ["read_api"] },
    api: { token: "glpat-fake-api-0123456789", scopes: ["api"] },
} as const;

/** A group runner as a stack would declare it. */
export const SAMPLE_SPEC: RunnerSpec = {
    runnerType: "group_type",
    groupId: 42,
    description: "eks-prod amd64",
    paused: false,
    locked: true,
    runUntagged: false,
    tagList: ["amd64", "docker"],
    accessLevel: "not_protected",
    maximumTimeout: 3600,
    maintenanceNote: "Managed by Pulumi",
};

const SCOPE_ERROR = "The request requires higher privileges than provided by the access token.";

export class FakeGitlab {
    readonly runners = new Map<number, FakeRunner>();
    /** Groups and projects that exist; the token's user is Owner of all but those in `notOwner`. */
    readonly groups = new Set<number>([42]);
    readonly projects = new Set<number>([7]);
    readonly notOwner = new Set<string>();
    readonly requests: RecordedRequest[] = [];
    private readonly injected: { method?: string; path?: RegExp; response: Injected }[] = [];
    private nextId = 9170;
    private tokenSerial = 0;
    url = "";

    private constructor(private readonly server: http.Server) {}

    static async start(): Promise<FakeGitlab> {
        const server = http.createServer();
        const fake = new FakeGitlab(server);
        server.on("request", (req, res) => fake.handle(req, res));
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        return fake;
    }

    close(): Promise<void> {
        this.server.closeAllConnections();
        return new Promise((resolve) => this.server.close(() => resolve()));
    }

    /** Answers the next `times` requests matching `method` and `path` with `response` instead of handling them. */
    inject(response: Injected, match: { method?: string; path?: RegExp } = {}, times = 1): void {
        for (let i = 0; i < times; i++) this.injected.push({ ...match, response });
    }

    /** Changes a runner the way someone editing it in GitLab's UI would. */
    editInUi(id: number, patch: Partial<FakeRunner>): void {
        Object.assign(this.runners.get(id)!, patch);
    }

    /** Requests to the API, as "METHOD /path" (without /api/v4). */
    calls(): string[] {
        return this.requests.map((r) => `${r.method} ${r.path.replace(/^\/api\/v4/, "")}`);
    }

    private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const raw = Buffer.concat(chunks).toString("utf8");
        const body = raw === "" ? undefined : JSON.parse(raw);
        const method = req.method ?? "GET";
        const path = (req.url ?? "/").split("?")[0];
        this.requests.push({ method, path, headers: req.headers, body });

        const i = this.injected.findIndex((x) => (!x.method || x.method === method) && (!x.path || x.path.test(path)));
        if (i >= 0) {
            const [{ response }] = this.injected.splice(i, 1);
            if (response === "network") return void req.socket.destroy();
            res.writeHead(response.status, { "Content-Type": "application/json", ...response.headers });
            return void res.end(response.body ?? JSON.stringify({ message: `${response.status} injected` }));
        }
        const [status, answer] = this.route(method, path, req.headers["private-token"], body);
        if (answer === undefined) return void res.writeHead(status).end();
        res.writeHead(status, { "Content-Type": "application/json" });
        res.end(JSON.stringify(answer));
    }

    private route(method: string, path: string, token: unknown, body: any): [number, unknown] {
        const scopes = Object.values(FAKE_TOKENS).find((t) => t.token === token)?.scopes as readonly string[] | undefined;
        if (!scopes) return [401, { message: "401 Unauthorized" }];
        const allowed = (scope: string) => scopes.includes(scope) || scopes.includes("api");
        const insufficient = (scope: string): [number, unknown] => [
            403,
            { error: "insufficient_scope", error_description: SCOPE_ERROR, scope: `${scope} api` },
        ];

        if (method === "POST" && path === "/api/v4/user/runners") {
            return allowed("create_runner") ? this.create(body) : insufficient("create_runner");
        }
        const m = /^\/api\/v4\/runners\/(\d+)(\/reset_authentication_token)?$/.exec(path);
        if (!m) return [404, { error: "404 Not Found" }];
        if (!allowed("manage_runner")) return insufficient("manage_runner");
        const runner = this.runners.get(Number(m[1]));
        if (!runner) return [404, { message: "404 Runner Not Found" }];
        if (this.notOwner.has(ownerKey(runner))) return [403, { message: "403 Forbidden - No access granted" }];
        if (m[2] && method === "POST") {
            runner.token = this.newToken();
            return [201, { token: runner.token, token_expires_at: null }];
        }
        if (m[2]) return [405, { error: "405 Method Not Allowed" }];
        if (method === "GET") return [200, details(runner)];
        if (method === "DELETE") {
            this.runners.delete(runner.id);
            return [204, undefined];
        }
        if (method === "PUT") return this.update(runner, body ?? {});
        return [405, { error: "405 Method Not Allowed" }];
    }

    private create(body: any): [number, unknown] {
        const types = ["instance_type", "group_type", "project_type"];
        if (!types.includes(body?.runner_type)) return [400, { error: "runner_type does not have a valid value" }];
        const type: string = body.runner_type;
        if (type === "group_type" && body.group_id === undefined) return [400, { error: "group_id is missing" }];
        if (type === "project_type" && body.project_id === undefined) return [400, { error: "project_id is missing" }];
        if (type === "group_type" && !this.groups.has(body.group_id))
            return [400, { message: "400 Bad request - Missing/invalid group" }];
        if (type === "project_type" && !this.projects.has(body.project_id)) {
            return [400, { message: "400 Bad request - Missing/invalid project" }];
        }
        const runner: FakeRunner = {
            id: this.nextId++,
            runner_type: type,
            ...(type === "group_type" ? { group_id: body.group_id } : {}),
            ...(type === "project_type" ? { project_id: body.project_id } : {}),
            description: body.description ?? "",
            paused: body.paused ?? false,
            locked: body.locked ?? false,
            run_untagged: body.run_untagged ?? true,
            tag_list: body.tag_list ?? [],
            access_level: body.access_level ?? "not_protected",
            maximum_timeout: body.maximum_timeout ?? null,
            maintenance_note: body.maintenance_note ?? "",
            token: this.newToken(),
        };
        if (this.notOwner.has(ownerKey(runner))) return [403, { message: "403 Forbidden - Insufficient permissions" }];
        const invalid = validation(runner);
        if (invalid.length > 0) return [400, { message: `400 Bad request - ${invalid.map(([f, e]) => `${f} ${e}`).join(", ")}` }];
        this.runners.set(runner.id, runner);
        return [201, { id: runner.id, token: runner.token, token_expires_at: null }];
    }

    private update(runner: FakeRunner, body: any): [number, unknown] {
        if ("active" in body && "paused" in body) return [400, { error: "active, paused are mutually exclusive" }];
        const next: FakeRunner = { ...runner };
        const fields = [
            "description",
            "paused",
            "locked",
            "run_untagged",
            "tag_list",
            "access_level",
            "maximum_timeout",
            "maintenance_note",
        ];
        for (const f of fields) if (f in body) (next as any)[f] = body[f];
        const invalid = validation(next);
        if (invalid.length > 0) return [400, { message: Object.fromEntries(invalid.map(([f, e]) => [f, [e]])) }];
        Object.assign(runner, next);
        return [200, details(runner)];
    }

    private newToken(): string {
        return `glrt-fake${String(++this.tokenSerial).padStart(4, "0")}xyz`;
    }
}

const ownerKey = (r: Pick<FakeRunner, "runner_type" | "group_id" | "project_id">) =>
    r.runner_type === "group_type"
        ? `group:${r.group_id}`
        : r.runner_type === "project_type"
          ? `project:${r.project_id}`
          : "instance";

/** The model's validations (app/models/ci/runner.rb), as [field, message]. */
function validation(r: FakeRunner): [string, string][] {
    const out: [string, string][] = [];
    if (r.maximum_timeout !== null && r.maximum_timeout < 600) out.push(["maximum_timeout", "needs to be at least 10 minutes"]);
    if (r.description.length > 1024) out.push(["description", "is too long (maximum is 1024 characters)"]);
    if (r.maintenance_note.length > 1024) out.push(["maintenance_note", "is too long (maximum is 1024 characters)"]);
    if (r.tag_list.length > 50) out.push(["tags_list", "Too many tags specified. Please limit the number of tags to 50"]);
    if (r.tag_list.length === 0 && !r.run_untagged)
        out.push(["tags_list", "can not be empty when runner is not allowed to pick untagged jobs"]);
    return out;
}

/** Entities::Ci::RunnerDetails, the fields this project reads and a few it does not. */
function details(r: FakeRunner) {
    return {
        id: r.id,
        description: r.description,
        active: !r.paused,
        paused: r.paused,
        is_shared: r.runner_type === "instance_type",
        runner_type: r.runner_type,
        name: null,
        online: null,
        status: "never_contacted",
        tag_list: [...r.tag_list].sort(),
        run_untagged: r.run_untagged,
        locked: r.locked,
        maximum_timeout: r.maximum_timeout,
        access_level: r.access_level,
        maintenance_note: r.maintenance_note,
        contacted_at: null,
        projects: r.project_id !== undefined ? [{ id: r.project_id, name: `project ${r.project_id}` }] : [],
        groups: r.group_id !== undefined ? [{ id: r.group_id, name: `group ${r.group_id}` }] : [],
    };
}
