// `umqtt-bench ab` as users run it: a real process running the scenario on
// both sides (MicroPython VM and TypeScript firmware, embedded aedes),
// writing both traces and comparing them.

import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { background, cli, expectUsageError } from "./cli-process.ts";

const tmp = mkdtempSync(join(tmpdir(), "umqtt-bench-ab-"));
const LONG_TOPIC = join(import.meta.dirname, "../compare/fixtures/long_topic.yaml");
/** Blinks every 10 ms for an hour of scenario time: minutes of wall time, so a Ctrl-C lands while side A runs. */
const FOREVER = join(import.meta.dirname, "../compare/fixtures/forever.yaml");

describe("umqtt-bench ab", () => {
  it("runs .py and TypeScript firmware of example_sub_led, writes both traces and finds them equivalent", async () => {
    const out = join(tmp, "py-ts");
    const run = await cli("ab", "example_sub_led", "--b", "emulator", "--b-firmware-lang", "ts", "--seed", "5", "--out", out);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain(`A  emulator (seed 5)  PASS\n   trace ${join(out, "A.jsonl")}\n   reproduce: umqtt-bench run example_sub_led --seed 5\n`);
    expect(run.stdout).toContain(`B  emulator (firmware ts, seed 5)  PASS\n   trace ${join(out, "B.jsonl")}\n   reproduce: umqtt-bench run example_sub_led --seed 5 --firmware-lang ts\n`);
    expect(run.stdout).toMatch(/\nEQUIVALENT {2}\S+A\.jsonl and \S+B\.jsonl\n$/);
    // The traces are the runs' own, complete: the LED scenario's 15 steps passed in each.
    for (const side of ["A", "B"]) {
      const steps = readFileSync(join(out, `${side}.jsonl`), "utf8").split("\n").filter((l) => l.includes('"kind":"step"') && l.includes('"status":"pass"'));
      expect(steps).toHaveLength(15);
    }
  });

  it("names the SUBSCRIBE packet when side B runs umqtt 1.7.1 on a long topic, and gives each side's verdict", async () => {
    const run = await cli("ab", LONG_TOPIC, "--b", "emulator", "--a-umqtt", "1.8.0", "--b-umqtt", "1.7.1", "--seed", "2", "--json", "--out", join(tmp, "umqtt"));
    expect(run.code, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.sides.map((s: { side: string; status: string; target: string }) => [s.side, s.status, s.target])).toEqual([
      ["A", "pass", "emulator (umqtt 1.8.0, seed 2)"],
      ["B", "fail", "emulator (umqtt 1.7.1, seed 2)"],
    ]);
    expect(report.sides.every((s: { trace: string }) => existsSync(s.trace))).toBe(true);
    expect(report.equivalent).toBe(false);
    expect(report.first).toMatchObject({ stream: "board1 mqtt out", index: 1 });
    expect(report.first.a.show).toMatch(/^subscribe /);
  });

  it("rejects a missing or unknown side and bad per-side settings with one line, exit 2", async () => {
    const [noB, badB, badSeed, badUmqtt] = await Promise.all([
      cli("ab", "example_sub_led"),
      cli("ab", "example_sub_led", "--b", "board"),
      cli("ab", "example_sub_led", "--b", "emulator", "--b-seed", "x"),
      cli("ab", "example_sub_led", "--b", "emulator", "--a-umqtt", "9.9"),
    ]);
    const [sharedUmqtt, boardNet, noSuchBoard, wifiNoBoard] = await Promise.all([
      cli("ab", "example_sub_led", "--b", "serial:/dev/ttyUSB9", "--umqtt", "1.7.1"),
      cli("ab", "example_sub_led", "--b", "serial:/dev/ttyUSB9", "--b-net", "gprs"),
      cli("ab", "example_sub_led", "--b", "emulator", "--b-firmware", "board9=x.py"),
      cli("ab", "example_sub_led", "--b", "emulator", "--wifi", "home:secret"),
    ]);
    // Refused before anything runs: the port is never opened.
    expectUsageError(sharedUmqtt, /^umqtt-bench: --umqtt would apply to side B, a board on serial:\/dev\/ttyUSB9, which has its own network and umqtt: give it to the emulated side only \(--a-umqtt\)$/);
    expectUsageError(boardNet, /^umqtt-bench: --b-net does not apply to side B, a board on serial:\/dev\/ttyUSB9/);
    expectUsageError(noSuchBoard, /^umqtt-bench: --b-firmware: example_sub_led has no board "board9" \(boards: board1\)$/);
    expectUsageError(wifiNoBoard, /^umqtt-bench: --wifi is for a board on serial:PORT, and both sides are the emulator$/);
    expectUsageError(noB, /^umqtt-bench: ab: --b is required/);
    expectUsageError(badB, /^umqtt-bench: --b: expected emulator or serial:PORT .*got "board"$/);
    expectUsageError(badSeed, /^umqtt-bench: --seed: expected an integer/);
    expectUsageError(badUmqtt, /^umqtt-bench: --umqtt: unknown umqtt.simple version "9.9"/);
  }, 90_000);

  it("stops on Ctrl-C during side A: exit 130, the trace so far kept, nothing compared", async () => {
    const out = join(tmp, "interrupted");
    const ab = background("ab", FOREVER, "--b", "emulator", "--seed", "1", "--out", out);
    await ab.waitFor("A: running", 60_000);
    await new Promise((r) => setTimeout(r, 1000));
    ab.child.kill("SIGINT");
    expect(await ab.exited).toBe(130);
    expect(ab.out()).toMatch(/^A {2}emulator \(seed 1\) {2}INTERRUPTED/m);
    expect(ab.out()).toMatch(/^B {2}emulator \(seed 1\) {2}not run$/m);
    expect(ab.out()).toContain("INTERRUPTED  ab forever: nothing compared");
    expect(readFileSync(join(out, "A.jsonl"), "utf8")).toContain('"kind":"pin"');
    expect(readFileSync(join(out, "B.jsonl"), "utf8")).toBe(""); // emptied at the start: no earlier trace left behind
  });
});
