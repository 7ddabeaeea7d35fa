// `umqtt-bench run <scenario> --target serial:PATH`: the scenario on a real
// board (src/bridge/target), with the report, --json, --junit and --trace of
// an emulated run, plus what happened to the user's files on the board.
// Ctrl-C stops the firmware, puts the files back and reports (exit 130).

import { writeFileSync } from "node:fs";
import type { RunResult } from "../../emulator/runner/result.ts";
import { Trace } from "../../emulator/trace.ts";
import { resolveScenario } from "../../emulator/scenario/resolve.ts";
import { runOnTarget, type TargetRun } from "../../bridge/target/run-on-target.ts";
import { describeBoard } from "../../bridge/target/prepare.ts";
import { EXIT } from "../exit-codes.ts";
import { UsageError } from "../errors.ts";
import { humanReport } from "../report/human.ts";
import { junitReport } from "../report/junit.ts";
import { reproduceCommand } from "../report/reproduce.ts";
import { sessionOptionsFrom, type RunFlags } from "../session-options.ts";
import { claimSignals, signalsReceived } from "../signals.ts";
import { TraceFile } from "../trace-file.ts";

export interface TargetFlags extends RunFlags {
  target: string;
  wifi?: string;
  json?: boolean;
  junit?: string;
  trace?: string;
  quiet?: boolean;
}

/** Flags of an emulated run that mean nothing on a real board. */
const EMULATOR_ONLY: [keyof TargetFlags, string][] = [
  ["net", "--net"],
  ["netSet", "--net-set"],
  ["umqtt", "--umqtt"],
  ["realtime", "--realtime"],
  ["firmwareLang", "--firmware-lang"],
];

export function parseWifi(text: string): { ssid: string; password: string } {
  const colon = text.indexOf(":");
  if (colon <= 0) throw new UsageError(`--wifi: expected SSID:PASSWORD, got "${text}"`);
  return { ssid: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** The report's lines about the board and the user's files. */
function targetLines(run: TargetRun): string[] {
  const lines = [`target ${run.port}: ${describeBoard(run.board)}`];
  for (const f of run.recovered.filter((r) => r.restored)) lines.push(`  your ${f.path}, left in ${f.keptAt} by an earlier run that did not finish, was put back first`);
  for (const f of run.moved) {
    lines.push(
      f.restored
        ? `  your ${f.path} was kept in ${f.keptAt} during the run and is back in place`
        : `  your ${f.path} is NOT back in place: it is kept in ${f.keptAt} on the board (the next run puts it back)`,
    );
  }
  return lines;
}

export async function runTargetCommand(scenarioArg: string, flags: TargetFlags, prepareOutput: (flag: string, path: string) => void, exitCodeFor: (r: RunResult) => number): Promise<void> {
  let interrupts = signalsReceived();
  const controller = new AbortController();
  let traceFile: TraceFile | undefined;
  const release = claimSignals((count) => {
    interrupts = count;
    controller.abort();
    if (count > 1) {
      // A second Ctrl-C: no waiting for the board; what was recorded is written, the next run tidies the board.
      traceFile?.close();
      process.stderr.write("stopped at once: the board keeps the bench's main.py until the next run puts yours back\n");
      process.exit(EXIT.interrupted);
    }
  });
  try {
    for (const [flag, name] of EMULATOR_ONLY) {
      if (flags[flag] !== undefined && flags[flag] !== false && !(Array.isArray(flags[flag]) && flags[flag].length === 0)) throw new UsageError(`${name} does not apply to --target: a real board has its own network and umqtt`);
    }
    const wifi = flags.wifi === undefined ? undefined : parseWifi(flags.wifi);
    // The flags an emulated run and a target run share, read the same way (--seed, --timeout, --board, --broker).
    const { seed, timeoutMs, boardModel, boardModels, brokerUrl } = sessionOptionsFrom(flags, { speed: "max" });
    const scenario = resolveScenario(scenarioArg);
    if (flags.junit) prepareOutput("--junit", flags.junit);
    if (flags.trace) prepareOutput("--trace", flags.trace);
    const trace = new Trace();
    traceFile = flags.trace ? new TraceFile(flags.trace, trace) : undefined;
    if (interrupts > 0) controller.abort();
    const stage = flags.json || flags.quiet ? undefined : (line: string) => process.stderr.write(`${line}\n`);
    let run: TargetRun;
    try {
      run = await runOnTarget(scenario, {
        target: flags.target,
        seed,
        timeoutMs,
        brokerUrl,
        wifi,
        boardModel,
        boardModels,
        trace,
        signal: controller.signal,
        onStage: stage,
      });
    } finally {
      traceFile?.close();
    }
    const { result } = run;
    const reproduce = `${reproduceCommand(scenarioArg, flags, seed)} --target ${flags.target}${wifi ? ` --wifi '${wifi.ssid}:…'` : ""}`;
    if (flags.junit) {
      try {
        writeFileSync(flags.junit, junitReport(result, trace.events));
      } catch (error) {
        throw new UsageError(`--junit ${flags.junit}: cannot write (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
      }
    }
    if (flags.json) {
      const target = { port: run.port, board: run.board, moved: run.moved, recovered: run.recovered, skipped: run.skipped };
      process.stdout.write(`${JSON.stringify({ ...result, target }, null, 2)}\n`);
    } else if (flags.quiet) {
      process.stdout.write(`${result.status.toUpperCase()} ${result.scenario} on ${run.port}${result.failure ? `: ${result.failure}` : ""}\n`);
    } else {
      const activeLow = (board: string, led: string): boolean => run.leds.find((l) => l.board === board && l.name === led)?.activeLow ?? false;
      process.stdout.write(`${[...targetLines(run), humanReport(result, trace.events, activeLow, reproduce)].join("\n")}\n`);
    }
    process.exitCode = run.interrupted || interrupts > 0 ? EXIT.interrupted : exitCodeFor(result);
  } finally {
    release();
  }
}
