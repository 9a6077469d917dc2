// Shared text building of the plan and the diff: Markdown for merge requests, aligned plain text for terminals.
export type Format = "text" | "markdown" | "json";
export const FORMATS: readonly Format[] = ["text", "markdown", "json"];

export type Row = readonly (string | number)[];

/** A table as Markdown (pipes escaped) or as aligned plain text for a terminal. */
export function table(format: Format, header: Row, rows: readonly Row[]): string {
    const cells = [header, ...rows].map((r) => r.map((c) => String(c)));
    if (format === "markdown") {
        const line = (r: string[]) => `| ${r.map((c) => c.replace(/\|/g, "\\|").replace(/\r?\n/g, " ")).join(" | ")} |`;
        return [line(cells[0]), line(cells[0].map(() => "---")), ...cells.slice(1).map(line)].join("\n");
    }
    const widths = cells[0].map((_, i) => cells.reduce((w, r) => Math.max(w, r[i].length), 0));
    const line = (r: string[]) =>
        r
            .map((c, i) => c.padEnd(widths[i]))
            .join("  ")
            .trimEnd();
    return [line(cells[0]), line(widths.map((w) => "-".repeat(w))), ...cells.slice(1).map(line)].join("\n");
}

/** A table of `rows`, or the sentence `whenEmpty` when there is none (an empty table says nothing to a reader). */
export function tableOr(format: Format, header: Row, rows: readonly Row[], whenEmpty: string): string {
    return rows.length === 0 ? whenEmpty : table(format, header, rows);
}

export function heading(format: Format, level: number, text: string): string {
    return format === "markdown"
        ? `${"#".repeat(level)} ${text}`
        : level === 1
          ? `${text}\n${"=".repeat(text.length)}`
          : `${text}\n${"-".repeat(text.length)}`;
}

export const usd = (v: number | undefined) => (v === undefined ? "n/a" : `$${Math.round(v).toLocaleString("en-US")}`);
export const list = (items: readonly string[] | "missing") =>
    typeof items === "string" ? items : items.length === 0 ? "—" : items.join(", ");
export const pairs = (record: Record<string, string>) => list(Object.entries(record).map(([k, v]) => `${k}=${v}`));

/** A code block: fenced in Markdown, indented in plain text. */
export function code(format: Format, lang: string, body: string): string {
    return format === "markdown"
        ? `\`\`\`${lang}\n${body.trimEnd()}\n\`\`\``
        : body
              .trimEnd()
              .split("\n")
              .map((l) => `    ${l}`)
              .join("\n");
}

/** Markdown inline code that survives backticks in the value. */
export const literal = (format: Format, value: string) => (format === "markdown" ? `\`${value.replace(/`/g, "ˋ")}\`` : value);
