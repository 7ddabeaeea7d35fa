#!/usr/bin/env node
// Entry point: load the TypeScript sources through tsx so no build step is
// needed after `npm install`. Signals are counted from here, before anything
// loads, so Ctrl-C during start-up still ends the run with its report
// (src/cli/signals.ts takes over).
const early = { count: 0, handler: () => early.count++ };
globalThis[Symbol.for("umqtt-bench.early-signals")] = early;
process.on("SIGINT", early.handler);
process.on("SIGTERM", early.handler);

const { register } = await import("tsx/esm/api");
register();
await import("../src/cli/main.ts");
