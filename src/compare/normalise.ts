// Turns one trace into the streams a comparison reads, with what must differ
// between two runs taken out: client ids (a board's comes from its
// unique_id, the bench's from the seed), addresses and ports in printed
// text, traceback frames, and absolute times (a pin change
// keeps only its delay after the event that caused it).

import type { TraceEvent } from "../emulator/trace.ts";
import { rewritePacket, type Replacement } from "./packet-rewrite.ts";
import type { NumberedEvent } from "./read-trace.ts";

/** One comparable event. `key` must be equal on both sides; pins and heap also carry figures compared with a tolerance. */
export interface Item {
  stream: string;
  /** Line in the trace file. */
  line: number;
  t: number;
  key: string;
  /** What the report shows. */
  show: string;
  /** Pins: milliseconds since the latest event that could have caused the change. */
  delayMs?: number;
  /** Heap checkpoints: free bytes at the end of a step. */
  free?: number;
  /** Heap: bytes the firmware held beyond what it had at its start (the boot checkpoint). */
  used?: number;
  /** MQTT packets: the normalised bytes. */
  bytes?: Uint8Array;
  /** Steps: the step's index in the scenario. */
  stepIndex?: number;
  /** The step running when the event happened, numbered from 1 ("11 wait-pin board1.led on"), if any. */
  during?: string;
}

export interface BenchError {
  line: number;
  board?: string;
  message: string;
}

export interface NormalisedTrace {
  events: number;
  /** Stream name -> items in trace order. Stream names: "<board> mqtt out", "<board> mqtt in", "<board> pins", "<board> prints", "<board> board" (boot, exit, crash), "<board> heap", "steps". */
  streams: Map<string, Item[]>;
  /** Each board's client ids in order of first CONNECT. */
  clientIds: Map<string, string[]>;
  /** When the first step started (else the first event): times from here are comparable between sides. */
  origin: number;
  /** Errors the bench recorded (trace "error" events). */
  errors: BenchError[];
  /** Steps this side could not do (a real board cannot make every fault), by index, with the reason. */
  skipped: Map<number, string>;
}

export const STREAM_KINDS = ["mqtt out", "mqtt in", "pins", "prints", "board", "heap"] as const;

const encoder = new TextEncoder();

/** The placeholder a board's client id becomes (numbered when a board, like the bench, connects with several). */
export function clientIdPlaceholder(board: string, n: number, of: number): string {
  return of > 1 ? `<${board} client id ${n}>` : `<${board} client id>`;
}

/** `rename` maps a board name of this trace to the name it is compared under. */
export function normaliseTrace(numbered: readonly NumberedEvent[], rename: ReadonlyMap<string, string> = new Map()): NormalisedTrace {
  const named = numbered.map(({ line, event }) => ({ line, event: renamed(event, rename) }));
  const clientIds = collectClientIds(named.map((n) => n.event));
  const replacements = placeholders(clientIds);
  const text = (s: string): string => normaliseText(replaceText(s, replacements));
  const streams = new Map<string, Item[]>();
  let during: string | undefined;
  const push = (item: Item): void => {
    if (during !== undefined && item.during === undefined) item.during = during;
    const list = streams.get(item.stream);
    if (list) list.push(item);
    else streams.set(item.stream, [item]);
  };

  const anchors = new Map<string, number>(); // board -> time of the latest event that can cause a pin change
  let stepAnchor = 0;
  const skipped = new Map<number, string>();
  const inTraceback = new Set<string>(); // boards printing a traceback now
  const errors: BenchError[] = [];
  const lastHeap = new Map<string, { t: number; free: number; used: number; line: number }>(); // readings since the current step started
  for (const { line, event: e } of named) {
    switch (e.kind) {
      case "mqtt": {
        const bytes = rewritePacket(hexBytes(e.raw), replacements);
        push({ stream: `${e.board} mqtt ${e.dir}`, line, t: e.t, key: hex(bytes), bytes, show: `${e.type}${describeFields(e.fields, text)}` });
        if (e.dir === "in") anchors.set(e.board, e.t);
        break;
      }
      case "pin": {
        const since = Math.max(anchors.get(e.board) ?? 0, stepAnchor);
        push({ stream: `${e.board} pins`, line, t: e.t, key: `pin ${e.pin} = ${e.value}`, delayMs: e.t - since, show: `pin ${e.pin}${e.name ? ` (${e.name})` : ""} = ${e.value}` });
        anchors.set(e.board, e.t);
        break;
      }
      case "print": {
        const text_ = e.text.replace(/\r$/, "");
        // A traceback compares by its first and last lines: the frames between name the bench's
        // launcher and library internals, which differ between the emulator and a board.
        if (text_ === "Traceback (most recent call last):") inTraceback.add(e.board);
        else if (inTraceback.has(e.board) && /^\s/.test(text_)) break;
        else inTraceback.delete(e.board);
        const shown = text(text_);
        push({ stream: `${e.board} prints`, line, t: e.t, key: shown, show: JSON.stringify(shown) });
        break;
      }
      case "board": {
        const what = e.event === "crash" ? `crash: ${text(e.detail ?? "")}` : e.event;
        push({ stream: `${e.board} board`, line, t: e.t, key: what, show: what });
        if (e.event === "boot") anchors.set(e.board, e.t);
        break;
      }
      case "error":
        // The bench's own observations (a malformed stream, its instrumentation on a board): listed, not compared.
        // What they are about shows in the compared streams (a malformed packet is an MQTT event too).
        errors.push({ line, board: e.board, message: text(e.message) });
        break;
      case "heap":
        lastHeap.set(e.board, { t: e.t, free: e.free, used: e.used, line });
        break;
      case "step":
        if (e.status === "start") {
          stepAnchor = e.t;
          lastHeap.clear();
          during = `${e.index + 1} ${e.step}`; // numbered from 1, as run's report numbers steps
          break;
        }
        stepAnchor = e.t;
        if ((e.status as string) === "skipped") skipped.set(e.index, `${e.step}${e.detail ? `: ${e.detail}` : ""}`);
        push({ stream: "steps", line, t: e.t, key: `${e.index} ${e.step}: ${e.status}`, show: `step ${e.index + 1} ${e.step}: ${e.status}`, stepIndex: e.index, during: `${e.index + 1} ${e.step}` });
        // Heap checkpoint: the board's last reading during this step.
        for (const [board, reading] of lastHeap) {
          // Steps numbered from 1, as run's report and "during step N" number them.
          push({ stream: `${board} heap`, line: reading.line, t: reading.t, key: `end of step ${e.index + 1}`, free: reading.free, used: reading.used, show: `free ${reading.free.toLocaleString("en-US")} B at the end of step ${e.index + 1}` });
        }
        break;
      case "net":
        // Not compared: connection details and faults are the bench's doing, and carry addresses.
        break;
    }
  }
  const firstStep = named.find(({ event }) => event.kind === "step");
  const origin = (firstStep ?? named[0])?.event.t ?? 0;
  return { events: numbered.length, streams, clientIds, skipped, origin, errors };
}

