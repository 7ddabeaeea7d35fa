// Speed-up of `umqtt-bench sweep` with 2 jobs over 1: the same seeds of
// example_sub_led through the real command (a child process each time), the
// job counts alternated so machine load falls on both alike. The figure is
// the sweep's own wall time (its report's wallMs: from the first seed's start
// to the last seed's verdict), with the process's whole time beside it.
//
//   node --import tsx bench/sweep.ts [--seeds 12] [--rounds 2] [--lang py|ts] [--max-jobs 2]

import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describeMachine, fixed, median, numberArg, REPO_DIR, table } from "./lib.ts";

const seeds = numberArg("seeds", 12);
const rounds = numberArg("rounds", 2);
const maxJobs = numberArg("max-jobs", 2);
const langAt = process.argv.indexOf("--lang");
const lang = langAt < 0 ? "ts" : process.argv[langAt + 1]!;
const BIN = join(REPO_DIR, "bin/umqtt-bench.js");

interface Sample {
  sweepMs: number;
  processMs: number;
  passed: number;
}

function sweepOnce(jobs: number): Sample {
  const started = performance.now();
  let stdout: string;
  try {
    stdout = execFileSync(process.execPath, [BIN, "sweep", "example_sub_led", "--seeds", `1..${seeds}`, "--jobs", String(jobs), "--firmware-lang", lang, "--json"], {
      encoding: "utf8",
      timeout: 900_000,
    });
  } catch (error) {
    // Exit 1 (a failing seed) still prints the report.
    stdout = (error as { stdout?: string }).stdout ?? "";
  }
  const report = JSON.parse(stdout) as { wallMs: number; passed: number };
  return { sweepMs: report.wallMs, processMs: performance.now() - started, passed: report.passed };
}

console.log(`sweep: example_sub_led (${lang} firmware), seeds 1..${seeds}, ${rounds} round(s) of 1..${maxJobs} jobs alternated`);
console.log(describeMachine());
const samples = new Map<number, Sample[]>();
for (let round = 0; round < rounds; round++) {
  for (let jobs = 1; jobs <= maxJobs; jobs++) {
    const sample = sweepOnce(jobs);
    samples.set(jobs, [...(samples.get(jobs) ?? []), sample]);
    console.log(`  round ${round + 1}, ${jobs} job(s): ${fixed(sample.sweepMs / 1000, 2)} s sweep, ${fixed(sample.processMs / 1000, 2)} s process, ${sample.passed}/${seeds} passed`);
  }
}
const base = median(samples.get(1)!.map((s) => s.sweepMs));
const rows = [...samples].map(([jobs, list]) => {
  const sweepMs = median(list.map((s) => s.sweepMs));
  return [String(jobs), `${fixed(sweepMs / 1000, 2)} s`, `${fixed((seeds * 1000) / sweepMs, 2)}`, `${fixed(base / sweepMs, 2)}x`];
});
console.log("");
console.log(table(["jobs", "sweep wall (median)", "seeds/s", "speed-up vs 1 job"], rows));
