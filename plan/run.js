// Entry point of `npm run plan`. Loads the TypeScript sources through TypeScript's own transpiler with a small
// on-disk cache (node_modules/.cache/eks-gitlab-runners), so a plan after the first only pays for evaluating the
// program. Type checking is `npm test`'s job, not the plan's.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const ROOT = path.join(__dirname, "..");
const CACHE = path.join(ROOT, "node_modules", ".cache", "eks-gitlab-runners");
const TS_VERSION = require("typescript/package.json").version;
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

require.extensions[".ts"] = (module, filename) => {
    const source = fs.readFileSync(filename, "utf8");
    const tsconfig = fs.readFileSync(path.join(ROOT, "tsconfig.json"), "utf8");
    const key = crypto.createHash("sha256").update(`${TS_VERSION}\0${tsconfig}\0${filename}\0${source}`).digest("hex");
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

// The Pulumi runtime captures a stack trace for every resource and promise; offline they are never shown, and
// formatting them is a third of the evaluation. PLAN_DEBUG=1 keeps them for debugging a crash.
if (!process.env.PLAN_DEBUG) Error.stackTraceLimit = 0;

require("./cli.ts").main();
