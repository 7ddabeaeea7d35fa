// Speed-up of `umqtt-bench sweep` with 2 jobs over 1: the same seeds of
// example_sub_led through the real command (a child process each time), the
// job counts alternated so machine load falls on both alike. The figures are
// the sweep's own wall time (its report's wallMs: from the first seed's start
// to the last seed's verdict) and CPU time per seed (the child's user + sys,
// process start included, over the seeds: steadier than wall time on a
// shared machine). `--fresh` adds the same sweeps with a new session thread
// for every seed (UMQTT_BENCH_SWEEP_FRESH_THREADS=1, how sweeps ran before
// threads were kept), alternated with the rest. `--no-vm-reuse` adds the same
// sweeps on kept threads but with a new VM worker for every .py board
// (UMQTT_BENCH_VM_REUSE=0, how .py seeds ran before VM workers were kept).
//
// --json emits the kept threads' rows for bench/goals.ts.
//
//   node --import tsx bench/sweep.ts [--seeds 12] [--rounds 2] [--lang py|ts] [--max-jobs 2] [--fresh] [--no-vm-reuse] [--json]

import { spawnSync, execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { describeMachine, emitResult, fixed, median, numberArg, REPO_DIR, table } from "./lib.ts";
import type { SweepRow } from "./goals.ts";

const seeds = numberArg("seeds", 12);
const rounds = numberArg("rounds", 2);
const maxJobs = numberArg("max-jobs", 2);
const langAt = process.argv.indexOf("--lang");
const lang = langAt < 0 ? "ts" : process.argv[langAt + 1]!;
const modes = [
  "kept",
  ...(process.argv.includes("--fresh") ? ["fresh"] : []),
  ...(process.argv.includes("--no-vm-reuse") ? ["no-vm-reuse"] : []),
] as ("kept" | "fresh" | "no-vm-reuse")[];
const BIN = join(REPO_DIR, "bin/umqtt-bench.js");

type Mode = (typeof modes)[number];

interface Sample {
  sweepMs: number;
  processMs: number;
  /** The child's user + sys CPU time, ms; NaN where /proc is missing. */
  cpuMs: number;
  passed: number;
}

/** CPU time of this process's waited-for children so far (Linux /proc), ms. */
const TICKS_PER_S = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();
function childrenCpuMs(): number {
  try {
    // Fields after the command's name: cutime and cstime are the 14th and 15th.
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / TICKS_PER_S;
  } catch {
    return Number.NaN;
  }
}

function sweepOnce(jobs: number, mode: Mode): Sample {
  const cpuBefore = childrenCpuMs();
  const started = performance.now();
  const child = spawnSync(process.execPath, [BIN, "sweep", "example_sub_led", "--seeds", `1..${seeds}`, "--jobs", String(jobs), "--firmware-lang", lang, "--json"], {
    encoding: "utf8",
    timeout: 900_000,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, UMQTT_BENCH_SWEEP_FRESH_THREADS: mode === "fresh" ? "1" : "", UMQTT_BENCH_VM_REUSE: mode === "no-vm-reuse" ? "0" : "" },
  });
  const processMs = performance.now() - started;
  // Exit 1 (a failing seed) still prints the report.
  const report = JSON.parse(child.stdout) as { wallMs: number; passed: number };
  return { sweepMs: report.wallMs, processMs, cpuMs: childrenCpuMs() - cpuBefore, passed: report.passed };
}

const load = (): string => loadavg().map((l) => l.toFixed(2)).join(" ");
console.log(`sweep: example_sub_led (${lang} firmware), seeds 1..${seeds}, ${rounds} round(s) of 1..${maxJobs} jobs alternated, modes: ${modes.join(", ")}`);
console.log(describeMachine());
console.log(`load average at start: ${load()}`);
const samples = new Map<string, Sample[]>();
for (let round = 0; round < rounds; round++) {
  for (const mode of modes) {
    for (let jobs = 1; jobs <= maxJobs; jobs++) {
      const sample = sweepOnce(jobs, mode);
      const key = `${mode} ${jobs}`;
      samples.set(key, [...(samples.get(key) ?? []), sample]);
      console.log(
        `  round ${round + 1}, ${mode}, ${jobs} job(s): ${fixed(sample.sweepMs / 1000, 2)} s sweep, ${fixed(sample.processMs / 1000, 2)} s process, ` +
          `${fixed(sample.cpuMs / seeds, 0)} ms CPU a seed, ${sample.passed}/${seeds} passed`,
      );
    }
  }
}
console.log(`load average at end: ${load()}`);
const rows = [...samples].map(([key, list]) => {
  const [mode, jobs] = key.split(" ") as [Mode, string];
  const base = median(samples.get(`${mode} 1`)!.map((s) => s.sweepMs));
  const sweepMs = median(list.map((s) => s.sweepMs));
  const cpuMs = median(list.map((s) => s.cpuMs));
  const processMs = median(list.map((s) => s.processMs));
  return [mode, jobs, `${fixed(sweepMs / 1000, 2)} s`, `${fixed((seeds * 1000) / sweepMs, 2)}`, `${fixed(base / sweepMs, 2)}x`, `${fixed(cpuMs / seeds, 0)} ms`, fixed(cpuMs / processMs, 2)];
});
console.log("");
// Cores busy: the child's CPU time over its wall time. One job already keeps more than one core busy
// (its session thread, its firmware's loader or VM thread, the main thread), which bounds the speed-up of more jobs.
console.log(table(["mode", "jobs", "sweep wall (median)", "seeds/s", "speed-up vs 1 job", "CPU a seed (median, process start included)", "cores busy"], rows));

if (process.argv.includes("--json")) {
  const rows: SweepRow[] = [];
  for (let jobs = 1; jobs <= maxJobs; jobs++) {
    const list = samples.get(`kept ${jobs}`)!;
    rows.push({ lang, jobs, seeds, wallMs: median(list.map((s) => s.sweepMs)), coresBusy: median(list.map((s) => s.cpuMs)) / median(list.map((s) => s.processMs)) });
  }
  emitResult(rows);
}
