// The firmware's own frames of a JavaScript stack, printed like MicroPython's
// traceback lines (`  File "main.py", line 12, in <module>`), so a crash
// points at the line to fix.

import { basename } from "node:path";
import { fileURLToPath } from "node:url";

/** `at fn (file:///x/blink.ts:12:5)` or `at file:///x/blink.ts:12:5` */
const FRAME = /^\s*at (?:(.*?) \()?((?:file:\/\/)?\/[^()]*?):(\d+):(\d+)\)?$/;

function filePath(location: string): string {
  return location.startsWith("file://") ? fileURLToPath(location.replace(/\?.*$/, "")) : location.replace(/\?.*$/, "");
}

/** Traceback lines for the frames of `error` in `firmwarePath`, outermost first as Python prints them. */
export function firmwareTraceback(error: unknown, firmwarePath: string | undefined): string[] {
  if (!(error instanceof Error) || typeof error.stack !== "string" || firmwarePath === undefined) return [];
  const lines: string[] = [];
  for (const text of error.stack.split("\n").slice(1)) {
    const match = FRAME.exec(text);
    if (!match || filePath(match[2]) !== firmwarePath) continue;
    // The firmware's own function is called as the board host's `program`: Python would say <module>.
    const name = match[1]?.replace(/^async /, "");
    const fn = !name || name.startsWith("BoardHost.") ? "<module>" : name;
    lines.push(`  File "${basename(firmwarePath)}", line ${match[3]}, column ${match[4]}, in ${fn}`);
  }
  return lines.reverse();
}

/** True when `error`'s stack has a frame in `path`. */
export function raisedIn(error: unknown, path: string): boolean {
  return firmwareTraceback(error, path).length > 0;
}
