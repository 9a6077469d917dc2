import { strict as assert } from "assert";

/** Markdown tables: every row has as many cells as its header (unescaped pipes would break that). Returns the count. */
export function assertTablesWellFormed(markdown: string): number {
    let tables = 0;
    const lines = markdown.split("\n");
    for (let i = 0; i < lines.length; i++) {
        if (!lines[i].startsWith("| ") || !lines[i + 1]?.startsWith("| ---")) continue;
        tables++;
        const cells = (line: string) => line.replace(/\\\|/g, "").split("|").length;
        const width = cells(lines[i]);
        for (let j = i + 1; lines[j]?.startsWith("|"); j++) assert.equal(cells(lines[j]), width, `row ${j + 1}: ${lines[j]}`);
    }
    return tables;
}
