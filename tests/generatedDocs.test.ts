import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { generatedBlocks, GENERATED_FILES, withGeneratedBlocks } from "../scripts/generate-docs";

const ROOT = path.join(__dirname, "..");

describe("generated reference tables", () => {
    for (const file of GENERATED_FILES) {
        it(`${file} is current (run \`npm run docs\` after changing config/runnerOptions.ts)`, () => {
            const text = fs.readFileSync(path.join(ROOT, file), "utf8");
            assert.ok(/<!-- generated:[\w-]+ -->/.test(text), `${file} has no generated block`);
            assert.equal(text, withGeneratedBlocks(text));
        });
    }

    it("every block is placed in some file", () => {
        const all = GENERATED_FILES.map((f) => fs.readFileSync(path.join(ROOT, f), "utf8")).join("\n");
        for (const name of Object.keys(generatedBlocks())) assert.ok(all.includes(`<!-- generated:${name} -->`), name);
    });
});
