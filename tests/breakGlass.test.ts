import { strict as assert } from "assert";
import { AwsResult, Deps, expiryTag, run, TAGS } from "../scripts/ci/breakGlass";

// A local fake of the EKS access-entry API as the AWS CLI v2 shows it: JSON on stdout, and on failure exit code 254
// with "An error occurred (<Code>) when calling the <Operation> operation: …" on stderr. One entry per principal
// (CreateAccessEntry → ResourceInUseException), DescribeAccessEntry → ResourceNotFoundException when there is none
// (EKS API reference, CreateAccessEntry / DescribeAccessEntry errors).
class FakeEks {
    entries = new Map<string, { tags: Record<string, string>; policies: string[] }>();
    calls: string[][] = [];
    /** Operation → error code to fail with (once per listed occurrence). */
    failures: [string, string][] = [];

    aws = (args: string[]): AwsResult => {
        this.calls.push(args);
        const [, op] = args;
        const arg = (name: string) => args[args.indexOf(name) + 1];
        const failure = this.failures.findIndex(([o]) => o === op);
        if (failure >= 0) return this.error(op, this.failures.splice(failure, 1)[0][1]);
        const arn = arg("--principal-arn");
        const entry = this.entries.get(arn);
        switch (op) {
            case "describe-access-entry":
                return entry
                    ? this.ok({ accessEntry: { principalArn: arn, tags: entry.tags } })
                    : this.error(op, "ResourceNotFoundException");
            case "create-access-entry":
                if (entry) return this.error(op, "ResourceInUseException");
                this.entries.set(arn, { tags: JSON.parse(arg("--tags") ?? "{}"), policies: [] });
                return this.ok({});
            case "associate-access-policy":
                if (!entry) return this.error(op, "ResourceNotFoundException");
                entry.policies.push(arg("--policy-arn"));
                return this.ok({});
            case "delete-access-entry":
                if (!entry) return this.error(op, "ResourceNotFoundException");
                this.entries.delete(arn);
                return this.ok({});
            case "list-access-entries":
                return this.ok({ accessEntries: [...this.entries.keys()] });
        }
        throw new Error(`fake EKS: unexpected ${args.join(" ")}`);
    };
    private ok = (body: unknown): AwsResult => ({ status: 0, stdout: JSON.stringify(body), stderr: "" });
    private error = (op: string, code: string): AwsResult => ({
        status: 254,
        stdout: "",
        stderr: `\nAn error occurred (${code}) when calling the ${op} operation: simulated\n`,
    });
}

const NOW = new Date("2026-05-01T10:00:00Z");
const ROLE = "arn:aws:iam::444455556666:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_BreakGlass_0123456789abcdef";
const STACK_ROLE = "arn:aws:iam::444455556666:role/gitlab-ci-deploy";
const WHERE = ["--cluster", "ci-runners-prod", "--region", "eu-west-1"];
const GRANT = [
    "grant",
    ...WHERE,
    "--role-arn",
    ROLE,
    "--reason",
    "INC-42 runners down",
    "--hours",
    "4",
    "--by",
    "alice",
    "--pipeline",
    "https://gitlab.example.com/p/-/pipelines/9",
];
const REVOKE = [
    "revoke",
    ...WHERE,
    "--role-arn",
    ROLE,
    "--by",
    "bob",
    "--pipeline",
    "https://gitlab.example.com/p/-/pipelines/9",
];

function exec(eks: FakeEks, argv: string[], now = NOW) {
    const out: string[] = [];
    const err: string[] = [];
    const deps: Deps = { aws: eks.aws, now: () => now, out: (l) => out.push(l), err: (l) => err.push(l) };
    return { code: run(argv, deps), out: out.join("\n"), err: err.join("\n") };
}

