/**
 * Records the URN of every resource of each shipped stack in tests/fixtures/urns/<stack>.txt. A URN change replaces
 * (or orphans) a running resource, so tests/urns.test.ts fails when one changes; run this only for a rename that is
 * deliberate, and say in the commit which resources it moves and how (aliases) or why a replacement is safe.
 *   node -r ts-node/register/transpile-only scripts/record-urns.ts
 */
import * as fs from "fs";
import * as path from "path";
import { ROOT, runStackFile, SHIPPED_STACKS } from "../tests/support/harness";

export const urnFixture = (stack: string) => path.join(ROOT, "tests", "fixtures", "urns", `${stack}.txt`);

if (require.main === module) {
    (async () => {
        for (const stack of SHIPPED_STACKS) {
            const run = await runStackFile(stack);
            const urns = run.resources.map((r) => r.urn ?? `missing URN: ${r.type} ${r.name}`).sort();
            fs.mkdirSync(path.dirname(urnFixture(stack)), { recursive: true });
            fs.writeFileSync(urnFixture(stack), `${urns.join("\n")}\n`);
            console.log(`${stack}: ${urns.length} URNs → ${path.relative(ROOT, urnFixture(stack))}`);
        }
    })();
}
