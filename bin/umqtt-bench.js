#!/usr/bin/env node
// Entry point: load the TypeScript sources through tsx so no build step is
// needed after `npm install`.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
