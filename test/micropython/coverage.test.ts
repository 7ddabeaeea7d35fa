// Line coverage of .py firmware (`run --coverage`): real VMs (the package's
// settrace build), the real CLI in a child process, and lcov's own parser
// when it is installed.
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runScenario } from "../runner/run-scenario.ts";
import type { FileCoverage } from "../../src/micropython/coverage/line-coverage.ts";

const BIN = join(import.meta.dirname, "../../bin/umqtt-bench.js");
const FIXTURES = join(import.meta.dirname, "fixtures");
const tmp = mkdtempSync(join(tmpdir(), "umqtt-bench-coverage-"));

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 120_000, env: { ...process.env, UMQTT_BENCH_DEBUG: "" } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

function fileOf(files: readonly FileCoverage[] | undefined, name: string): FileCoverage {
  const f = files?.find((x) => x.file === name);
  if (!f) throw new Error(`no coverage for ${name}: ${JSON.stringify(files?.map((x) => x.file))}`);
  return f;
}

const hasLcov = (() => {
  try {
    execFileSync("lcov", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
if (!hasLcov) {
  if (process.env.CI) throw new Error("lcov is required in CI (apt-get install lcov)");
  console.log("coverage.test.ts: lcov not installed (apt-get install lcov): the check with its parser is skipped");
}

describe("firmware line coverage", () => {
  it("a branch never taken and a function never called are uncovered; lines run by a Timer callback are covered", async () => {
    const { result } = await runScenario(join(FIXTURES, "coverage.yaml"), { seed: 1, speed: "max", coverage: true });
    expect(result.status).toBe("pass");
    // The firmware's own files only: not the params module the bench writes onto the board.
    expect(result.boards[0]!.coverage!.map((f) => f.file)).toEqual(["lib/helper.py", "main.py"]);
    const main = fileOf(result.boards[0]!.coverage, "main.py");
    const helper = fileOf(result.boards[0]!.coverage, "lib/helper.py");
    expect(main.source).toBe(join(FIXTURES, "coverage/main.py"));
    // `if n > 100:` ran, its body never did; the line after it did.
    expect(main.hit).toContain(16);
    expect(main.executable).toEqual(expect.arrayContaining([17, 18]));
    expect(main.hit).not.toContain(17);
    expect(main.hit).not.toContain(18);
    expect(main.hit).toContain(19);
    expect(main.hit).toContain(12); // tick(), called from the host's Timer
    // Comments and blank lines are not executable.
    expect(main.executable).not.toContain(1);
    expect(main.executable).not.toContain(6);
    expect(helper.hit).toEqual([2, 3, 6]);
    expect(helper.executable).toEqual([2, 3, 6, 7, 8]);
  });

  it("without --coverage there is none; with it the same seed gives the same verdict and the same trace but for heap figures", async () => {
    const plain = await runScenario("example_sub_led", { seed: 5, speed: "max" });
    const covered = await runScenario("example_sub_led", { seed: 5, speed: "max", coverage: true });
    expect(plain.result.boards[0]!.coverage).toBeUndefined();
    expect(covered.result.status).toBe(plain.result.status);
    expect(covered.result.steps.map((s) => s.status)).toEqual(plain.result.steps.map((s) => s.status));
    // The settrace build holds about 1 KB more of the heap (documented), so heap checkpoints carry other
    // figures; they fall at the same instants, and every other event is byte-identical.
    const heapFree = (events: typeof plain.events) => events.map((e) => (e.kind === "heap" ? { kind: e.kind, t: e.t, board: e.board } : e));
    expect(JSON.stringify(heapFree(covered.events))).toBe(JSON.stringify(heapFree(plain.events)));
    const main = fileOf(covered.result.boards[0]!.coverage, "main.py");
    expect(main.hit.length).toBeGreaterThan(20);
    expect(main.executable.length - main.hit.length).toBe(1); // the `finally:` body after an endless loop
  });

  it("run --coverage FILE writes an lcov file that lcov reads, and prints a per-file summary", async () => {
    const lcovFile = join(tmp, "cov", "firmware.lcov");
    const run = await cli(["run", join(FIXTURES, "coverage.yaml"), "--seed", "1", "--coverage", lcovFile]);
    expect(run.stderr).not.toMatch(/error/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/main\.py\s+19\/21 lines\s+90\.5%/);
    expect(run.stdout).toMatch(/helper\.py\s+3\/5 lines\s+60\.0%/);
    expect(run.stdout).toContain(`lcov: ${lcovFile}`);
    const text = readFileSync(lcovFile, "utf8");
    // The tracefile grammar: records of TN, SF, DA:line,count..., LF, LH, end_of_record.
    const records = text.trim().split("end_of_record\n").map((r) => r.replace(/end_of_record\n?$/, "").trim().split("\n"));
    expect(records).toHaveLength(2);
    for (const lines of records) {
      expect(lines[0]).toBe("TN:");
      expect(lines[1]).toMatch(/^SF:.+\.py$/);
      const da = lines.slice(2, -2);
      for (const l of da) expect(l).toMatch(/^DA:\d+,[01]$/);
      expect(lines.at(-2)).toBe(`LF:${da.length}`);
      expect(lines.at(-1)).toBe(`LH:${da.filter((l) => l.endsWith(",1")).length}`);
    }
    const main = records.find((r) => r[1]!.endsWith("coverage/main.py"))!;
    expect(main).toContain("DA:17,0");
    expect(main).toContain("DA:19,1");
    // lcov's own parser, when installed (CI installs it).
    if (hasLcov) {
      const summary = execFileSync("lcov", ["--summary", lcovFile], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      expect(summary).toMatch(/lines\.+: 84\.6% \(22 of 26 lines\)/);
    }
  });

  it("--coverage on TypeScript firmware is bad input: one line, exit 2, nothing run", async () => {
    const run = await cli(["run", join(FIXTURES, "coverage_ts.yaml"), "--firmware-lang", "ts", "--coverage", join(tmp, "ts.info")]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n")).toEqual([
      "umqtt-bench: --coverage: board board1 runs TypeScript firmware (example_sub_led); coverage is recorded for .py firmware only (for a built-in, drop --firmware-lang ts)",
    ]);
    expect(run.stdout).toBe("");
  });

  it("--coverage with --target (a real board) is bad input", async () => {
    const run = await cli(["run", "example_sub_led", "--target", "serial:/dev/null", "--coverage"]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n")).toEqual(["umqtt-bench: --coverage records lines run on emulated boards (the VM's sys.settrace); it does not go with --target"]);
  });

  it("an unwritable --coverage file is bad input before the run", async () => {
    const file = join(tmp, "a-file");
    writeFileSync(file, "");
    const run = await cli(["run", join(FIXTURES, "coverage.yaml"), "--coverage", join(file, "sub", "lcov.info")]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n")).toEqual([`umqtt-bench: --coverage ${join(file, "sub", "lcov.info")}: cannot write (ENOTDIR)`]);
  });
});
