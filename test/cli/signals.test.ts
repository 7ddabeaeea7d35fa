// A signal that arrives while the program loads (the event loop busy, the
// signal not yet dispatched) must survive the hand-over from the bin script's
// early counter to src/cli/signals.ts. Runs in a child process that signals
// itself, so the timing is exact rather than raced.

import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const SIGNALS = pathToFileURL(join(import.meta.dirname, "../../src/cli/signals.ts")).href;

describe("signals during start-up", () => {
  it("a signal pending while the handlers change hands is counted once, not lost", () => {
    const dir = mkdtempSync(join(tmpdir(), "umqtt-bench-signals-"));
    const script = join(dir, "handover.mts");
    writeFileSync(
      script,
      `// As bin/umqtt-bench.js does: count signals until the program takes over.
const early = { count: 0, handler: () => early.count++ };
(globalThis as any)[Symbol.for("umqtt-bench.early-signals")] = early;
process.on("SIGINT", early.handler);
const { installSignalHandlers, signalsReceived } = await import(${JSON.stringify(SIGNALS)});
// The signal arrives while the loop is busy (as when modules load) and is dispatched only after the hand-over.
process.kill(process.pid, "SIGINT");
const until = Date.now() + 200;
while (Date.now() < until) {}
installSignalHandlers();
setTimeout(() => console.log("signals", signalsReceived()), 200);
`,
    );
    const run = spawnSync(process.execPath, ["--import", "tsx", script], { encoding: "utf8", timeout: 20_000 });
    expect(run.stderr).toBe("");
    expect(run.stdout.trim()).toBe("signals 1");
  });
});
