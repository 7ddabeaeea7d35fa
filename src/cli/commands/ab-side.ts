// One side of `umqtt-bench ab`: a scenario run on the emulator (or a board),
// its trace streamed to a file as it happens, its verdict kept for the report.

import type { SessionOptions } from "../../emulator/runner/session.ts";
import type { RunFlags } from "../session-options.ts";
import type { Scenario } from "../../emulator/scenario/types.ts";
import { Supervisor } from "../supervisor/supervisor.ts";
import { TraceFile } from "../trace-file.ts";
import { reproduceCommand } from "../report/reproduce.ts";
import { UsageError } from "../errors.ts";
import { EXIT } from "../exit-codes.ts";
import { Trace } from "../../emulator/trace.ts";
import { runOnTarget, type TargetOptions } from "../../bridge/target/run-on-target.ts";

export type SideTarget = { kind: "emulator" } | { kind: "serial"; target: string };

export interface SideOutcome {
  status: "pass" | "fail" | "timeout" | "interrupted";
  failure?: string;
  /** The command that runs this side alone (emulator sides). */
  reproduce?: string;
}

export interface RunningSide {
  outcome: Promise<SideOutcome>;
  /** Ctrl-C: end the run, keeping what it recorded; `now` for a second one. */
  stop(now: boolean): void;
}

/** `--a`/`--b` values: `emulator` or `serial:PATH`. */
export function parseSideTarget(flag: string, text: string): SideTarget {
  if (text === "emulator") return { kind: "emulator" };
  if (/^serial:./.test(text)) return { kind: "serial", target: text };
  throw new UsageError(`${flag}: expected emulator or serial:PORT (e.g. serial:/dev/ttyUSB0, serial:auto), got "${text}"`);
}

export function describeSide(target: SideTarget, flags: RunFlags): string {
  if (target.kind === "serial") return `board on ${target.target.slice("serial:".length)}`;
  const details = [
    flags.board?.length ? `board ${flags.board.join(", ")}` : undefined,
    flags.net ? `net ${flags.net}` : undefined,
    ...(flags.netSet ?? []).map((f) => `net ${f}`),
    flags.umqtt ? `umqtt ${flags.umqtt}` : undefined,
    flags.firmwareLang ? `firmware ${flags.firmwareLang}` : undefined,
    flags.seed ? `seed ${flags.seed}` : undefined,
  ].filter(Boolean);
  return `emulator${details.length ? ` (${details.join(", ")})` : ""}`;
}

export interface EmulatorSide {
  scenarioArg: string;
  scenario: Scenario;
  flags: RunFlags;
  /** From `flags`, checked before either side runs. */
  options: SessionOptions;
  tracePath: string;
  /** Called once the scenario has loaded and the run starts. */
  onStart: () => void;
}

/** Runs the scenario on the emulator, as `run` does (its own thread, under a supervisor), writing every event to `tracePath`. */
export function startEmulatorSide({ scenarioArg, scenario, flags, options, tracePath, onStart }: EmulatorSide): RunningSide {
  const supervisor = new Supervisor(scenario, options);
  const traceFile = new TraceFile(tracePath, supervisor.trace);
  void supervisor.ready.then(onStart);
  let stopped = false;
  const outcome = supervisor.outcome
    .then(({ result }): SideOutcome => ({
      status: stopped ? "interrupted" : result.status,
      failure: result.failure,
      reproduce: reproduceCommand(scenarioArg, flags, options.seed),
    }))
    .finally(() => traceFile.close());
  return {
    outcome,
    stop(now) {
      stopped = true;
      supervisor.stop(now);
    },
  };
}

export interface SerialSide {
  scenario: Scenario;
  /** What runOnTarget takes, without the trace and the signal (this side supplies them). */
  options: Omit<TargetOptions, "trace" | "signal">;
  tracePath: string;
  onStart: () => void;
}

/** Runs the scenario on a board over serial (run --target's runner), writing every event to `tracePath`. */
export function startSerialSide({ scenario, options, tracePath, onStart }: SerialSide): RunningSide {
  const trace = new Trace();
  const traceFile = new TraceFile(tracePath, trace);
  const controller = new AbortController();
  onStart();
  const outcome = runOnTarget(scenario, { ...options, trace, signal: controller.signal })
    .then(({ result, interrupted }): SideOutcome => ({ status: interrupted ? "interrupted" : result.status, failure: result.failure }))
    .finally(() => traceFile.close());
  return {
    outcome,
    stop(now) {
      controller.abort(); // stops the firmware and puts the user's files back, then the run returns what it recorded
      if (now) {
        // A second Ctrl-C: no waiting for the board (as run --target); what was recorded is written, the next run tidies the board.
        traceFile.close();
        process.stderr.write(`stopped at once: ${tracePath} has what was recorded; the board keeps the bench's main.py until the next run puts yours back\n`);
        process.exit(EXIT.interrupted);
      }
    },
  };
}
