// Plain-text and Markdown building blocks of the offline plan.
export type Format = "text" | "markdown" | "json";
export const FORMATS: readonly Format[] = ["text", "markdown", "json"];

export type Row = readonly (string | number)[];

/** A table as Markdown (pipes escaped) or as aligned plain text for a terminal. */
export function table(format: Format, header: Row, rows: readonly Row[]): string {
    const cells = [header, ...rows].map((r) => r.map((c) => String(c)));
    if (format === "markdown") {
        const line = (r: string[]) => `| ${r.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`;
        return [line(cells[0]), line(cells[0].map(() => "---")), ...cells.slice(1).map(line)].join("\n");
    }
    const widths = cells[0].map((_, i) => Math.max(...cells.map((r) => r[i].length)));
    const line = (r: string[]) =>
        r
            .map((c, i) => c.padEnd(widths[i]))
            .join("  ")
            .trimEnd();
    return [line(cells[0]), line(widths.map((w) => "-".repeat(w))), ...cells.slice(1).map(line)].join("\n");
}

export function heading(format: Format, level: number, text: string): string {
    return format === "markdown"
        ? `${"#".repeat(level)} ${text}`
        : level === 1
          ? `${text}\n${"=".repeat(text.length)}`
          : `${text}\n${"-".repeat(text.length)}`;
}
