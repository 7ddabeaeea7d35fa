// Runs the pack: each check on the device, then on the prediction side (the
// emulator, for the board model), and compares what each observed.

import type { TraceEvent } from "../emulator/trace.ts";
import { checkScenario, type Check } from "./pack.ts";
import { compare, observe, type CheckStatus, type Observed, type Row } from "./results.ts";
import type { CheckRun, ScenarioRunner } from "./runner.ts";

export interface SideOutcome extends Observed {
  /** The run's own verdict and wall time. */
  status: string;
  wallMs: number;
  /** The board's serial output, for JUnit. */
  serial: string[];
}

export interface CheckOutcome {
  check: Check;
  status: CheckStatus;
  rows: Row[];
  device: SideOutcome;
  prediction: SideOutcome;
}

export interface PackOptions {
  device: ScenarioRunner;
  prediction: ScenarioRunner;
  /** One line of progress (a check starting, a bisection probe). */
  progress?: (line: string) => void;
  /** Checked between runs: true once the pack was interrupted. */
  interrupted?: () => boolean;
}

export interface PackOutcome {
  checks: CheckOutcome[];
  /** The pack stopped early (Ctrl-C, or `error`): the checks not run. */
  notRun: string[];
  /** What stopped the pack, when a side could not run a check at all (the board unplugged, a bad board file). */
  error?: Error;
}

function side(run: CheckRun): SideOutcome {
  const serial = run.events.flatMap((e) => (e.kind === "print" ? [e.text] : []));
  return { ...observe(run.result, run.events), status: run.result.status, wallMs: run.result.wallMs, serial };
}

/** Progress lines from a check's own output: its bisection bounds and probes. */
function follow(progress: PackOptions["progress"], prefix: string): (event: TraceEvent) => void {
  return (event) => {
    if (!progress || event.kind !== "print") return;
    if (event.text.startsWith("probe ") || event.text.startsWith("info ")) progress(`${prefix}${event.text.replace(/^info /, "")}`);
  };
}

export async function runPack(checks: readonly Check[], options: PackOptions): Promise<PackOutcome> {
  const outcomes: CheckOutcome[] = [];
  const { progress } = options;
  let error: Error | undefined;
  try {
    for (const [i, check] of checks.entries()) {
      if (options.interrupted?.()) break;
      const scenario = checkScenario(check);
      const head = `[${i + 1}/${checks.length}] ${check.id}`;
      // The device first: a board that has gone away stops the pack before a prediction is spent on it.
      progress?.(`${head}: device (${options.device.label})`);
      const device = side(await options.device.run(scenario, follow(progress, `    device: `)));
      if (options.interrupted?.()) break;
      progress?.(`${head}: prediction (${options.prediction.label})`);
      const prediction = side(await options.prediction.run(scenario, follow(progress, `    prediction: `)));
      if (options.interrupted?.()) break;
      const rows = compare(check, device, prediction);
      const status: CheckStatus = rows.every((r) => r.match) ? "match" : "mismatch";
      progress?.(`${head}: ${status}`);
      outcomes.push({ check, status, rows, device, prediction });
    }
  } catch (thrown) {
    // The checks done so far are still reported; the caller then reports the error.
    error = thrown instanceof Error ? thrown : new Error(String(thrown));
  }
  return { checks: outcomes, notRun: checks.slice(outcomes.length).map((c) => c.id), ...(error ? { error } : {}) };
}
