// No firmware can hang, end or crash `umqtt-bench run`: runaway loops are
// stopped by the watchdog, process.exit() and uncaught errors become a crash
// of the board, and signals always end the run with the report and files.

import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { background, backgroundWithEnv, cli, FIXTURES } from "./cli-process.ts";

const tmp = mkdtempSync(join(tmpdir(), "umqtt-bench-supervision-"));
const RUNAWAY = join(FIXTURES, "runaway");

function traceEvents(path: string): { kind: string; board?: string; event?: string; text?: string }[] {
  return readFileSync(path, "utf8").trim().split("\n").map((l) => JSON.parse(l));
}

describe("firmware that never yields", () => {
  for (const kind of ["spin", "microtasks", "unawaited-sleep"]) {
    it(`${kind}: the watchdog names the board and the run fails with its report and files (exit 1)`, async () => {
      const junit = join(tmp, kind, "nested", "junit.xml");
      const trace = join(tmp, kind, "trace.jsonl");
      const run = await cli("run", join(RUNAWAY, `${kind}.yaml`), "--seed", "1", "--junit", junit, "--trace", trace);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain("board1 has not yielded for 5 s of wall time");
      expect(run.stdout).toMatch(/FAIL\s+runaway_/);
      expect(run.stdout).toContain("this report is rebuilt from the trace");
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(traceEvents(trace).some((e) => e.kind === "board" && e.event === "boot")).toBe(true);
      const xml = readFileSync(junit, "utf8");
      expect(xml).toMatch(/failures="1"/);
      expect(xml).toContain("has not yielded");
    }, 60_000);
  }

  it("names the board that spins when another board resumed in the same turn", async () => {
    const run = await cli("run", join(RUNAWAY, "spin-one.yaml"), "--seed", "1", "--quiet");
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("board1 has not yielded for 5 s of wall time");
  }, 60_000);

  it("SIGTERM stops a stuck run within a second, with the report and trace (exit 130)", async () => {
    const trace = join(tmp, "sigterm.jsonl");
    const run = background("run", join(RUNAWAY, "spin.yaml"), "--seed", "1", "--trace", trace);
    // The trace file is flushed as the run goes: wait until the firmware has started spinning.
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !(existsSync(trace) && readFileSync(trace, "utf8").includes('"spinning"'))) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    const sent = performance.now();
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(130);
    // Well under the watchdog's 5 s: the stop did not wait for it. (A loose bound: the machine may be loaded.)
    expect(performance.now() - sent).toBeLessThan(4000);
    expect(run.out()).toContain("stopped before the scenario finished");
    expect(traceEvents(trace).some((e) => e.kind === "print" && e.text === "spinning")).toBe(true);
  }, 60_000);

  it("a second Ctrl-C ends at once and still writes the report and JUnit (exit 130)", async () => {
    const junit = join(tmp, "second-ctrl-c.xml");
    const run = background("run", "example_sub_led", "--realtime", "--net", "ideal", "--junit", junit);
    await run.waitFor("running example_sub_led");
    run.child.kill("SIGINT");
    run.child.kill("SIGINT");
    expect(await run.exited).toBe(130);
    expect(run.out()).toContain("stopped before the scenario finished");
    expect(readFileSync(junit, "utf8")).not.toMatch(/failures="0"/);
  }, 60_000);
});

describe("signals during start-up", () => {
  it("Ctrl-C while the command is still starting ends with exit 130 and still writes the JUnit", async () => {
    // The signal goes the moment the command's arguments are parsed, before the
    // boards are up (the start-up phases, UMQTT_BENCH_TIMING, say when; a whole
    // run can take less than half a second).
    const junit = join(tmp, "early", "junit.xml");
    const run = backgroundWithEnv({ UMQTT_BENCH_TIMING: "1" }, "run", "example_sub_led", "--junit", junit);
    let killed = false;
    const sent = new Promise<string>((resolve) => {
      run.child.stderr!.on("data", () => {
        if (killed || !run.err().includes("main command line loaded")) return;
        killed = true;
        const before = run.err();
        run.child.kill("SIGINT");
        resolve(before);
      });
    });
    const stderrWhenSent = await sent;
    expect(stderrWhenSent).not.toContain("boards ready");
    expect(await run.exited).toBe(130);
    const xml = readFileSync(junit, "utf8");
    expect(xml).toMatch(/failures="[1-9]/);
    expect(xml).toContain("stopped before the scenario finished");
  }, 90_000);
});

describe("firmware cannot end or crash the bench", () => {
  it("process.exit(0) in firmware is a crash of that board, never a pass", async () => {
    const junit = join(tmp, "exit.xml");
    const run = await cli("run", join(RUNAWAY, "exits.yaml"), "--seed", "1", "--junit", junit);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("board1 crashed: SystemExit: process.exit(0) called by firmware");
    expect(run.stdout).toMatch(/FAIL\s+runaway_exits/);
    expect(readFileSync(junit, "utf8")).toMatch(/failures="1"/);
  }, 60_000);

  it("a promise nobody awaits crashes the board that made it, with a traceback naming its file and line", async () => {
    const trace = join(tmp, "unawaited.jsonl");
    const run = await cli("run", join(RUNAWAY, "unawaited.yaml"), "--seed", "1", "--trace", trace);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("board1: esp8266 running ./unawaited.ts, network wifi, crashed: Error: nobody awaited me");
    expect(run.stdout).not.toMatch(/board2: .*crashed/);
    const printed = traceEvents(trace).filter((e) => e.kind === "print" && e.board === "board1").map((e) => e.text);
    expect(printed).toContain('  File "unawaited.ts", line 6, column 9, in failLater');
  }, 60_000);

  it("a throw in a host timer crashes the board (exit 1 with the report, not a Node stack trace)", async () => {
    const run = await cli("run", join(RUNAWAY, "timer-throw.yaml"), "--seed", "1");
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("crashed: RangeError: thrown in a host timer");
    expect(run.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
