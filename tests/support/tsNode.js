// How mocha loads the TypeScript sources: ts-node in transpile-only mode (tsc type-checks them in `npm test`), with
// SWC as its transpiler, a third less CPU than TypeScript's own. Only the tests use it: the program itself runs under
// `pulumi up` with whatever TypeScript setup the Pulumi CLI picks from tsconfig.json, which is left alone.
"use strict";
require("ts-node").register({ transpileOnly: true, swc: true });
