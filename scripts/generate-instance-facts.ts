// One-off generator: turns the upstream extracts in the shared reference folder into
// config/instanceFacts.data.ts, so the project never reads that folder at run time.
//
//   npx ts-node --transpile-only scripts/generate-instance-facts.ts [path-to-reference-dir]
//
// The supported families are those of node-overhead-by-type.tsv. A type is included when it
// is listed there, or when it belongs to one of those families, is at most 8xlarge, and is
// neither a GPU nor a bare-metal type. The script fails loudly on missing or odd values.
import * as fs from "fs";
import * as path from "path";

type Row = Record<string, string>;

const refDir = path.resolve(process.argv[2] ?? path.join(__dirname, "..", "..", "shared", "reference"));
const outFile = path.join(__dirname, "..", "config", "instanceFacts.data.ts");

function readTsv(file: string): Row[] {
    const [header, ...lines] = fs
        .readFileSync(path.join(refDir, file), "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "");
    const cols = header.split("\t");
    return lines.map((line) => {
        const cells = line.split("\t");
        return Object.fromEntries(cols.map((c, i) => [c, (cells[i] ?? "").trim()]));
    });
}

function fail(msg: string): never {
    throw new Error(`generate-instance-facts: ${msg}`);
}

function int(row: Row, col: string): number {
    const v = row[col];
    if (!/^\d+$/.test(v)) fail(`${row.instance_type}: column ${col} is not an integer: "${v}"`);
    return Number(v);
}

const family = (type: string) => type.split(".")[0];

// Sizes medium to 8xlarge; anything else (nano–small, 12xlarge, metal, ...) is out.
const SIZE_RE = /^(medium|large|xlarge|[2-8]xlarge)$/; // smaller nodes cannot hold the per-node DaemonSets and a job

const overhead = readTsv("node-overhead-by-type.tsv");
const families = new Set(overhead.map((r) => family(r.instance_type)));
const listed = new Set(overhead.map((r) => r.instance_type));

const types = readTsv("instance-types.tsv")
    .filter((r) => families.has(family(r.instance_type)))
    .filter(
        (r) =>
            listed.has(r.instance_type) ||
            (SIZE_RE.test(r.instance_type.split(".")[1]) && r.gpu === "0" && r.bare_metal === "false"),
    )
    .map((r) => {
        if (r.arch !== "amd64" && r.arch !== "arm64") fail(`${r.instance_type}: unexpected arch "${r.arch}"`);
        if (int(r, "gpu") !== 0 || r.bare_metal !== "false")
            fail(`${r.instance_type}: GPU or bare-metal type in the overhead table`);
        return {
            name: r.instance_type,
            vcpu: int(r, "vcpu"),
            memoryMiB: int(r, "memory_mib"),
            arch: r.arch,
            maxEnis: int(r, "max_enis"),
            ipv4PerEni: int(r, "ipv4_per_eni"),
            maxPods: int(r, "max_pods_eks_ami"),
        };
    })
    // By family, then by size (vCPU, then memory: t3.nano < t3.micro < t3.small share 2 vCPU).
    .sort((a, b) => family(a.name).localeCompare(family(b.name)) || a.vcpu - b.vcpu || a.memoryMiB - b.memoryMiB);

const byName = new Map(types.map((t) => [t.name, t]));

// Cross-check the overhead table against the instance table.
for (const o of overhead) {
    const t = byName.get(o.instance_type) ?? fail(`${o.instance_type} is in the overhead table but not in instance-types.tsv`);
    if (t.vcpu !== int(o, "vcpu") || t.maxPods !== int(o, "maxpods_eni_mode") || t.maxEnis !== int(o, "default_enis")) {
        fail(`${o.instance_type}: vcpu/maxPods/ENIs disagree between the two tables`);
    }
}

// Per-region tables; rows for types outside the supported set are reported and skipped.
function byRegion(rows: Row[], value: (r: Row) => string): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const r of rows) {
        if (!byName.has(r.instance_type)) {
            console.warn(`skipping ${r.instance_type} (${r.region}): not a supported type`);
            continue;
        }
        if (!out.has(r.region)) out.set(r.region, []);
        out.get(r.region)!.push(`        ${JSON.stringify(r.instance_type)}: ${value(r)},`);
    }
    return out;
}