function renamed(event: TraceEvent, rename: ReadonlyMap<string, string>): TraceEvent {
  if (!("board" in event) || event.board === undefined) return event;
  const to = rename.get(event.board);
  return to === undefined ? event : { ...event, board: to };
}

function collectClientIds(events: readonly TraceEvent[]): Map<string, string[]> {
  const ids = new Map<string, string[]>();
  for (const e of events) {
    if (e.kind !== "mqtt" || e.type !== "connect" || e.dir !== "out") continue;
    const id = typeof e.fields.clientId === "string" ? e.fields.clientId : clientIdFromRaw(hexBytes(e.raw));
    if (id === undefined || id === "") continue;
    const list = ids.get(e.board) ?? [];
    if (!list.includes(id)) list.push(id);
    ids.set(e.board, list);
  }
  return ids;
}

/** CONNECT's client id read from the bytes: the field after protocol name, level, flags and keepalive. */
function clientIdFromRaw(raw: Uint8Array): string | undefined {
  let at = 1;
  while (at < raw.length && raw[at] & 0x80) at++;
  at++;
  if (at + 2 > raw.length) return undefined;
  at += 2 + ((raw[at] << 8) | raw[at + 1]) + 4;
  if (at + 2 > raw.length) return undefined;
  const n = (raw[at] << 8) | raw[at + 1];
  return new TextDecoder().decode(raw.subarray(at + 2, at + 2 + n));
}

function placeholders(clientIds: ReadonlyMap<string, string[]>): Replacement[] {
  const out: Replacement[] = [];
  for (const [board, ids] of clientIds) {
    ids.forEach((id, i) => out.push({ from: encoder.encode(id), to: encoder.encode(clientIdPlaceholder(board, i + 1, ids.length)) }));
  }
  // Longest first, so an id that contains another is replaced whole.
  return out.sort((x, y) => y.from.length - x.from.length);
}

function replaceText(s: string, replacements: readonly Replacement[]): string {
  const decoder = new TextDecoder();
  let out = s;
  for (const r of replacements) out = out.split(decoder.decode(r.from)).join(decoder.decode(r.to));
  return out;
}

/** Addresses and ports differ between a host and a board. */
export function normaliseText(s: string): string {
  return s
    .replace(/\[[0-9a-f:]*:[0-9a-f:]*\](?::\d+)?/gi, "<address>")
    .replace(/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, "<address>")
    .replace(/\blocalhost:\d+\b/g, "<address>");
}

function describeFields(fields: Record<string, string | number | boolean>, text: (s: string) => string): string {
  const parts = Object.entries(fields)
    .filter(([k]) => k !== "bytes")
    .map(([k, v]) => `${k}=${typeof v === "string" ? JSON.stringify(shorten(text(v))) : v}`);
  return parts.length ? ` ${parts.join(" ")}` : "";
}

function shorten(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}...` : s;
}

export function hexBytes(hexText: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hexText, "hex"));
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("hex");
}
