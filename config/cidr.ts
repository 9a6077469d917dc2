/** Strict IPv4 CIDR arithmetic for validating subnet layouts (host bits must be zero, as AWS requires). */
export interface Cidr {
    readonly text: string;
    readonly base: number; // network address as an unsigned 32-bit integer
    readonly prefix: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

export function parseCidr(text: string): Cidr | undefined {
    const m = CIDR_PATTERN.exec(text);
    if (!m) return undefined;
    const octets = m.slice(1, 5).map(Number);
    const prefix = Number(m[5]);
    if (octets.some((o) => o > 255) || prefix > 32) return undefined;
    const base = octets.reduce((acc, o) => acc * 256 + o, 0);
    if (base % addressCount(prefix) !== 0) return undefined; // host bits set
    return { text, base, prefix };
}

/** Why `text` is not a usable CIDR, or undefined when it is one. */
export function cidrError(text: string): string | undefined {
    if (parseCidr(text)) return undefined;
    const m = CIDR_PATTERN.exec(text);
    if (m && !m.slice(1, 5).some((o) => Number(o) > 255) && Number(m[5]) <= 32) {
        return `"${text}" has host bits set; use the network address of the block`;
    }
    return `"${text}" is not an IPv4 CIDR block like 100.64.0.0/16`;
}

export function addressCount(prefix: number): number {
    return 2 ** (32 - prefix);
}

export function cidrContains(outer: Cidr, inner: Cidr): boolean {
    return (
        inner.prefix >= outer.prefix &&
        inner.base >= outer.base &&
        inner.base + addressCount(inner.prefix) <= outer.base + addressCount(outer.prefix)
    );
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
    return a.base < b.base + addressCount(b.prefix) && b.base < a.base + addressCount(a.prefix);
}

/** AWS reserves the first four and the last address of every subnet. */
export function usableSubnetAddresses(c: Cidr): number {
    return addressCount(c.prefix) - 5;
}
