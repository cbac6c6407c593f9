#!/usr/bin/env node
// The command runs from TypeScript sources through tsx, so `npx aytq-dr` works right after `npm ci` with no build step.
"use strict";
require("tsx/cjs");
const { runProcess } = require("../recovery/cli/process.ts");
// sets process.exitCode; exit 4 if the command never settles (recovery/cli/process.ts)
void runProcess(process.argv);
