#!/usr/bin/env node
// The command runs from TypeScript sources through tsx, so `npx aytq-dr` works right after `npm ci` with no build step.
"use strict";
require("tsx/cjs");
const { main } = require("../recovery/cli/main.ts");
main(process.argv).then((code) => {
  process.exitCode = code;
});
