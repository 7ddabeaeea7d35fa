// Reads a --trace file (JSON lines) back into events, each with its line
// number, so a comparison can point at file:line. Anything that is not a
// trace fails with one line naming the file and the line.

import { readFileSync } from "node:fs";
import type { TraceEvent } from "../emulator/trace.ts";

export interface NumberedEvent {
  /** 1-based line in the file. */
  line: number;
  event: TraceEvent;
}

export class TraceReadError extends Error {
  override name = "TraceReadError";
}

const KINDS = new Set(["board", "pin", "print", "mqtt", "heap", "net", "step", "error"]);

/** Fields each kind needs before the comparison can read it. */
const REQUIRED: Record<string, Record<string, "string" | "number">> = {
  board: { board: "string", event: "string" },
  pin: { board: "string", pin: "number", value: "number" },
  print: { board: "string", text: "string" },
  mqtt: { board: "string", dir: "string", type: "string", raw: "string" },
  heap: { board: "string", op: "string", free: "number", used: "number" },
  net: { board: "string", event: "string" },
  step: { index: "number", step: "string", status: "string" },
  error: { message: "string" },
};

export function readTraceFile(path: string): NumberedEvent[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new TraceReadError(`${path}: cannot read (${code === "ENOENT" ? "no such file" : code ?? String(error)})`);
  }
  return parseTrace(text, path);
}

export function parseTrace(text: string, name: string): NumberedEvent[] {
  const lines = text.split("\n");
  const events: NumberedEvent[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, "");
    if (line.trim() === "") continue;
    const at = `${name}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      const last = i === lines.length - 1 || lines.slice(i + 1).every((l) => l.trim() === "");
      // A run killed mid-write leaves its last line cut short.
      throw new TraceReadError(`${at}: ${last && line.trimStart().startsWith("{") ? "truncated JSON line" : "not JSON"} (a trace has one JSON event per line, as written by run --trace)`);
    }
    events.push({ line: i + 1, event: checkEvent(value, at) });
  }
  if (events.length === 0) throw new TraceReadError(`${name}: empty, not a trace (written by run --trace)`);
  return events;
}

function checkEvent(value: unknown, at: string): TraceEvent {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new TraceReadError(`${at}: not a trace event (expected a JSON object)`);
  const event = value as Record<string, unknown>;
  if (typeof event.t !== "number" || !Number.isFinite(event.t)) throw new TraceReadError(`${at}: not a trace event (no time "t")`);
  if (typeof event.kind !== "string" || !KINDS.has(event.kind)) throw new TraceReadError(`${at}: not a trace event (unknown kind ${JSON.stringify(event.kind)})`);
  for (const [field, type] of Object.entries(REQUIRED[event.kind])) {
    if (typeof event[field] !== type) throw new TraceReadError(`${at}: ${event.kind} event without ${type} "${field}"`);
  }
  if (event.kind === "mqtt" && !/^(?:[0-9a-f]{2})*$/i.test(event.raw as string)) throw new TraceReadError(`${at}: mqtt event whose "raw" is not hex`);
  return value as TraceEvent;
}
