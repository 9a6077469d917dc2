// IAM names the repository writes out in its code, docs and stack files (outside tests): `service:Action` names of
// the services in the reference (not `<service>:ResourceTag/…`-style condition keys), AWS managed policy names after `iam::aws:policy/` and EKS access policy names after
// `cluster-access-policy/`. The runbook's commands and the docs' tables are read by people who paste them into AWS,
// so they are held to the same lists as the rendered documents.
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "./harness";

export interface Mention {
    readonly file: string;
    readonly name: string;
}

const SKIP = new Set(["node_modules", "tests", ".git"]);

function textFiles(dir = "."): string[] {
    return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
        const rel = path.join(dir, e.name);
        if (e.isDirectory()) return SKIP.has(e.name) ? [] : textFiles(rel);
        return /\.(ts|md|ya?ml)$/.test(e.name) && e.name !== "package-lock.json" ? [rel] : [];
    });
}

/** `ec2:Describe{Images,InstanceTypes}` (the docs' shorthand) → `ec2:DescribeImages`, `ec2:DescribeInstanceTypes`. */
export function expandBraces(name: string): string[] {
    const m = /^(.*)\{([^{}]*)\}(.*)$/.exec(name);
    return m ? m[2].split(",").flatMap((alt) => expandBraces(`${m[1]}${alt}${m[3]}`)) : [name];
}

export function iamMentions(servicePrefixes: readonly string[]): {
    actions: Mention[];
    managedPolicies: Mention[];
    accessPolicies: Mention[];
} {
    const prefixes = [...servicePrefixes].sort((a, b) => b.length - a.length).map((p) => p.replace(/-/g, "\\-"));
    const action = new RegExp(
        `(?<![\\w./:-])(?:${prefixes.join("|")}):(?:[A-Z][A-Za-z0-9]*(?:\\{[A-Za-z0-9,]+\\})?[A-Za-z0-9]*\\*?|\\*)(?![\\w/])`,
        "g",
    );
    const out = { actions: [] as Mention[], managedPolicies: [] as Mention[], accessPolicies: [] as Mention[] };
    for (const file of textFiles()) {
        const text = fs.readFileSync(path.join(ROOT, file), "utf8");
        for (const m of text.matchAll(action)) for (const name of expandBraces(m[0])) out.actions.push({ file, name });
        for (const m of text.matchAll(/iam::aws:policy\/([\w+=,.@/-]+)/g)) out.managedPolicies.push({ file, name: m[1] });
        for (const m of text.matchAll(/cluster-access-policy\/([\w-]+)/g)) out.accessPolicies.push({ file, name: m[1] });
    }
    return out;
}
