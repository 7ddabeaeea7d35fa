// MicroPython-style traceback lines for an error thrown by TypeScript
// firmware: the stack frames that lie in the firmware's own files, outermost
// first, as `  File "main.ts", line 12, in main`. Frames in the bench itself
// (its sources, node_modules, Node internals) have no counterpart in the
// firmware's Python and are left out, as are frames without a position.

import { basename, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** The project's own sources: frames there are the emulator, not the firmware. */
const BENCH_SRC = fileURLToPath(new URL("../../", import.meta.url));

// "    at fn (file:line:col)" or "    at file:line:col"
const FRAME = /^\s*at (?:(?:async )?(.*?) \()?(.+?):(\d+):\d+\)?$/;

export function tracebackLines(error: unknown): string[] {
  const stack = error instanceof Error && typeof error.stack === "string" ? error.stack : "";
  const lines: string[] = [];
  for (const text of stack.split("\n").slice(1)) {
    const m = FRAME.exec(text);
    if (!m) continue;
    const [, fn, location, line] = m;
    const file = location.startsWith("file://") ? fileURLToPath(location) : location;
    if (file.startsWith("node:") || file.startsWith(BENCH_SRC) || file.includes(`${sep}node_modules${sep}`) || !file.includes(sep)) continue;
    const name = fn ? fn.replace(/ \[as [^\]]*\]$/, "").replace(/^.*\./, "") || "<module>" : "<module>";
    lines.push(`  File "${basename(file)}", line ${line}, in ${name === "<anonymous>" ? "<module>" : name}`);
  }
  return lines.reverse();
}
