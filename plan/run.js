// Entry point of `npm run plan`: the TypeScript loader (plan/loader.js), then the command.
"use strict";
require("./loader");
require("./cli.ts").main();