function regionBlock(name: string, comment: string, regions: Map<string, string[]>): string {
    const body = [...regions].map(([region, lines]) => `    ${JSON.stringify(region)}: {\n${lines.join("\n")}\n    },`);
    return `// ${comment}\nexport const ${name} = {\n${body.join("\n")}\n} as const;\n`;
}

const prices = readTsv("ec2-ondemand-prices.tsv");
const priceDates = new Map<string, string>();
const priceSources = new Map<string, string>();
for (const p of prices) {
    if (!/^\d+(\.\d+)?$/.test(p.usd_per_hour)) fail(`${p.instance_type} ${p.region}: bad price "${p.usd_per_hour}"`);
    if ((priceDates.get(p.region) ?? p.as_of_date) !== p.as_of_date) fail(`${p.region}: prices with more than one date`);
    priceDates.set(p.region, p.as_of_date);
    priceSources.set(p.region, p.source);
}

const spot = readTsv("spot-advisor-savings.tsv");
const BANDS = new Set(["<5%", "5-10%", "10-15%", "15-20%", ">20%"]);
for (const s of spot) {
    if (!BANDS.has(s.interruption_freq_band)) fail(`${s.instance_type} ${s.region}: unknown band "${s.interruption_freq_band}"`);
}

const out = `// GENERATED FILE - do not edit by hand.
// Regenerate with: npx ts-node --transpile-only scripts/generate-instance-facts.ts [path-to-reference-dir]
//
// Upstream sources (as extracted into the shared reference folder, read only by the generator):
// - INSTANCE_TYPES: cluster-autoscaler cloudprovider/aws/ec2_instance_types.go joined with
//   amazon-vpc-cni-k8s pkg/vpc/vpc_ip_resource_limit.go and misc/eni-max-pods.txt. maxPods is the
//   ENI-mode value published by the EKS AMI (max_pods_eks_ami). Families: those of
//   awslabs/amazon-eks-ami node-overhead-by-type.tsv (${[...families].sort().join(", ")}), sizes up to 8xlarge, no GPU, no metal.
${[...priceSources].map(([region, source]) => `// - ONDEMAND_USD_PER_HOUR ${region} (as of ${priceDates.get(region)}): ${source}`).join("\n")}
// - SPOT_SAVINGS: AWS Spot Instance Advisor feed (mid-2025); savings in % vs on-demand.

export const INSTANCE_TYPES = {
${types.map(({ name, ...f }) => `    ${JSON.stringify(name)}: { vcpu: ${f.vcpu}, memoryMiB: ${f.memoryMiB}, arch: "${f.arch}", maxEnis: ${f.maxEnis}, ipv4PerEni: ${f.ipv4PerEni}, maxPods: ${f.maxPods} },`).join("\n")}
} as const;

${regionBlock(
    "ONDEMAND_USD_PER_HOUR",
    "On-demand Linux price, USD per hour.",
    byRegion(prices, (r) => r.usd_per_hour),
)}
export const PRICES_AS_OF = {
${[...priceDates].map(([region, date]) => `    ${JSON.stringify(region)}: "${date}",`).join("\n")}
} as const;

${regionBlock(
    "SPOT_SAVINGS",
    "Spot savings vs on-demand (percent) and interruption-frequency band.",
    byRegion(
        spot,
        (r) =>
            `{ savingsPct: ${int(r, "savings_pct_vs_ondemand")}, interruptionBand: ${JSON.stringify(r.interruption_freq_band)} }`,
    ),
)}`;

fs.writeFileSync(outFile, out);
console.log(`wrote ${path.relative(process.cwd(), outFile)}: ${types.length} instance types in ${families.size} families`);
