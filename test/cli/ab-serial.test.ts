// `umqtt-bench ab <scenario> --b serial:PORT` end to end: side B is a board
// on a real pseudo-terminal (`umqtt-bench serve-board`, a MicroPython VM
// board, its own process), driven by run --target's runner; side A is the
// emulator with the same board model.

import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "./cli-process.ts";
import { hasSocat, serveBoard, stopBoard, type ServedBoard } from "../support/serve-board.ts";

if (!hasSocat) console.warn("socat is not installed: skipping ab against serve-board (apt-get install socat)");

const tmp = mkdtempSync(join(tmpdir(), "umqtt-bench-ab-serial-"));

describe.skipIf(!hasSocat)("ab against a board on a pseudo-terminal (serve-board, esp8266)", () => {
  let board: ServedBoard | undefined;
  let port = "";
  beforeAll(async () => {
    board = await serveBoard({ board: "esp8266" });
    port = board.path;
  }, 40_000);
  afterAll(() => stopBoard(board));

  it("finds example_sub_led on the emulator and on the board equivalent", async () => {
    const out = join(tmp, "same");
    const run = await cli("ab", "example_sub_led", "--b", `serial:${port}`, "--seed", "5", "--out", out);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain(`A  emulator (seed 5)  PASS\n   trace ${join(out, "A.jsonl")}\n`);
    expect(run.stdout).toContain(`B  board on ${port}  PASS\n   trace ${join(out, "B.jsonl")}\n`);
    // Both client ids come from unique_id, and differ: normalised.
    expect(run.stdout).toMatch(/^ {2}board1 client id: [0-9a-f]+ \(A\), [0-9a-f]+ \(B\)$/m);
    expect(run.stdout).toMatch(/^ {2}= {2}board1 mqtt out +2 \| 2$/m);
    expect(run.stdout).toMatch(/^ {2}= {2}board1 pins +4 \| 4$/m);
    // Heap too, as heap used since the firmware's start: the board's free heap also pays for the bench's instrumentation.
    expect(run.stdout).toMatch(/^ {2}= {2}board1 heap +\d+ \| \d+$/m);
    expect(run.stdout).toContain("board1 heap: a board against the emulator: compared as heap used since the firmware's start");
    expect(run.stdout).toMatch(/\nEQUIVALENT {2}\S+A\.jsonl and \S+B\.jsonl\n$/);
    // The board's trace is a real run's: its own ticks beside each pin change.
    expect(readFileSync(join(out, "B.jsonl"), "utf8")).toMatch(/"kind":"pin".*"boardMs":\d+/);
  }, 120_000);

  it("names the step (14, as run numbers it) where a deliberately changed firmware on the board goes its own way", async () => {
    // The same firmware with one bug: "toggle" forgets to flip its flag, so the second toggle leaves the LED lit.
    const original = readFileSync(join(import.meta.dirname, "../../scenarios/firmware/example_sub_led.py"), "utf8");
    const changed = original.replace(/(\n\s+led\.value\(lit\)\n)\s+lit = 1 - lit\n/, "$1");
    expect(changed).not.toBe(original);
    const firmware = join(tmp, "example_sub_led.py");
    writeFileSync(firmware, changed);
    const out = join(tmp, "changed");
    const run = await cli("ab", "example_sub_led", "--b", `serial:${port}`, "--b-firmware", firmware, "--seed", "5", "--out", out, "--json");
    expect(run.code, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.sides.map((s: { status: string }) => s.status)).toEqual(["pass", "fail"]);
    expect(report.sides[1].target).toBe(`board on ${port}, firmware ${firmware}`);
    expect(existsSync(join(out, "B.jsonl"))).toBe(true);
    // Up to the second toggle both agree; there the board's LED never goes off.
    expect(report.first).toMatchObject({ stream: "board1 pins", index: 3, during: "14 wait-pin board1.led off", reason: "B has only 3 board1 pins event(s), A has 4" });
    expect(report.first.a.show).toMatch(/^pin 2 \(led\) = 1/);
  }, 120_000);

  it("reports a firmware that holds 8 KB more on the board at the heap", async () => {
    const original = readFileSync(join(import.meta.dirname, "../../scenarios/firmware/example_sub_led.py"), "utf8");
    const changed = original.replace(/(\n {4}client\.subscribe\(TOPIC\)\n)/, "$1    held = bytearray(8000)\n");
    expect(changed).not.toBe(original);
    const firmware = join(tmp, "example_sub_led_holds.py");
    writeFileSync(firmware, changed);
    const run = await cli("ab", "example_sub_led", "--b", `serial:${port}`, "--b-firmware", firmware, "--seed", "5", "--out", join(tmp, "holds"), "--json");
    expect(run.code, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout);
    // Every other stream agrees: the LED, the packets and the prints are the same.
    expect(report.sides.map((s: { status: string }) => s.status)).toEqual(["pass", "pass"]);
    expect(report.first.stream).toBe("board1 heap");
    expect(report.first.reason).toMatch(/^heap used since the firmware's start [\d,]+ B apart at the end of step \d+, tolerance 10% of the heap at the start$/);
  }, 120_000);
});
