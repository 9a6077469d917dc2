// A V8 code cache for the plan (installed by plan/loader.js). Parsing and compiling JavaScript is a fifth of a prod
// plan: the SDKs' modules and ours, the same on every run. Each module is compiled with the code V8 produced for it
// in an earlier run (keyed by the module's text, so an edited file or an upgraded package compiles afresh), and
// when this process compiled anything anew, the cache is rewritten at exit with the code of every function that ran.
// V8 checks the data itself (its version, flags and the source) and ignores a cache that does not fit.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const Module = require("module");
const path = require("path");
const vm = require("vm");

/** Entries this run did not use (other commands, earlier versions of a file) are kept up to this size in all. */
const LIMIT = 64 * 1024 * 1024;

function readCache(file) {
    try {
        const buffer = fs.readFileSync(file);
        const length = buffer.readUInt32LE(0);
        const index = JSON.parse(buffer.subarray(4, 4 + length).toString("utf8"));
        return { index, blob: buffer.subarray(4 + length) };
    } catch {
        return { index: {}, blob: Buffer.alloc(0) };
    }
}

/** `require` as Node builds it for a module (lib/internal/modules/helpers.js makeRequireFunction). */
function requireFor(mod) {
    const require = (id) => mod.require(id);
    const resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
    resolve.paths = (request) => Module._resolveLookupPaths(request, mod);
    require.resolve = resolve;
    require.main = process.mainModule;
    require.extensions = Module._extensions;
    require.cache = Module._cache;
    return require;
}

function installCompileCache(dir) {
    const file = path.join(dir, `v8-code-${process.versions.v8}-${process.arch}.bin`);
    const { index, blob } = readCache(file);
    const compiled = new Map(); // content key → vm.Script compiled in this process
    let missed = false;
    const compile = Module.prototype._compile;
    Module.prototype._compile = function (content, filename) {
        if (content.startsWith("#!")) return compile.call(this, content, filename);
        const key = crypto.createHash("sha1").update(content).digest("hex");
        const entry = index[key];
        const script = new vm.Script(Module.wrap(content), {
            filename,
            cachedData: entry && blob.subarray(entry[0], entry[1]),
            importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
        });
        if (!entry || script.cachedDataRejected) missed = true;
        compiled.set(key, script);
        const wrapper = script.runInThisContext({ displayErrors: true });
        return wrapper.call(this.exports, this.exports, requireFor(this), this, filename, path.dirname(filename));
    };
    process.once("exit", () => {
        if (!missed) return;
        const parts = [];
        const next = {};
        let size = 0;
        for (const [key, script] of compiled) {
            const data = script.createCachedData();
            next[key] = [size, size + data.length];
            parts.push(data);
            size += data.length;
        }
        for (const [key, [start, end]] of Object.entries(index)) {
            if (key in next || size + (end - start) > LIMIT) continue;
            next[key] = [size, size + end - start];
            parts.push(blob.subarray(start, end));
            size += end - start;
        }
        const header = Buffer.from(JSON.stringify(next), "utf8");
        const length = Buffer.alloc(4);
        length.writeUInt32LE(header.length);
        try {
            fs.mkdirSync(dir, { recursive: true });
            const temporary = `${file}.${process.pid}`;
            fs.writeFileSync(temporary, Buffer.concat([length, header, ...parts]));
            fs.renameSync(temporary, file); // atomic: a plan running beside this one reads the old or the new file
        } catch {
            // A cache that cannot be written only costs the next run its compile time.
        }
    });
}

module.exports = { installCompileCache };
