// The shipped stacks' offline plans as `npm run plan` prints them (test as text, prod as Markdown and JSON), rendered
// from the evaluations every plan suite shares (evaluationOf: one program run per stack and process).
import type { CliResult } from "../../plan/cli";
import { Format, renderPlan } from "../../plan/render";
import { evaluationOf } from "./harness";

export interface RenderedPlans {
    readonly testText: CliResult;
    readonly prodMarkdown: CliResult;
    readonly prodJson: CliResult;
}

let rendered: Promise<RenderedPlans> | undefined;

/** The three printed plans, each as a successful run of the command (exit 0, nothing on stderr); once per process. */
export function renderedPlans(): Promise<RenderedPlans> {
    rendered ??= (async () => {
        const render = async (stack: "test" | "prod", format: Format): Promise<CliResult> => ({
            code: 0,
            stdout: renderPlan((await evaluationOf(stack)).plan, format),
            stderr: "",
        });
        return {
            testText: await render("test", "text"),
            prodMarkdown: await render("prod", "markdown"),
            prodJson: await render("prod", "json"),
        };
    })();
    return rendered;
}
