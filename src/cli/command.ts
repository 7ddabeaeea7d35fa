// What the bin script runs: the prewarm step, then the command. The build
// bundles this file, with everything it loads, into one script
// (scripts/build.mjs), which the bin script compiles with a code cache.

export { prewarm } from "./prewarm.ts";
export { runCommandLine } from "./main.ts";
