// `umqtt-bench run <scenario>`: run to a verdict, report, exit 0/1/42/130.
// A session with TypeScript firmware runs on its own thread under a
// supervisor (see supervisor/supervisor.ts), so no firmware can hang, end or
// crash the command before the report and files are written; one whose
// boards all run .py firmware runs here (supervisor/in-process.ts).

import { closeSync, mkdirSync, openSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { DEFAULT_LCOV_FILE, writeCoverage } from "../../micropython/coverage/write.ts";
import { resolveScenario } from "../../emulator/scenario/resolve.ts";
import { takeEarlyScenario } from "../early-run.ts";
import type { RunResult } from "../../emulator/runner/result.ts";
import { EXIT } from "../exit-codes.ts";
import { UsageError } from "../errors.ts";
import { humanReport } from "../report/human.ts";
import { junitReport } from "../report/junit.ts";
import { reproduceCommand } from "../report/reproduce.ts";
import { Progress } from "../progress.ts";
import { sessionOptionsFrom, type RunFlags } from "../session-options.ts";
import { claimSignals, signalsReceived } from "../signals.ts";
import { InProcessRun, pythonOnly } from "../supervisor/in-process.ts";
import { discardPrewarmedWorker } from "../../micropython/host/vm-prewarm.ts";
import { Supervisor } from "../supervisor/supervisor.ts";
import { TraceFile } from "../trace-file.ts";
import { timing } from "../../timing.ts";

interface RunCommandFlags extends RunFlags {
  /** serial:PATH or serial:auto: run on a real board (run-target.ts). */
  target?: string;
  wifi?: string;
  json?: boolean;
  junit?: string;
  trace?: string;
  quiet?: boolean;
  /** true: the default lcov file; a string: the lcov file to write. */
  coverage?: boolean | string;
}

export function exitCodeFor(result: RunResult): number {
  return result.status === "pass" ? EXIT.pass : result.status === "timeout" ? EXIT.timeout : EXIT.fail;
}

/** An output file's folder is created, and the file opened once, before the run: a bad path fails in a second, not after it. */
export function prepareOutput(flag: string, path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    closeSync(openSync(path, "a"));
  } catch (error) {
    throw new UsageError(`${flag} ${path}: cannot write (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

export async function runCommand(scenarioArg: string, flags: RunCommandFlags): Promise<void> {
  if (flags.target !== undefined && flags.coverage) {
    throw new UsageError("--coverage records lines run on emulated boards (the VM's sys.settrace); it does not go with --target");
  }
  if (flags.target !== undefined) {
    // The serial bridge loads only for a real board: an emulated run does not pay for the port bindings.
    const { runTargetCommand } = await import("./run-target.ts");
    return runTargetCommand(scenarioArg, { ...flags, target: flags.target }, prepareOutput, exitCodeFor);
  }
  if (flags.wifi !== undefined) throw new UsageError("--wifi goes with --target: an emulated board needs no Wi-Fi credentials");
  // Signals are ours from here on; one that came while the flags were read is not lost.
  let interrupts = signalsReceived();
  let supervisor: Supervisor | InProcessRun | undefined;
  const release = claimSignals((count) => {
    interrupts = count;
    supervisor?.stop(count > 1);
  });
  try {
    timing("main", "run command loaded");
    // Read once: the command line's early read (early-run.ts) kept it, unless there was none.
    const scenario = takeEarlyScenario(scenarioArg) ?? resolveScenario(scenarioArg);
    timing("main", "scenario resolved");
    const options = sessionOptionsFrom(flags, { speed: "max" });
    const lcovFile = flags.coverage === true ? DEFAULT_LCOV_FILE : flags.coverage || undefined;
    if (lcovFile !== undefined) {
      options.coverage = true;
      prepareOutput("--coverage", lcovFile);
    }
    if (flags.junit) prepareOutput("--junit", flags.junit);
    if (flags.trace) prepareOutput("--trace", flags.trace);
    // Only TypeScript firmware can hold the thread it runs on: .py-only scenarios need no session thread.
    if (pythonOnly(scenario, options)) supervisor = new InProcessRun(scenario, options);
    else {
      // TypeScript firmware runs on a session thread, which starts its own VM workers, if any.
      discardPrewarmedWorker();
      supervisor = new Supervisor(scenario, options);
    }
    if (interrupts > 0) supervisor.stop(true);
    void supervisor.ready.then(() => timing("main", "boards ready, run starts"));
    const traceFile = flags.trace ? new TraceFile(flags.trace, supervisor.trace) : undefined;
    if (!flags.json && !flags.quiet) {
      void supervisor.ready.then(() => process.stderr.write(`running ${scenario.name} (seed ${options.seed}) ...\n`));
    }
    const progress = flags.json || flags.quiet ? undefined : new Progress(supervisor.trace, scenario.steps.length);
    let outcome;
    try {
      outcome = await supervisor.outcome; // rejects with a LoadError for bad input found while loading
    } finally {
      progress?.stop();
      traceFile?.close();
    }
    timing("main", "run ended");
    const { result, boards } = outcome;
    const reproduce = reproduceCommand(scenarioArg, flags, options.seed);
    if (flags.junit) {
      try {
        writeFileSync(flags.junit, junitReport(result, supervisor.trace.events));
      } catch (error) {
        throw new UsageError(`--junit ${flags.junit}: cannot write (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
      }
    }
    let coverageLines: string[] = [];
    if (lcovFile !== undefined) {
      try {
        const written = writeCoverage(result.boards, lcovFile);
        coverageLines = [...written.summary, `lcov: ${written.path}`];
      } catch (error) {
        throw new UsageError(`--coverage ${lcovFile}: cannot write (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
      }
    }
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else if (flags.quiet) {
      process.stdout.write(`${result.status.toUpperCase()} ${result.scenario} seed ${result.seed}${result.failure ? `: ${result.failure}` : ""}\n`);
    } else {
      const activeLow = (board: string, led: string): boolean =>
        boards.find((b) => b.name === board)?.leds.find((l) => l.name === led)?.activeLow ?? false;
      process.stdout.write(`${humanReport(result, supervisor.trace.events, activeLow, reproduce)}\n`);
      if (coverageLines.length) process.stdout.write(`${coverageLines.join("\n")}\n`);
    }
    if (outcome.internalError && process.env.UMQTT_BENCH_DEBUG) process.stderr.write(`${outcome.internalError}\n`);
    process.exitCode = interrupts > 0 ? EXIT.interrupted : outcome.internalError ? EXIT.internal : exitCodeFor(result);
  } finally {
    release();
  }
}