describe("break-glass (scripts/ci/breakGlass.ts, against a fake EKS)", () => {
    it("grant: one tagged access entry with cluster-wide AmazonEKSClusterAdminPolicy, and an audit line", () => {
        const eks = new FakeEks();
        const r = exec(eks, GRANT);
        assert.equal(r.code, 0, r.err);
        assert.deepEqual(eks.entries.get(ROLE), {
            tags: {
                [TAGS.grantedBy]: "alice",
                [TAGS.expires]: "2026-05-01T14:00Z",
                [TAGS.pipeline]: "https://gitlab.example.com/p/-/pipelines/9",
            },
            policies: ["arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"],
        });
        const associate = eks.calls.find((c) => c[1] === "associate-access-policy")!;
        assert.deepEqual(associate.slice(associate.indexOf("--access-scope"), associate.indexOf("--access-scope") + 2), [
            "--access-scope",
            "type=cluster",
        ]);
        assert.match(
            r.out,
            /AUDIT break-glass GRANT cluster=ci-runners-prod role=\S+BreakGlass\S+ by=alice reason="INC-42 runners down" expires=2026-05-01T14:00Z/,
        );
        assert.ok(eks.calls.every((c) => c.includes("--region") && c.includes("ci-runners-prod")));
    });

    it("grant refuses a role that already has an entry (a stack-managed role), without touching it", () => {
        const eks = new FakeEks();
        eks.entries.set(STACK_ROLE, { tags: {}, policies: ["…AmazonEKSClusterAdminPolicy"] });
        const r = exec(
            eks,
            GRANT.map((a) => (a === ROLE ? STACK_ROLE : a)),
        );
        assert.equal(r.code, 1);
        assert.match(r.err, /already has an access entry.*dedicated break-glass role/);
        assert.deepEqual(
            eks.calls.map((c) => c[1]),
            ["describe-access-entry"],
        );
    });

    it("grant takes a half grant back when the policy association fails, and still fails", () => {
        const eks = new FakeEks();
        eks.failures.push(["associate-access-policy", "AccessDeniedException"]);
        const r = exec(eks, GRANT);
        assert.equal(r.code, 1);
        assert.match(r.err, /associate-access-policy \(the access entry was deleted again\) failed .*AccessDeniedException/);
        assert.equal(eks.entries.size, 0);
    });

    it("grant says what to do when the rollback fails too", () => {
        const eks = new FakeEks();
        eks.failures.push(["associate-access-policy", "ThrottlingException"], ["delete-access-entry", "AccessDeniedException"]);
        const r = exec(eks, GRANT);
        assert.equal(r.code, 1);
        assert.match(r.err, /deleting the access entry failed too .*AccessDeniedException.*breakGlass.ts revoke/);
    });

    it("grant: every bad argument is named, nothing is called", () => {
        const eks = new FakeEks();
        const bad = [
            "grant",
            "--cluster",
            "-x",
            "--region",
            "europe",
            "--role-arn",
            "arn:aws:iam::444455556666:user/alice",
            "--hours",
            "24",
            "--by",
            "alice",
            "--pipeline",
            "manual",
        ];
        const r = exec(eks, bad);
        assert.equal(r.code, 1);
        for (const flag of [
            "--reason is required",
            '--role-arn "arn:aws:iam::444455556666:user/alice" is not an IAM role ARN',
            '--cluster "-x"',
            '--region "europe"',
            '--hours "24" must be a whole number of hours from 1 to 12',
        ])
            assert.ok(r.err.includes(flag), `${flag} in ${r.err}`);
        assert.deepEqual(eks.calls, []);
        assert.match(exec(eks, ["grant", "--color", "red"]).err, /unknown option "--color"/);
        assert.match(exec(eks, ["promote"]).err, /unknown command "promote"/);
    });

    it("revoke deletes a break-glass entry and checks it is gone", () => {
        const eks = new FakeEks();
        exec(eks, GRANT);
        const r = exec(eks, REVOKE);
        assert.equal(r.code, 0, r.err);
        assert.equal(eks.entries.size, 0);
        assert.match(r.out, /AUDIT break-glass REVOKE .* granted-by=alice by=bob/);
        assert.deepEqual(
            eks.calls.slice(-3).map((c) => c[1]),
            ["describe-access-entry", "delete-access-entry", "describe-access-entry"],
        );
    });

    it("revoke with no entry succeeds (nothing to take back), and says so", () => {
        const r = exec(new FakeEks(), REVOKE);
        assert.equal(r.code, 0);
        assert.match(r.out, /nothing to revoke/);
    });

    it("revoke fails loudly: an error reading the entry is not 'missing'", () => {
        const eks = new FakeEks();
        exec(eks, GRANT);
        eks.failures.push(["describe-access-entry", "AccessDeniedException"]);
        const r = exec(eks, REVOKE);
        assert.equal(r.code, 1);
        assert.match(r.err, /describe-access-entry .* failed \(exit 254\): An error occurred \(AccessDeniedException\)/);
        assert.equal(eks.entries.size, 1, "the grant is still there, and the job says so");
    });

    it("revoke fails loudly when the delete fails, and never deletes an entry the stack manages", () => {
        const eks = new FakeEks();
        exec(eks, GRANT);
        eks.failures.push(["delete-access-entry", "ServerException"]);
        assert.match(exec(eks, REVOKE).err, /delete-access-entry failed .*ServerException/);
        const managed = new FakeEks();
        managed.entries.set(ROLE, { tags: { "eks-gitlab-runners/stack": "prod" }, policies: [] });
        const r = exec(managed, REVOKE);
        assert.equal(r.code, 1);
        assert.match(r.err, /did not make .*not touching it/);
        assert.equal(managed.entries.size, 1);
    });

    it("expired: a grant is drift one auto-stop interval (GitLab's hourly worker) after its expiry", () => {
        const eks = new FakeEks();
        exec(eks, GRANT); // expires 14:00
        eks.entries.set(STACK_ROLE, { tags: {}, policies: [] });
        assert.equal(
            exec(eks, ["expired", ...WHERE], new Date("2026-05-01T14:59:00Z")).code,
            0,
            "GitLab may still be stopping it",
        );
        const late = exec(eks, ["expired", ...WHERE], new Date("2026-05-01T15:01:00Z"));
        assert.equal(late.code, 1);
        assert.match(
            late.err,
            /DRIFT: break-glass grant still active after its expiry: \S+BreakGlass\S+ \(granted by alice, expired 2026-05-01T14:00Z\)/,
        );
        eks.failures.push(["list-access-entries", "AccessDeniedException"]);
        assert.equal(exec(eks, ["expired", ...WHERE]).code, 1, "cannot look: a failure, not a pass");
    });

    it("expiry tags are minute-precision UTC, readable back", () => {
        assert.equal(expiryTag(new Date("2026-12-31T23:59:59.999Z")), "2026-12-31T23:59Z");
        assert.equal(Date.parse(expiryTag(NOW)), NOW.getTime());
    });
});
