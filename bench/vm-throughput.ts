// MicroPython VM throughput: virtual seconds per wall second for
// example_sub_led.py on one board driven by N on/off/toggle commands (one a
// second, QoS 1), next to the TypeScript port of the same firmware, and the
// same .py run with --coverage (line tracing on).
//
//   node --import tsx bench/vm-throughput.ts [--commands 1000] [--seed 7] [--rounds 3] [--baseline REF]
//
// Each figure is the median of --rounds runs, each in a fresh child process.
// Start-up (createSession: the broker, the VM loaded, the firmware compiled)
// is timed apart from the run; virtual/wall is the run's, "with start-up"
// counts both (earlier figures in docs/benchmarks.md counted both).
// --baseline REF also runs the .py firmware on the project as it was at git
// commit REF (extracted with `git archive` to a temporary folder, sharing this
// checkout's node_modules), alternating with the current code, and prints the
// before/after ratio from the same run.

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { scenarioText } from "./throughput.ts";
import { BENCH_DIR, describeMachine, emitResult, fixed, int, median, numberArg, REPO_DIR, runChild, table } from "./lib.ts";

type Variant = "py" | "ts" | "py-coverage";

interface RunFigures {
  status: string;
  failure?: string;
  virtualMs: number;
  /** createSession: the broker, the VM started, its firmware compiled. */
  startMs: number;
  /** From the session's start to its verdict. */
  wallMs: number;
  /** CPU time of the whole process (every thread) from the session's start to its verdict. */
  cpuMs: number;
}

/** One run in this (child) process, on the project found at `root`. */
async function runOnce(root: string, variant: Variant, commands: number, seed: number): Promise<RunFigures> {
  const { createSession } = (await import(pathToFileURL(join(root, "src/emulator/runner/session.ts")).href)) as typeof import("../src/emulator/runner/session.ts");
  const { parseScenarioText } = (await import(pathToFileURL(join(root, "src/emulator/scenario/parse.ts")).href)) as typeof import("../src/emulator/scenario/parse.ts");
  const scenario = parseScenarioText(scenarioText(commands, 1000, "example_sub_led", "wifi"), "bench/vm-throughput", BENCH_DIR);
  const options = { seed, speed: "max" as const, firmwareLang: variant === "ts" ? ("ts" as const) : ("py" as const), ...(variant === "py-coverage" ? { coverage: true } : {}) };
  const created = performance.now();
  const session = await createSession(scenario, options);
  const started = performance.now();
  const cpu = process.cpuUsage();
  const verdict = await session.verdict;
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  await session.stop();
  return {
    status: verdict.status,
    ...(verdict.failure ? { failure: verdict.failure } : {}),
    virtualMs: verdict.virtualMs,
    startMs: started - created,
    wallMs,
    cpuMs: (used.user + used.system) / 1000,
  };
}

const commands = numberArg("commands", 1000);
const seed = numberArg("seed", 7);
const rounds = Math.max(1, numberArg("rounds", 3));
const childAt = process.argv.indexOf("--child");
if (childAt >= 0) {
  const root = process.argv[process.argv.indexOf("--root") + 1]!;
  emitResult(await runOnce(root, process.argv[childAt + 1] as Variant, commands, seed));
  process.exit(0);
}

const baselineAt = process.argv.indexOf("--baseline");
const baselineRef = baselineAt >= 0 ? process.argv[baselineAt + 1] : undefined;

/** The project at `ref`, extracted to a temporary folder that uses this checkout's node_modules. */
function extract(ref: string): string {
  const dir = mkdtempSync(join(tmpdir(), "umqtt-bench-baseline-"));
  const archive = execFileSync("git", ["archive", "--format=tar", ref], { cwd: REPO_DIR, maxBuffer: 1 << 30 });
  execFileSync("tar", ["-x", "-C", dir], { input: archive });
  symlinkSync(join(REPO_DIR, "node_modules"), join(dir, "node_modules"));
  return dir;
}

const runs: { label: string; root: string; variant: Variant }[] = [
  { label: "example_sub_led.py (VM)", root: REPO_DIR, variant: "py" },
  { label: "example_sub_led.ts", root: REPO_DIR, variant: "ts" },
  { label: "example_sub_led.py (VM) --coverage", root: REPO_DIR, variant: "py-coverage" },
];
let baselineDir: string | undefined;
if (baselineRef) {
  baselineDir = extract(baselineRef);
  runs.unshift({ label: `example_sub_led.py (VM) at ${baselineRef}`, root: baselineDir, variant: "py" });
}

const loadBefore = loadavg()[0]!;
const results = new Map<string, RunFigures[]>();
try {
  // Rounds alternate the variants, so a change in the machine's load falls on all of them.
  for (let round = 0; round < rounds; round++) {
    for (const run of runs) {
      const figures = await runChild<RunFigures>("vm-throughput.ts", ["--child", run.variant, "--root", run.root, "--commands", String(commands), "--seed", String(seed)], {
        timeoutMs: 1_200_000,
      });
      results.set(run.label, [...(results.get(run.label) ?? []), figures]);
    }
  }
} finally {
  if (baselineDir) rmSync(baselineDir, { recursive: true, force: true });
}

console.log(`example_sub_led, ${commands} commands, wifi profile, seed ${seed}, median of ${rounds} alternating rounds; ${describeMachine()}`);
console.log(`load average ${fixed(loadBefore, 1)} at start, ${fixed(loadavg()[0]!, 1)} at end`);
const rows = runs.map((run) => {
  const list = results.get(run.label)!;
  const wall = median(list.map((r) => r.wallMs));
  const cpu = median(list.map((r) => r.cpuMs));
  const start = median(list.map((r) => r.startMs));
  const failed = list.find((r) => r.status !== "pass");
  return { label: run.label, status: failed ? failed.status : "pass", failure: failed?.failure, virtualMs: list[0]!.virtualMs, wall, cpu, start };
});
console.log(
  table(
    ["firmware", "result", "start-up s", "virtual s", "run wall s", "virtual/wall", "with start-up", "wall ms/command", "CPU ms/command"],
    rows.map((r) => [
      r.label,
      r.status,
      fixed(r.start / 1000, 2),
      fixed(r.virtualMs / 1000, 1),
      fixed(r.wall / 1000, 2),
      `${int(r.virtualMs / r.wall)}x`,
      `${int(r.virtualMs / (r.wall + r.start))}x`,
      fixed(r.wall / commands, 2),
      fixed(r.cpu / commands, 2),
    ]),
  ),
);
for (const r of rows) if (r.failure) console.log(`${r.label}: ${r.failure}`);
const py = rows.find((r) => r.label === "example_sub_led.py (VM)")!;
const covered = rows.find((r) => r.label.endsWith("--coverage"))!;
console.log(`--coverage costs ${fixed(covered.wall / py.wall, 2)}x the wall time of the same run without it`);
if (baselineRef) {
  const before = rows[0]!;
  console.log(`now vs ${baselineRef}: ${fixed(before.wall / py.wall, 2)}x faster in wall time, ${fixed(before.cpu / py.cpu, 2)}x less CPU`);
}
