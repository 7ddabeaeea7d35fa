// Runs that must differ, compared with `umqtt-bench diff`: a real firmware
// or library change is named at the event where it first shows; files that
// are not traces are bad input (exit 2) with file:line.

import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { compareTraces, DEFAULT_TOLERANCES } from "../../src/compare/compare.ts";
import { readTraceFile } from "../../src/compare/read-trace.ts";
import { cli, expectUsageError } from "../cli/cli-process.ts";

const FIXTURES = join(import.meta.dirname, "fixtures");
const tmp = mkdtempSync(join(tmpdir(), "umqtt-bench-diff-ne-"));
const trace = (name: string) => join(tmp, `${name}.jsonl`);

beforeAll(async () => {
  const runs = await Promise.all([
    cli("run", join(FIXTURES, "long_topic.yaml"), "--seed", "3", "--quiet", "--umqtt", "1.8.0", "--trace", trace("umqtt-1.8.0")),
    cli("run", join(FIXTURES, "long_topic.yaml"), "--seed", "3", "--quiet", "--umqtt", "1.7.1", "--trace", trace("umqtt-1.7.1")),
  ]);
  runs.push(
    ...(await Promise.all([
      cli("run", join(FIXTURES, "blink_300.yaml"), "--seed", "3", "--quiet", "--trace", trace("blink-300")),
      cli("run", join(FIXTURES, "blink_700.yaml"), "--seed", "3", "--quiet", "--trace", trace("blink-700")),
    ])),
  );
  // umqtt 1.7.1 sends a broken SUBSCRIBE for a 130-byte topic: the broker drops the board.
  expect(runs.map((r) => r.code)).toEqual([0, 1, 0, 0]);
}, 120_000);

describe("diff on runs that differ", () => {
  it("names the SUBSCRIBE packet when umqtt 1.7.1 replaces 1.8.0 on a long topic", async () => {
    const { equivalent, first } = compareTraces(readTraceFile(trace("umqtt-1.8.0")), readTraceFile(trace("umqtt-1.7.1")));
    expect(equivalent).toBe(false);
    expect(first!.stream).toBe("board1 mqtt out");
    expect(first!.index).toBe(1); // after CONNECT
    expect(first!.a!.show).toMatch(/^subscribe /);
    // 1.8.0 writes the remaining length 135 as two bytes (87 01); 1.7.1 packs it into one.
    expect(first!.reason).toMatch(/^packets differ from byte 2 /);
    expect(first!.a!.hex).toMatch(/^82870100/);
    expect(first!.b!.hex).toMatch(/^828700/);
  });

  it("shows that divergence side by side, with the bytes", async () => {
    const run = await cli("diff", trace("umqtt-1.8.0"), trace("umqtt-1.7.1"));
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^First divergence: board1 mqtt out #2 during step 1 wait-serial board1 "subscribed" \(A line \d+, B line \d+\)$/m);
    expect(run.stdout).toMatch(/^ {2}> +\d+ {2}subscribe .*\| +\d+ {2}\S/m);
    expect(run.stdout).toMatch(/^ {2}A bytes {2}82870100/m);
    expect(run.stdout).toMatch(/\nDIFFERENT {2}.*first divergence at board1 mqtt out #2 during step 1 /);
  });

  it("finds a blink of 700 ms instead of 300 ms different beyond the pin tolerance, and equivalent within a wider one", async () => {
    const strict = await cli("diff", trace("blink-300"), trace("blink-700"), "--json");
    expect(strict.code).toBe(1);
    const { first, streams } = JSON.parse(strict.stdout);
    expect(first.stream).toBe("board1 pins");
    expect(first.index).toBe(1); // the first change comes at boot in both; the second is one blink later
    expect(first.reason).toMatch(/^same change, 300 ms after its cause in A, 700 ms in B: 400 ms apart, tolerance 200 ms$/);
    expect(streams.filter((s: { equal: boolean }) => !s.equal).map((s: { stream: string }) => s.stream)).toEqual(["board1 pins"]);
    const loose = compareTraces(readTraceFile(trace("blink-300")), readTraceFile(trace("blink-700")), { ...DEFAULT_TOLERANCES, pinMs: 450 });
    expect(loose.equivalent).toBe(true);
  });

  it("exits 2 with file:line for a truncated trace, and names a missing file or a bad flag", async () => {
    const whole = readFileSync(trace("blink-300"), "utf8");
    const cut = trace("cut");
    writeFileSync(cut, whole.slice(0, whole.lastIndexOf("}") - 3));
    const lines = whole.trimEnd().split("\n").length;
    expectUsageError(await cli("diff", trace("blink-300"), cut), new RegExp(`^umqtt-bench: \\S+cut\\.jsonl:${lines}: truncated JSON line`));
    const [missing, badFlag] = await Promise.all([
      cli("diff", join(tmp, "none.jsonl"), cut),
      cli("diff", trace("blink-300"), trace("blink-700"), "--pin-tolerance-ms", "soon"),
    ]);
    expectUsageError(missing, /^umqtt-bench: \S+none\.jsonl: cannot read \(no such file\)$/);
    expectUsageError(badFlag, /^umqtt-bench: --pin-tolerance-ms: expected a number of milliseconds \(0 or more\), got "soon"$/);
  });
});
