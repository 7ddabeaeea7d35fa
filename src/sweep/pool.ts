// Runs a sweep's seeds, `jobs` at a time. Each seed is a `run` of its own: a
// Supervisor with its own session thread and watchdog, so a runaway or
// crashing firmware ends that seed's run (with the same verdict `run` gives)
// and the sweep goes on. A fresh thread per seed also means no module state
// (a TypeScript firmware's globals, say) leaks from one seed into the next.

import type { SessionOptions } from "../emulator/runner/session.ts";
import type { RunResult } from "../emulator/runner/result.ts";
import type { Scenario } from "../emulator/scenario/types.ts";
import { Supervisor, type SupervisorOptions } from "../cli/supervisor/supervisor.ts";

export interface SweepUnit {
  position: number;
  scenarioIndex: number;
  seed: number;
}

export interface UnitDone {
  unit: SweepUnit;
  result: RunResult;
  internalError?: string;
}

export interface PoolOptions {
  jobs: number;
  scenarios: readonly Scenario[];
  options: Omit<SessionOptions, "trace" | "seed">;
  supervisor?: SupervisorOptions;
  /** Called as each seed finishes (in completion order). */
  onDone?: (done: UnitDone) => void;
  onStart?: (unit: SweepUnit) => void;
}

export class SweepPool {
  private readonly running = new Map<SweepUnit, Supervisor>();
  private stopping = false;
  private stopNow = false;

  constructor(
    private readonly units: readonly SweepUnit[],
    private readonly config: PoolOptions,
  ) {}

  /** How many seeds are running now. */
  get active(): number {
    return this.running.size;
  }

  /**
   * Runs every unit; resolves with the finished ones once all are done or a
   * stop has ended the running ones. Rejects with the first load error (bad
   * firmware, say: it would fail every seed the same way), after stopping the rest.
   */
  run(): Promise<{ done: UnitDone[]; interrupted: boolean }> {
    const done: UnitDone[] = [];
    let next = 0;
    return new Promise((resolve, reject) => {
      let failed = false;
      const launch = (): void => {
        while (!this.stopping && !failed && this.running.size < this.config.jobs && next < this.units.length) {
          const unit = this.units[next++]!;
          this.config.onStart?.(unit);
          const supervisor = new Supervisor(this.config.scenarios[unit.scenarioIndex]!, { ...this.config.options, seed: unit.seed }, this.config.supervisor);
          this.running.set(unit, supervisor);
          supervisor.outcome.then(
            (outcome) => {
              this.running.delete(unit);
              // A seed stopped by Ctrl-C (or by another seed's load error) did not run to its verdict: it is not reported as failing.
              if (!this.stopping && !failed) {
                const finished: UnitDone = { unit, result: outcome.result, internalError: outcome.internalError };
                done.push(finished);
                this.config.onDone?.(finished);
              }
              settle();
            },
            (error: unknown) => {
              this.running.delete(unit);
              if (!failed) {
                failed = true;
                for (const other of this.running.values()) other.stop(true);
                this.running.size === 0 ? reject(error) : void Promise.allSettled([...this.running.values()].map((s) => s.outcome)).then(() => reject(error));
              }
            },
          );
        }
      };
      const settle = (): void => {
        if (failed) return;
        launch();
        if (this.running.size === 0 && (this.stopping || next >= this.units.length)) resolve({ done, interrupted: this.stopping });
      };
      launch();
      settle();
    });
  }

  /** Ctrl-C: start nothing more and stop the running seeds (`now`: without waiting for their own reports). */
  stop(now = false): void {
    this.stopping = true;
    if (now) this.stopNow = true;
    for (const supervisor of this.running.values()) supervisor.stop(this.stopNow);
  }
}
