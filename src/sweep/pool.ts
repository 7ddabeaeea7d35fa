// Runs a sweep's seeds, `jobs` at a time. Each seed is a `run` of its own: a
// Supervisor with its own watchdog, so a runaway or crashing firmware ends
// that seed's run (with the same verdict `run` gives) and the sweep goes on.
// The pool keeps up to `jobs` session threads and runs seeds on them one after
// another: starting a thread and loading the emulator, the broker and tsx cost
// several times a seed's own run. A thread is reused only when its last seed
// ended with its own result and left nothing behind (session-thread.ts); a
// seed that ran away, crashed the thread, was stopped or left a timer or a
// global behind ends its thread, and the next seed gets a new one.

import type { SessionOptions } from "../emulator/runner/session.ts";
import type { RunResult } from "../emulator/runner/result.ts";
import type { Scenario } from "../emulator/scenario/types.ts";
import type { TraceEvent } from "../emulator/trace.ts";
import type { Worker } from "node:worker_threads";
import { startReusableSessionThread, Supervisor, type SupervisorOptions } from "../cli/supervisor/supervisor.ts";

/**
 * Seeds a thread runs before it is replaced. Each seed imports its firmware
 * afresh (a new module instance, and tsx registers a loader for it), and
 * those stay in the thread, so each seed costs a little more than the one
 * before: 400 seeds took 27% less CPU with a new thread every 100 than on
 * one thread, and 100 did better than 40 (docs/benchmarks.md).
 */
export const SEEDS_PER_THREAD = 100;

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
  /** Called as each seed finishes (in completion order), with its trace. */
  onDone?: (done: UnitDone, events: readonly TraceEvent[]) => void;
  onStart?: (unit: SweepUnit) => void;
  /** Start each seed on a new thread, as before threads were reused (for comparisons: bench/, tests). */
  freshThreads?: boolean;
}

export class SweepPool {
  private readonly running = new Map<SweepUnit, Supervisor>();
  private stopping = false;
  private stopNow = false;
  /** Session threads waiting for their next seed. */
  private readonly idle: Worker[] = [];
  private readonly seedsRun = new WeakMap<Worker, number>();
  /** How many session threads the pool started (a figure for tests and the bench). */
  threadsStarted = 0;

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
          const thread = this.config.freshThreads ? undefined : this.takeThread();
          const supervisor = new Supervisor(this.config.scenarios[unit.scenarioIndex]!, { ...this.config.options, seed: unit.seed }, { ...this.config.supervisor, thread });
          this.running.set(unit, supervisor);
          supervisor.outcome.then(
            (outcome) => {
              this.running.delete(unit);
              const reusable = supervisor.reusableThread;
              if (reusable) this.release(reusable);
              // A seed stopped by Ctrl-C (or by another seed's load error) did not run to its verdict: it is not reported as failing.
              if (!this.stopping && !failed) {
                const finished: UnitDone = { unit, result: outcome.result, internalError: outcome.internalError };
                done.push(finished);
                this.config.onDone?.(finished, supervisor.trace.events);
              }
              settle();
            },
            (error: unknown) => {
              this.running.delete(unit);
              if (!failed) {
                failed = true;
                for (const other of this.running.values()) other.stop(true);
                const end = (): void => {
                  this.endIdleThreads();
                  reject(error);
                };
                this.running.size === 0 ? end() : void Promise.allSettled([...this.running.values()].map((s) => s.outcome)).then(end);
              }
            },
          );
        }
      };
      const settle = (): void => {
        if (failed) return;
        launch();
        if (this.running.size === 0 && (this.stopping || next >= this.units.length)) {
          this.endIdleThreads();
          resolve({ done, interrupted: this.stopping });
        }
      };
      launch();
      settle();
    });
  }

  /** An idle session thread, or a new one. */
  private takeThread(): Worker {
    const idle = this.idle.pop();
    if (idle) return idle;
    const thread = startReusableSessionThread();
    this.threadsStarted++;
    // While it waits between seeds no supervisor listens: a thread that ends or fails then is dropped.
    const drop = (): void => {
      const at = this.idle.indexOf(thread);
      if (at >= 0) this.idle.splice(at, 1);
    };
    thread.on("exit", drop);
    thread.on("error", drop);
    return thread;
  }

  /** Back to the idle threads, or ended once it has run its share of seeds. */
  private release(thread: Worker): void {
    const runs = (this.seedsRun.get(thread) ?? 0) + 1;
    this.seedsRun.set(thread, runs);
    if (runs < SEEDS_PER_THREAD) this.idle.push(thread);
    else void thread.terminate();
  }

  private endIdleThreads(): void {
    for (const thread of this.idle.splice(0)) void thread.terminate();
  }

  /** Ctrl-C: start nothing more and stop the running seeds (`now`: without waiting for their own reports). */
  stop(now = false): void {
    this.stopping = true;
    if (now) this.stopNow = true;
    for (const supervisor of this.running.values()) supervisor.stop(this.stopNow);
  }
}
