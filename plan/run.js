// Entry point of `npm run plan`: runs plan/cli.ts through ts-node (transpile only). ts-node installs source-map
// support for stack traces; the Pulumi runtime captures a stack trace for every resource and promise, and mapping
// each of them costs more than the whole evaluation, so the plan keeps V8's plain traces.
"use strict";
require("ts-node").register({ transpileOnly: true, project: require("path").join(__dirname, "..", "tsconfig.json") });
Error.prepareStackTrace = undefined;
require("./cli.ts").main();
