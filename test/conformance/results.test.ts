// Reading a check's results from its trace and comparing device with
// prediction: exact text, numbers within a tolerance, missing results and
// runs that fell short.

import { describe, expect, it } from "vitest";
import { compare, observe } from "../../src/conformance/results.ts";
import type { Check } from "../../src/conformance/pack.ts";
import type { RunResult } from "../../src/emulator/runner/result.ts";
import type { TraceEvent } from "../../src/emulator/trace.ts";

const check: Check = { id: "c", proves: "p", onMismatch: "m", tolerance: { size: 0.03 } };

function run(lines: string[], extra: Partial<RunResult> = {}): { result: RunResult; events: TraceEvent[] } {
  const result: RunResult = {
    scenario: "c", source: "c", status: "pass", seed: 1, broker: "embedded aedes", clock: "virtual",
    virtualMs: 1, wallMs: 1, steps: [], boards: [], notes: [], ...extra,
  };
  return { result, events: lines.map((text, t) => ({ t, kind: "print", board: "board1", text })) };
}

const seen = (lines: string[], extra?: Partial<RunResult>) => {
  const r = run(lines, extra);
  return observe(r.result, r.events);
};

describe("observe", () => {
  it("reads result lines, info lines and the end of the check", () => {
    const o = seen(["boot", "result a 1,2", "info bisection 1..9", "result b some text", "conformance done"]);
    expect([...o.results]).toEqual([["a", "1,2"], ["b", "some text"]]);
    expect(o.info).toEqual(["bisection 1..9"]);
    expect(o.failure).toBeUndefined();
  });

  it("a run that never printed the end line failed, with the crash as the reason", () => {
    const o = seen(["result a 1"], {
      status: "fail",
      failure: "step 1 failed",
      boards: [{ name: "board1", model: "esp8266", firmware: "x", net: "wifi", heap: { budget: 1, peakUsed: 1, freeAtEnd: 0, largestFreeAtEnd: 0 }, network: { connections: 0, resets: 0, partitions: 0, faults: 0 }, crashed: "MemoryError: memory allocation failed" }],
    });
    expect(o.failure).toBe("MemoryError: memory allocation failed");
    expect(seen(["result a 1"], { status: "fail", failure: "deadline passed" }).failure).toBe("deadline passed");
  });
});

describe("compare", () => {
  const done = "conformance done";

  it("matches equal text and numbers within the check's tolerance, row by row", () => {
    const rows = compare(check, seen(["result a x", "result size 1030", done]), seen(["result a x", "result size 1000", done]));
    expect(rows).toEqual([
      { key: "a", device: "x", prediction: "x", match: true },
      { key: "size", device: "1030", prediction: "1000", match: true, tolerance: 0.03 },
    ]);
    const off = compare(check, seen(["result size 1031", done]), seen(["result size 1000", done]));
    expect(off[0]!.match).toBe(false);
  });

  it("text differs exactly; a number without a tolerance is text", () => {
    expect(compare(check, seen(["result a 1001", done]), seen(["result a 1000", done]))[0]!.match).toBe(false);
    expect(compare(check, seen(["result a ok", done]), seen(["result a OK", done]))[0]!.match).toBe(false);
  });

  it("a result only one side reported is a difference", () => {
    const rows = compare(check, seen(["result a 1", done]), seen(["result a 1", "result b 2", done]));
    expect(rows[1]).toEqual({ key: "b", device: "(none)", prediction: "2", match: false });
    const extra = compare(check, seen(["result a 1", "result z 9", done]), seen(["result a 1", done]));
    expect(extra.map((r) => r.key)).toEqual(["a", "z"]);
    expect(extra[1]!.match).toBe(false);
  });

  it("a side that did not finish adds a 'completed' row that differs", () => {
    const rows = compare(check, seen(["result a 1"], { status: "fail", failure: "deadline passed" }), seen(["result a 1", done]));
    expect(rows.at(-1)).toEqual({ key: "completed", device: "no: deadline passed", prediction: "yes", match: false });
  });
});
