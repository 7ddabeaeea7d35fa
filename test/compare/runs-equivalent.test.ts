// Whole runs compared with `umqtt-bench diff`, as users do it: real runs of
// the bench (MicroPython VM and TypeScript firmware, embedded aedes) write
// --trace files, and the diff command reads them back.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { compareTraces } from "../../src/compare/compare.ts";
import { readTraceFile } from "../../src/compare/read-trace.ts";
import { cli } from "../cli/cli-process.ts";

const tmp = mkdtempSync(join(tmpdir(), "umqtt-bench-diff-eq-"));
const py1 = join(tmp, "py-1.jsonl");
const py2 = join(tmp, "py-2.jsonl");
const ts = join(tmp, "ts.jsonl");
const otherSeed = join(tmp, "py-seed-8.jsonl");

beforeAll(async () => {
  const runs = await Promise.all([
    cli("run", "example_sub_led", "--seed", "5", "--quiet", "--trace", py1),
    cli("run", "example_sub_led", "--seed", "5", "--quiet", "--trace", py2),
  ]);
  runs.push(
    ...(await Promise.all([
      cli("run", "example_sub_led", "--seed", "5", "--quiet", "--firmware-lang", "ts", "--trace", ts),
      cli("run", "example_sub_led", "--seed", "8", "--quiet", "--trace", otherSeed),
    ])),
  );
  for (const run of runs) expect(run.code, run.stdout + run.stderr).toBe(0);
}, 120_000);

describe("diff on real runs", () => {
  it("finds the same scenario run twice with one seed equivalent, having compared every stream", async () => {
    const report = compareTraces(readTraceFile(py1), readTraceFile(py2));
    expect(report.differences).toEqual([]);
    const counts = Object.fromEntries(report.streams.map((s: { stream: string; a: number; b: number }) => [s.stream, [s.a, s.b]]));
    // The LED scenario: CONNECT and SUBSCRIBE out, CONNACK, SUBACK and four messages in, four LED changes, 15 steps.
    expect(counts).toMatchObject({ "board1 mqtt out": [2, 2], "board1 mqtt in": [6, 6], "board1 pins": [4, 4], "board1 prints": [5, 5], steps: [15, 15] });
  });

  it("finds the .py firmware on the MicroPython VM and its TypeScript port equivalent (same wire bytes)", async () => {
    const run = await cli("diff", py1, ts);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^A {2}.*py-1\.jsonl {2}\(\d+ events\)$/m);
    expect(run.stdout).toMatch(/^ {2}= {2}board1 mqtt out +2 \| 2$/m);
    expect(run.stdout).toMatch(/\nEQUIVALENT {2}\S+py-1\.jsonl and \S+ts\.jsonl\n$/);
  });

  it("takes the seed out of the bench's own client ids", async () => {
    const report = compareTraces(readTraceFile(py1), readTraceFile(otherSeed));
    expect(report.equivalent).toBe(true);
    expect(report.normalised).toContain("bench client ids: umqtt-bench-5-pub, umqtt-bench-5-sub (A), umqtt-bench-8-pub, umqtt-bench-8-sub (B)");
  });
});
