// The plan's TypeScript loader (required by plan/run.js, the entry point of `npm run plan`). Loads the TypeScript
// sources through TypeScript's own transpiler with a small on-disk cache (node_modules/.cache/eks-gitlab-runners), so a plan after the first only pays for evaluating the
// program. Type checking is `npm test`'s job, not the plan's.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const ROOT = path.join(__dirname, "..");
const CACHE = path.join(ROOT, "node_modules", ".cache", "eks-gitlab-runners");
const TS_VERSION = require("typescript/package.json").version;
const TSCONFIG = fs.readFileSync(path.join(ROOT, "tsconfig.json"), "utf8");
require("./compileCache").installCompileCache(CACHE);
let ts; // loaded on the first cache miss only

function transpile(source, filename) {
    ts = ts || require("typescript");
    const { config } = ts.readConfigFile(path.join(ROOT, "tsconfig.json"), ts.sys.readFile);
    const { options } = ts.convertCompilerOptionsFromJson(config.compilerOptions, ROOT);
    return ts.transpileModule(source, {
        fileName: filename,
        compilerOptions: { ...options, sourceMap: false, inlineSourceMap: false },
    }).outputText;
}

// Keyed by the source and its extension, not its path: the base tree of a `--base` diff is another directory, and
// its unchanged files (most of them) hit the cache. CommonJS output depends on the text and the file kind only.
require.extensions[".ts"] = (module, filename) => {
    const source = fs.readFileSync(filename, "utf8");
    const key = crypto
        .createHash("sha256")
        .update(`${TS_VERSION}\0${TSCONFIG}\0${path.extname(filename)}\0${source}`)
        .digest("hex");
    const cached = path.join(CACHE, `${key}.js`);
    let js;
    try {
        js = fs.readFileSync(cached, "utf8");
    } catch {
        js = transpile(source, filename);
        fs.mkdirSync(CACHE, { recursive: true });
        fs.writeFileSync(cached, js);
    }
    module._compile(js, filename);
};

// Two packages @pulumi/pulumi loads at start-up only serve code serialization, which the offline engine does not do
// (it fingerprints dynamic providers: plan/engine.ts): the TypeScript compiler (closure parsing) and npm's
// @npmcli/arborist (package discovery for function serialization). They are a third of the SDKs' import time. The
// Automation API (`pulumi.automation`, loaded by @pulumi/pulumi 3.248.0 index.js with execa and its kin) drives the
// CLI, which the plan never runs: another tenth. Each is registered as a module that loads the real one the first
// time anything reads from it, so nothing changes if something does use them.
function deferModule(request, from) {
    const file = require.resolve(request, { paths: [from] });
    if (require.cache[file]) return;
    let real;
    const load = () => {
        if (real === undefined) {
            delete require.cache[file];
            real = require(file);
        }
        return real;
    };
    const stub = new Proxy(
        {},
        {
            get: (_, key) => (key === "__esModule" ? true : key === "default" && !load().__esModule ? load() : load()[key]),
            has: (_, key) => key in load(),
            ownKeys: () => Reflect.ownKeys(load()),
            getOwnPropertyDescriptor: (_, key) => {
                const d = Reflect.getOwnPropertyDescriptor(load(), key);
                return d && { ...d, configurable: true };
            },
        },
    );
    const m = new module.constructor(file, module);
    m.filename = file;
    m.loaded = true;
    m.exports = stub;
    m.deferred = true; // until the real module replaces this one in the cache (tests/planLoader.test.ts reads it)
    require.cache[file] = m;
}
const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [ROOT] }));
deferModule("typescript", pulumiDir);
deferModule("@npmcli/arborist", pulumiDir);
deferModule("./automation", pulumiDir);

// The Pulumi runtime captures a stack trace for every resource and promise; offline they are never shown, and
// formatting them is a third of the evaluation. PLAN_DEBUG=1 keeps them for debugging a crash.
if (!process.env.PLAN_DEBUG) Error.stackTraceLimit = 0;
