// Generator: turns the per-image flag lists in tests/fixtures/cluster-autoscaler-flags/ into
// config/clusterAutoscalerFlags.data.ts, so each list is written once (the fixture) and the program never reads
// tests/ at run time. tests/clusterAutoscalerFlags.test.ts fails when the two disagree.
//
//   npx ts-node --transpile-only scripts/generate-cluster-autoscaler-flags.ts
//
// A fixture is `v<major>.<minor>.<patch>.txt`: `#` lines say which upstream tag and files the list was read from,
// every other line is one flag name without dashes, sorted, no repeats. Anything else stops the generator.
import * as fs from "fs";
import * as path from "path";

export const FIXTURE_DIR = path.join(__dirname, "..", "tests", "fixtures", "cluster-autoscaler-flags");
export const DATA_FILE = path.join(__dirname, "..", "config", "clusterAutoscalerFlags.data.ts");

const FILE_RE = /^v(\d+\.\d+\.\d+)\.txt$/;
const FLAG_RE = /^[a-z][a-z0-9-]*$/;

function fail(msg: string): never {
    throw new Error(`generate-cluster-autoscaler-flags: ${msg}`);
}

/** Compares version strings like 1.30.7 numerically, part by part. */
export function compareVersions(a: string, b: string): number {
    const pa = a.split(".").map(Number);
    const pb = b.split(".").map(Number);
    for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
        const d = (pa[i] ?? 0) - (pb[i] ?? 0);
        if (d !== 0) return d;
    }
    return 0;
}

/** Reads every fixture: version (without `v`) → its flag names, versions in ascending order. */
export function readFlagFixtures(dir = FIXTURE_DIR): Map<string, string[]> {
    const lists: [string, string[]][] = [];
    for (const file of fs.readdirSync(dir)) {
        const version = FILE_RE.exec(file)?.[1] ?? fail(`${file}: not named v<major>.<minor>.<patch>.txt`);
        const flags = fs
            .readFileSync(path.join(dir, file), "utf8")
            .split("\n")
            .filter((line) => line !== "" && !line.startsWith("#"));
        if (flags.length === 0) fail(`${file}: no flags`);
        flags.forEach((flag, i) => {
            if (!FLAG_RE.test(flag)) fail(`${file}: "${flag}" is not a flag name (lower case, digits, dashes)`);
            if (i > 0 && flags[i - 1] >= flag) fail(`${file}: "${flag}" is out of order or repeated`);
        });
        lists.push([version, flags]);
    }
    return new Map(lists.sort(([a], [b]) => compareVersions(a, b)));
}

/** Wraps quoted names into lines of at most ~120 characters, so a list is a few lines rather than one per flag. */
function wrap(flags: readonly string[], indent: string): string {
    const lines: string[] = [];
    let line = "";
    for (const quoted of flags.map((f) => `${JSON.stringify(f)},`)) {
        if (line !== "" && indent.length + line.length + 1 + quoted.length > 120) {
            lines.push(line);
            line = quoted;
        } else line = line === "" ? quoted : `${line} ${quoted}`;
    }
    if (line !== "") lines.push(line);
    return lines.map((l) => indent + l).join("\n");
}

/** The text of config/clusterAutoscalerFlags.data.ts for these lists. */
export function renderFlagData(lists: ReadonlyMap<string, readonly string[]>): string {
    const versions = [...lists.keys()];
    const body = versions.map((v) => `    ${JSON.stringify(v)}: [\n${wrap(lists.get(v)!, "        ")}\n    ],`).join("\n");
    return `// GENERATED FILE - do not edit by hand.
// Regenerate with: npx ts-node --transpile-only scripts/generate-cluster-autoscaler-flags.ts
// Source: tests/fixtures/cluster-autoscaler-flags/v<version>.txt, one per Cluster Autoscaler image; each fixture's
// header names the kubernetes/autoscaler tag and the files its flags were read from.

/** Versions (image tags without \`v\`) that have a flag list. */
export type ClusterAutoscalerFlagVersion = ${versions.map((v) => JSON.stringify(v)).join(" | ")};

/** Every command-line flag of each Cluster Autoscaler image, names without dashes, sorted. */
export const CLUSTER_AUTOSCALER_FLAG_LISTS: Readonly<Record<ClusterAutoscalerFlagVersion, readonly string[]>> = {
${body}
};
`;
}

if (require.main === module) {
    const lists = readFlagFixtures();
    fs.writeFileSync(DATA_FILE, renderFlagData(lists));
    const summary = [...lists].map(([v, flags]) => `${v}: ${flags.length}`).join(", ");
    console.log(`wrote ${path.relative(process.cwd(), DATA_FILE)} (${summary})`);
}
