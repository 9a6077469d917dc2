// What an alarm asks of its reader and how it reaches them: a description that says what to do and links its runbook
// section (which exists and maps the alarm), and a topic that accepts this account's CloudWatch alarms only.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { AlarmSpec } from "../components/observability/alarms";
import { alarmTopicPolicy } from "../components/observability/notifications";
import { headingAnchor, RUNBOOK } from "../components/observability/runbook";
import { ROOT, stackConfigOf } from "./support/harness";
import { specsOf } from "./support/alarmSpecs";

const MONITORING = fs.readFileSync(path.join(ROOT, "docs/runbook/monitoring.md"), "utf8");

describe("alarms", () => {
    describe("the catalogue (pure)", () => {
        it("every description says what to do and links its runbook section, which exists and maps the alarm", () => {
            for (const stack of ["prod", "karpenter"]) {
                const { cfg, specs } = specsOf(stack);
                linksRunbook(cfg, specs);
            }
        });

        function linksRunbook(cfg: ReturnType<typeof stackConfigOf>, specs: AlarmSpec[]) {
            const headings = new Set(
                MONITORING.split("\n")
                    .filter((l) => /^#{2,3} /.test(l))
                    .map((l) => headingAnchor(l.replace(/^#+ /, ""))),
            );
            for (const heading of Object.values(RUNBOOK)) assert.ok(headings.has(headingAnchor(heading)), heading);
            for (const s of specs) {
                assert.ok(s.description.length <= 1024, `${s.key}: ${s.description.length} characters (CloudWatch allows 1024)`);
                const [, anchor] =
                    /Runbook: docs\/runbook\/monitoring\.md#([a-z0-9-]+)$/.exec(s.description) ?? assert.fail(s.description);
                assert.ok(headings.has(anchor), `${s.key} links #${anchor}`);
                // docs/runbook/monitoring.md's map: the alarm's key (runner and group names as placeholders) → that section.
                const runnerNames = [...cfg.runners, ...cfg.vmRunners].map((r) => r.name).sort((a, b) => b.length - a.length);
                const generic = s.key
                    .replace(new RegExp(`^runner-(${runnerNames.join("|")})-`), "runner-<runner>-")
                    .replace(/^nodegroup-.+-at-max$/, "nodegroup-<group>-at-max")
                    .replace(/^nodepool-.+-at-limit$/, "nodepool-<pool>-at-limit");
                assert.match(
                    MONITORING,
                    new RegExp(`\\| \`${generic.replace(/[<>]/g, ".")}\` \\| \\[[^\\]]+\\]\\(#${anchor}\\) \\|`),
                );
            }
        }

        it("the topic accepts this account's CloudWatch alarms only, and nothing without TLS", () => {
            const policy = alarmTopicPolicy("arn:aws:sns:eu-west-1:1:t", {
                partition: "aws",
                region: "eu-west-1",
                accountId: "1",
            });
            assert.deepEqual(
                policy.Statement.map((s) => [s.Effect, s.Principal, s.Action]),
                [
                    ["Allow", { Service: "cloudwatch.amazonaws.com" }, "sns:Publish"],
                    ["Deny", "*", ["sns:Publish", "sns:Subscribe"]],
                ],
            );
            assert.deepEqual(policy.Statement[0].Condition, {
                ArnLike: { "aws:SourceArn": "arn:aws:cloudwatch:eu-west-1:1:alarm:*" },
            });
        });
    });
});
