// Lists every AWS managed IAM policy by its ARN, path included, so tests can check each managed policy the program
// attaches (a wrong path, `policy/X` for `policy/service-role/X`, fails the attachment at deploy time):
//
//   npx ts-node --transpile-only scripts/upstream/awsManagedPolicies.ts <managedpolicies dir> "<source line>"
//
// The input is `aws/managedpolicies/` of iann0036/iam-dataset: one JSON file per policy, as IAM's
// GetAccountAuthorizationDetails / GetPolicyVersion return them, with `arn` and `deprecated` near the top. Both are read
// with a pattern rather than a JSON parse, so the head of a file that is too large to keep whole is enough.
import * as fs from "fs";
import * as path from "path";

/**
 * ARN and deprecated flag of one policy file's text; undefined for a file without an ARN: a policy AWS has deleted
 * (the dataset keeps its last document with `"arn": null`) or one it recorded without its ARN. Neither is listed: only a
 * policy whose ARN AWS published is known to be attachable at that path.
 */
export function policyRow(file: string, text: string): string[] | undefined {
    if (!/"arn":\s*"/.test(text)) return undefined;
    const arn = /"arn":\s*"(arn:aws:iam::aws:policy\/[^"]+)"/.exec(text)?.[1];
    const deprecated = /"deprecated":\s*(true|false)/.exec(text)?.[1];
    if (!arn || !deprecated) throw new Error(`${file}: no "arn" or "deprecated" field`);
    return [arn, deprecated];
}

function main(): void {
    const [dir, source] = process.argv.slice(2);
    if (!dir || !source) throw new Error('usage: awsManagedPolicies.ts <managedpolicies dir> "<source line>"');
    const rows = fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".json"))
        .sort((a, b) => a.localeCompare(b))
        .map(
            (f) =>
                policyRow(f, fs.readFileSync(path.join(dir, f), "utf8")) ?? (process.stderr.write(`no ARN: ${f}\n`), undefined),
        )
        .filter((r): r is string[] => r !== undefined);
    const lines = [`# ${source}`, "arn\tdeprecated", ...rows.map((r) => r.join("\t"))];
    process.stdout.write(lines.join("\n") + "\n");
}

if (require.main === module) main();
