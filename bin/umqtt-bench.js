#!/usr/bin/env node
// Entry point. Runs the compiled JavaScript in dist/, built from src/ by the
// install step (`prepare`: scripts/build.mjs), so nothing is transpiled at
// start-up. Without a build, or when src/ changed since it was made (a
// checkout being edited), it loads the TypeScript sources through tsx as
// before: slower to start, same behaviour. UMQTT_BENCH_SOURCES=1 forces that.
// Signals are counted from here, before anything loads, so Ctrl-C during
// start-up still ends the run with its report (src/cli/signals.ts takes over).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const early = { count: 0, handler: () => early.count++ };
globalThis[Symbol.for("umqtt-bench.early-signals")] = early;
process.on("SIGINT", early.handler);
process.on("SIGTERM", early.handler);

const ROOT = new URL("../", import.meta.url);
// Phase times (UMQTT_BENCH_TIMING=1, src/timing.ts) count from this process's start, in every thread.
if (process.env.UMQTT_BENCH_TIMING === "1") process.env.UMQTT_BENCH_TIMING_T0 = String(performance.timeOrigin);

/** "fresh", "missing", or "stale" (a source file is newer than the build, or one was added or removed). */
function buildState() {
  let info;
  try {
    info = JSON.parse(readFileSync(new URL("dist/.build.json", ROOT), "utf8"));
  } catch {
    return "missing";
  }
  const files = readdirSync(new URL("src/", ROOT), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  if (files.length !== info.files) return "stale";
  for (const e of files) if (statSync(join(e.parentPath ?? e.path, e.name)).mtimeMs > info.newestMs) return "stale";
  return "fresh";
}

const state = process.env.UMQTT_BENCH_SOURCES === "1" ? "forced" : buildState();
// cli/prewarm starts a `run`'s VM worker first, so it loads while the command does.
const args = process.argv.slice(2);
if (state === "fresh") {
  const { loadWithCodeCache } = await import("../dist/cli/code-cache.js");
  const command = loadWithCodeCache(new URL("dist/bundle/command.cjs", ROOT));
  await command.prewarm(args);
  await command.runCommandLine(args);
} else {
  // Said on a terminal only: piped output (tests, CI) stays the command's own.
  if (state !== "forced" && process.stderr.isTTY) {
    const why = state === "missing" ? "no compiled build in dist/" : "src/ changed since dist/ was built";
    process.stderr.write(`umqtt-bench: ${why}; running from the TypeScript sources (slower start; \`npm run build\` compiles them)\n`);
  }
  const { register } = await import("tsx/esm/api");
  register();
  await (await import("../src/cli/prewarm.ts")).prewarm(args);
  await (await import("../src/cli/main.ts")).runCommandLine(args);
}
