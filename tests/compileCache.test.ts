// The plan's V8 code cache (plan/compileCache.js): a module compiled from the cache behaves as one Node compiled,
// the cache is written only when something was compiled anew, and an edited module is compiled from its new text.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "./support/harness";

describe("plan compile cache", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "compile-cache-"));
    const cache = path.join(dir, "cache");
    const lib = path.join(dir, "lib.js");
    const main = path.join(dir, "main.js");
    const cacheFile = () => fs.readdirSync(cache).map((f) => path.join(cache, f));
    // Prints what a module sees of itself and of `require`, then the cache's state is left to the test to read.
    const run = () =>
        execFileSync(
            process.execPath,
            [
                "-e",
                `require(${JSON.stringify(path.join(ROOT, "plan", "compileCache.js"))}).installCompileCache(process.argv[1]); require(process.argv[2]);`,
                cache,
                main,
            ],
            { encoding: "utf8" },
        );
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("runs modules as Node does, writes the cache once, and recompiles an edited module", function () {
        this.timeout(20_000);
        fs.writeFileSync(lib, "exports.value = () => 'first';\n");
        fs.writeFileSync(
            main,
            [
                "const lib = require('./lib');",
                "console.log(JSON.stringify({ value: lib.value(), dir: __dirname, file: __filename, self: module.exports === exports,",
                "  resolved: require.resolve('./lib'), cached: require.cache[require.resolve('./lib')].exports === lib, ext: '.js' in require.extensions }));",
            ].join("\n"),
        );
        const expected = { value: "first", dir, file: main, self: true, resolved: lib, cached: true, ext: true };
        assert.deepEqual(JSON.parse(run()), expected);
        const [file] = cacheFile();
        const written = fs.statSync(file).mtimeMs;
        assert.ok(fs.statSync(file).size > 0);

        // Everything comes from the cache: same result, and the file is not rewritten.
        assert.deepEqual(JSON.parse(run()), expected);
        assert.equal(fs.statSync(file).mtimeMs, written);

        fs.writeFileSync(lib, "exports.value = () => 'second';\n");
        assert.equal(JSON.parse(run()).value, "second");
        assert.equal(JSON.parse(run()).value, "second");
    });
});
