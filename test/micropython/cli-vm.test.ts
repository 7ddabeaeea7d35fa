// The umqtt-bench command running MicroPython firmware: a real process,
// a real VM per board, exit codes and one-line errors.
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const BIN = join(import.meta.dirname, "../../bin/umqtt-bench.js");
const FIXTURES = join(import.meta.dirname, "fixtures");
const tmp = mkdtempSync(join(tmpdir(), "umqtt-bench-vm-cli-"));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 120_000, env: { ...process.env, UMQTT_BENCH_DEBUG: "", ...env } }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const traceOf = (file: string) =>
  readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));

describe("umqtt-bench run with MicroPython firmware", () => {
  it("a SyntaxError in firmware is bad input: one line with file:line, exit 2, before the run", async () => {
    const run = await cli(["run", join(FIXTURES, "bad_syntax.yaml")]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n")).toEqual(["umqtt-bench: firmware ./bad_syntax.py: main.py:4: SyntaxError: invalid syntax"]);
    expect(run.stdout).toBe("");
  });

  it("an exception in the umqtt callback leaves wait_msg: no PUBACK for that message, a traceback, a crash in the report", async () => {
    const trace = join(tmp, "callback.jsonl");
    const run = await cli(["run", join(FIXTURES, "callback_raises.yaml"), "--seed", "3", "--trace", trace, "--json"]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.boards[0].crashed).toBe("ValueError: cannot handle b'bad'");
    const events = traceOf(trace);
    const serial = events.filter((e) => e.kind === "print" && e.board === "board1").map((e) => e.text);
    expect(serial).toEqual([
      "ready",
      "got good",
      "got bad",
      "closing",
      "Traceback (most recent call last):",
      '  File "main.py", line 20, in <module>',
      '  File "main.py", line 10, in on_message',
      "ValueError: cannot handle b'bad'",
    ]);
    const pubacks = events.filter((e) => e.kind === "mqtt" && e.board === "board1" && e.type === "puback" && e.dir === "out");
    expect(pubacks.map((e) => e.fields.messageId)).toEqual([1]);
  });

  it("runs a firmware folder: boot.py, then main.py importing from lib/", async () => {
    const run = await cli(["run", join(FIXTURES, "folder.yaml"), "--quiet"]);
    expect(run.stdout).toMatch(/^PASS folder seed \d+\n$/);
    expect(run.code).toBe(0);
  });

  it("ends a run whose firmware spins without sleeping: one line naming the board, file and line, exit 1", async () => {
    const run = await cli(["run", join(FIXTURES, "runaway.yaml"), "--quiet"], { UMQTT_BENCH_RUNAWAY_MS: "1500" });
    expect(run.code).toBe(1);
    expect(run.stdout.trim()).toMatch(/^FAIL runaway seed \d+: board board1: main\.py ran [\d.]+s of wall time without sleeping or doing I\/O, stopped at main\.py line 5 /);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`${signal} during a runaway loop stops the process with the trace and report kept (exit 130)`, async () => {
      const trace = join(tmp, `runaway-${signal}.jsonl`);
      // No runaway limit within the test's time: only the signal can end this run.
      const child = spawn(process.execPath, [BIN, "run", join(FIXTURES, "runaway.yaml"), "--trace", trace], {
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, UMQTT_BENCH_RUNAWAY_MS: "600000" },
      });
      let out = "";
      let err = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (err += d));
      const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
      const deadline = Date.now() + 30_000;
      while (!err.includes("running runaway") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      // Let the VM reach its loop.
      await new Promise((r) => setTimeout(r, 1000));
      child.kill(signal);
      const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      const code = await exited;
      clearTimeout(killer);
      expect(code).toBe(130);
      expect(out).toContain("stopped before the scenario finished");
      const events = traceOf(trace);
      expect(events.some((e) => e.kind === "board" && e.board === "board1" && e.event === "boot")).toBe(true);
    });
  }
});
