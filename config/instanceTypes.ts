// Typed accessors over the generated instance tables in instanceFacts.data.ts.
// Lookups go through Maps, so names such as "constructor" or "__proto__" are simply unknown
// rather than hitting Object.prototype.
import { INSTANCE_TYPES, ONDEMAND_USD_PER_HOUR, SPOT_SAVINGS } from "./instanceFacts.data";

export { PRICES_AS_OF } from "./instanceFacts.data";
// Fargate's dated prices sit beside the EC2 ones (sources and dates in fargateFacts.ts).
export { FARGATE_PRICES, FARGATE_PRICES_AS_OF } from "./fargateFacts";

export type Arch = "amd64" | "arm64";

export interface InstanceFacts {
    /** EC2 instance type, e.g. "m7g.2xlarge". */
    readonly name: string;
    readonly vcpu: number;
    /** Nominal memory in MiB (the kernel's MemTotal is a little lower). */
    readonly memoryMiB: number;
    readonly arch: Arch;
    /** Maximum network interfaces (ENIs) of the type. */
    readonly maxEnis: number;
    /** IPv4 addresses per ENI, the primary address included. */
    readonly ipv4PerEni: number;
    /** Max pods in VPC CNI ENI mode (no prefix delegation), as published by the EKS AMI. */
    readonly maxPods: number;
}

export type InterruptionBand = "<5%" | "5-10%" | "10-15%" | "15-20%" | ">20%";

export interface SpotSavings {
    /** Spot price saving vs on-demand, in percent. */
    readonly savingsPct: number;
    /** Spot Instance Advisor interruption-frequency band. */
    readonly interruptionBand: InterruptionBand;
}

// These assignments also check at compile time that the generated tables have the expected shape.
const facts: Readonly<Record<string, Omit<InstanceFacts, "name">>> = INSTANCE_TYPES;
const prices: Readonly<Record<string, Readonly<Record<string, number>>>> = ONDEMAND_USD_PER_HOUR;
const spot: Readonly<Record<string, Readonly<Record<string, SpotSavings>>>> = SPOT_SAVINGS;

const FACTS = new Map<string, InstanceFacts>(Object.entries(facts).map(([name, f]) => [name, { name, ...f }]));

const familyOf = (name: string): string => name.split(".")[0];

function regionTable<T>(table: Readonly<Record<string, Readonly<Record<string, T>>>>): Map<string, Map<string, T>> {
    return new Map(Object.entries(table).map(([region, byType]) => [region, new Map(Object.entries(byType))]));
}

const PRICES = regionTable(prices);
const SPOT = regionTable(spot);

/** Facts for a supported instance type, or undefined for anything else. */
export function instanceFacts(name: string): InstanceFacts | undefined {
    return FACTS.get(name);
}

/** Every supported instance type, sorted by family and then by size (vCPU, then memory). */
export const SUPPORTED_INSTANCE_TYPES: readonly string[] = Object.freeze(
    [...FACTS.values()]
        .sort((a, b) => familyOf(a.name).localeCompare(familyOf(b.name)) || a.vcpu - b.vcpu || a.memoryMiB - b.memoryMiB)
        .map((f) => f.name),
);

/** Instance families of the supported types (the part before the dot), sorted. */
export const SUPPORTED_FAMILIES: readonly string[] = Object.freeze([...new Set(SUPPORTED_INSTANCE_TYPES.map(familyOf))].sort());

/** Regions for which on-demand prices are embedded. */
export const PRICE_REGIONS: readonly string[] = Object.freeze([...PRICES.keys()]);

/** Hours in the month every cost figure is given for: 8,760 h a year / 12. */
export const HOURS_PER_MONTH = 730;

/** On-demand Linux USD per hour, or undefined when the type/region pair is not in the table. */
export function onDemandPrice(type: string, region: string): number | undefined {
    return PRICES.get(region)?.get(type);
}

/** Spot savings and interruption band, or undefined when the type/region pair is not in the table. */
export function spotSavings(type: string, region: string): SpotSavings | undefined {
    return SPOT.get(region)?.get(type);
}

const sizeOf = (name: string): string => name.split(".")[1];

/** Instance sizes of the supported types (the part after the dot), smallest first. */
export const SUPPORTED_SIZES: readonly string[] = Object.freeze([
    ...new Set([...FACTS.values()].sort((a, b) => a.vcpu - b.vcpu).map((f) => sizeOf(f.name))),
]);

/** The architecture of a supported family (every type of a family shares it), or undefined for an unknown family. */
export function familyArch(family: string): Arch | undefined {
    return [...FACTS.values()].find((f) => familyOf(f.name) === family)?.arch;
}

/** The supported types `<family>.<size>` for every listed family and size, where such a type exists, sorted by family then size. */
export function typesOf(families: readonly string[], sizes: readonly string[]): string[] {
    return SUPPORTED_INSTANCE_TYPES.filter((t) => families.includes(familyOf(t)) && sizes.includes(sizeOf(t)));
}

/** Why a type name is refused: the families and sizes the facts table covers. */
export function unsupportedInstanceType(name: string): string {
    return `"${name}" is not a supported instance type (families: ${SUPPORTED_FAMILIES.join(", ")}; sizes medium–8xlarge)`;
}
