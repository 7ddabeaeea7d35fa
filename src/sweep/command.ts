// What `umqtt-bench sweep` does (its flags: src/cli/commands/sweep.ts): each
// scenario once per seed, `jobs` runs at a time, each supervised like
// `run`. Reports the failing seeds grouped by how they failed, each with its
// reproduce line. Exit 0 when every seed passed, 1 otherwise, 2 bad input,
// 3 when the bench itself failed on a seed, 130 interrupted.

import { availableParallelism } from "node:os";
import { writeFileSync } from "node:fs";
import { resolveScenario } from "../emulator/scenario/resolve.ts";
import { EXIT } from "../cli/exit-codes.ts";
import { UsageError } from "../cli/errors.ts";
import { reproduceCommand } from "../cli/report/reproduce.ts";
import { sessionOptionsFrom, type RunFlags } from "../cli/session-options.ts";
import { claimSignals, signalsReceived } from "../cli/signals.ts";
import { parseJobs, parseSeeds } from "./seeds.ts";
import { parseShard, shardPositions } from "./shard.ts";
import { SweepPool, type SweepUnit } from "./pool.ts";
import { buildReport, outcomeKind, type SeedOutcome, type SweepReport } from "./report.ts";
import { sweepHumanReport, sweepSummaryLine } from "./human.ts";
import { sweepJunit } from "./junit.ts";
import { SweepProgress } from "./progress.ts";
import { prepareOutput } from "../cli/commands/run.ts";

export interface SweepFlags extends RunFlags {
  seeds: string;
  jobs?: string;
  shard?: string;
  shardCount?: string;
  json?: boolean;
  junit?: string;
  quiet?: boolean;
}

/** The flags that change what each run does, as the reproduce line carries them. */
export function runFlagsOf(flags: RunFlags): Record<string, unknown> {
  const keep: (keyof RunFlags)[] = ["board", "net", "netSet", "umqtt", "timeout", "realtime", "broker", "firmwareLang"];
  return Object.fromEntries(keep.filter((k) => flags[k] !== undefined).map((k) => [k, flags[k]]));
}

export async function sweepCommand(scenarioArgs: string[], flags: SweepFlags): Promise<void> {
  let interrupts = signalsReceived();
  let pool: SweepPool | undefined;
  const release = claimSignals((count) => {
    interrupts = count;
    pool?.stop(count > 1);
  });
  try {
    const seeds = parseSeeds(flags.seeds);
    const jobs = parseJobs(flags.jobs, availableParallelism());
    const shard = parseShard(flags.shard, flags.shardCount);
    const { seed: _seed, ...options } = sessionOptionsFrom({ ...flags, seed: "0" }, { speed: "max" });
    const scenarios = scenarioArgs.map((arg) => resolveScenario(arg));
    if (flags.junit) prepareOutput("--junit", flags.junit);

    const all: SweepUnit[] = [];
    scenarios.forEach((_, scenarioIndex) => seeds.forEach((seed) => all.push({ position: all.length, scenarioIndex, seed })));
    const units = shardPositions(all.length, shard).map((p) => all[p]!);
    const started = performance.now();
    const outcomes: SeedOutcome[] = [];
    const progress = flags.json || flags.quiet ? undefined : new SweepProgress(units.length, () => pool?.active ?? 0);
    pool = new SweepPool(units, {
      jobs,
      scenarios,
      options,
      // A new session thread for every seed, as sweeps ran before threads were kept (bench/sweep.ts compares).
      freshThreads: process.env.UMQTT_BENCH_SWEEP_FRESH_THREADS === "1",
      onDone: ({ unit, result }) =>
        progress?.seedDone(result.status === "pass", `${scenarioArgs[unit.scenarioIndex]} seed ${unit.seed}: ${result.status.toUpperCase()} ${outcomeKind(result.status, result.failure) ?? ""}`),
    });
    if (interrupts > 0) pool.stop(true);
    let internal = false;
    let interrupted: boolean;
    try {
      const ran = await pool.run();
      interrupted = ran.interrupted;
      for (const { unit, result, internalError } of ran.done) {
        const scenario = scenarioArgs[unit.scenarioIndex]!;
        if (internalError) internal = true;
        outcomes.push({
          position: unit.position,
          scenario,
          seed: unit.seed,
          status: result.status,
          ...(result.failure && result.status !== "pass" ? { failure: result.failure } : {}),
          ...(result.status !== "pass" ? { kind: outcomeKind(result.status, result.failure) } : {}),
          virtualMs: result.virtualMs,
          wallMs: Math.round(result.wallMs),
          ...(internalError ? { internalError: true } : {}),
          reproduce: reproduceCommand(scenario, { ...flags, seed: String(unit.seed) }, unit.seed),
        });
      }
    } finally {
      progress?.stop();
    }
    const report = buildReport({
      scenarios: scenarioArgs,
      seeds: flags.seeds,
      runFlags: runFlagsOf(flags),
      total: all.length,
      shards: shard ? [shard] : null,
      expected: units.length,
      results: outcomes,
      interrupted: interrupted || interrupts > 0,
      wallMs: Math.round(performance.now() - started),
      jobs,
    });
    writeOutputs(report, flags);
    process.exitCode = interrupts > 0 ? EXIT.interrupted : internal ? EXIT.internal : exitCodeForSweep(report);
  } finally {
    release();
  }
}

export function exitCodeForSweep(report: SweepReport): number {
  return report.status === "pass" ? EXIT.pass : report.status === "interrupted" ? EXIT.interrupted : EXIT.fail;
}

/** The report on stdout (human, --quiet or --json) and --junit; shared with `merge`. */
export function writeOutputs(report: SweepReport, flags: { json?: boolean; junit?: string; quiet?: boolean }, notes: readonly string[] = []): void {
  if (flags.junit) {
    try {
      writeFileSync(flags.junit, sweepJunit(report));
    } catch (error) {
      throw new UsageError(`--junit ${flags.junit}: cannot write (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  }
  if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else if (flags.quiet) process.stdout.write(`${sweepSummaryLine(report)}\n`);
  else process.stdout.write(`${sweepHumanReport(report, notes)}\n`);
}
