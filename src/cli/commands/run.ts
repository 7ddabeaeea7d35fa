// `umqtt-bench run <scenario>`: run to a verdict, report, exit 0/1/42.

import { writeFileSync } from "node:fs";
import { createSession } from "../../emulator/runner/session.ts";
import { resolveScenario } from "../../emulator/scenario/resolve.ts";
import type { RunResult } from "../../emulator/runner/result.ts";
import { EXIT } from "../exit-codes.ts";
import { UsageError } from "../errors.ts";
import { humanReport } from "../report/human.ts";
import { junitReport } from "../report/junit.ts";
import { Progress } from "../progress.ts";
import { sessionOptionsFrom, type RunFlags } from "../session-options.ts";
import { TraceFile } from "../trace-file.ts";

interface RunCommandFlags extends RunFlags {
  json?: boolean;
  junit?: string;
  trace?: string;
  quiet?: boolean;
}

export function exitCodeFor(result: RunResult): number {
  return result.status === "pass" ? EXIT.pass : result.status === "timeout" ? EXIT.timeout : EXIT.fail;
}

export async function runCommand(scenarioArg: string, flags: RunCommandFlags): Promise<void> {
  const scenario = resolveScenario(scenarioArg);
  const options = sessionOptionsFrom(flags, { speed: "max" });
  const session = await createSession(scenario, options);
  if (!flags.json && !flags.quiet) {
    process.stderr.write(`running ${scenario.name} (seed ${options.seed}) ...\n`);
  }
  const traceFile = flags.trace ? new TraceFile(flags.trace, session.trace) : undefined;
  const progress = flags.json || flags.quiet ? undefined : new Progress(session);
  // Ctrl-C ends the run like a verdict: the report and the files still get what was recorded.
  let interrupted = false;
  const interrupt = (): void => {
    interrupted = true;
    void session.stop();
  };
  process.once("SIGINT", interrupt);
  process.once("SIGTERM", interrupt);
  let result: RunResult;
  try {
    await session.verdict;
  } finally {
    process.removeListener("SIGINT", interrupt);
    process.removeListener("SIGTERM", interrupt);
    progress?.stop();
    result = await session.stop();
    traceFile?.close();
  }

  if (flags.junit) {
    try {
      writeFileSync(flags.junit, junitReport(result));
    } catch (error) {
      throw new UsageError(`--junit ${flags.junit}: cannot write (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  }
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else if (flags.quiet) {
    process.stdout.write(`${result.status.toUpperCase()} ${result.scenario} seed ${result.seed}${result.failure ? `: ${result.failure}` : ""}\n`);
  } else {
    const activeLow = (board: string, led: string): boolean =>
      session.boards.find((b) => b.name === board)?.leds.find((l) => l.name === led)?.activeLow ?? false;
    process.stdout.write(`${humanReport(result, session.trace.events, activeLow)}\n`);
  }
  process.exitCode = interrupted ? EXIT.interrupted : exitCodeFor(result);
}
