// A file that is not a whole trace is named with its line, never half-read.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseTrace, readTraceFile } from "../../src/compare/read-trace.ts";

const pin = '{"t":1,"kind":"pin","board":"board1","pin":2,"value":1}';
const print = '{"t":2,"kind":"print","board":"board1","text":"hello"}';

describe("reading a trace", () => {
  it("numbers events by file line, skipping blank lines", () => {
    const events = parseTrace(`${pin}\n\n${print}\n`, "a.jsonl");
    expect(events.map((e) => e.line)).toEqual([1, 3]);
    expect(events[1].event).toMatchObject({ kind: "print", text: "hello" });
  });

  it("calls a cut-off last line truncated and names file:line", () => {
    expect(() => parseTrace(`${pin}\n${print.slice(0, 20)}`, "a.jsonl")).toThrow(/^a\.jsonl:2: truncated JSON line/);
  });

  it("calls a bad line in the middle not JSON", () => {
    expect(() => parseTrace(`${pin}\nhello\n${print}\n`, "a.jsonl")).toThrow(/^a\.jsonl:2: not JSON/);
  });

  it("rejects JSON that is not a trace event", () => {
    expect(() => parseTrace(`${pin}\n[1,2]\n`, "a")).toThrow(/^a:2: not a trace event \(expected a JSON object\)/);
    expect(() => parseTrace('{"t":1,"kind":"song"}\n', "a")).toThrow(/^a:1: not a trace event \(unknown kind "song"\)/);
    expect(() => parseTrace('{"kind":"pin"}\n', "a")).toThrow(/^a:1: not a trace event \(no time "t"\)/);
    expect(() => parseTrace('{"t":0,"kind":"mqtt","board":"b","dir":"out","type":"connect","raw":"zz"}\n', "a")).toThrow(/^a:1: mqtt event whose "raw" is not hex/);
    expect(() => parseTrace('{"t":0,"kind":"print","board":"b"}\n', "a")).toThrow(/^a:1: print event without string "text"/);
  });

  it("rejects an empty file and a missing one", () => {
    expect(() => parseTrace("\n", "e.jsonl")).toThrow(/^e\.jsonl: empty, not a trace/);
    const dir = mkdtempSync(join(tmpdir(), "umqtt-bench-read-trace-"));
    expect(() => readTraceFile(join(dir, "none.jsonl"))).toThrow(/none\.jsonl: cannot read \(no such file\)/);
    writeFileSync(join(dir, "ok.jsonl"), `${pin}\n`);
    expect(readTraceFile(join(dir, "ok.jsonl"))).toHaveLength(1);
  });
});
