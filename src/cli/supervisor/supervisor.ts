// `umqtt-bench run`'s supervisor: runs the session on its own thread and
// stays in charge from the main thread. Trace events arrive as they happen
// and are kept (and written to --trace by the caller), so whatever the
// session thread does (finish, hang in firmware that never yields, die), the
// run ends with a result: the session's own, or one rebuilt from the events.

import type { Worker } from "node:worker_threads";
import type { SessionOptions } from "../../emulator/runner/session.ts";
import type { RunResult } from "../../emulator/runner/result.ts";
import { moduleBeside, startTsWorker } from "../../emulator/runner/ts-worker.ts";
import type { Scenario } from "../../emulator/scenario/types.ts";
import { Trace } from "../../emulator/trace.ts";
import { resultFromTrace } from "./fallback-result.ts";
import type { BoardInfo, FromSessionThread, SessionRun, SessionThreadData, ToSessionThread } from "./protocol.ts";
import { createHeartbeat, Watchdog } from "./watchdog.ts";
import { removeBundlesAtExit } from "../../emulator/firmware/bundle-folder.ts";

/** Wall time without a heartbeat after which firmware is declared stuck. */
export const DEFAULT_STALL_MS = 5_000;
/** The same while the scenario loads (board files, firmware modules, thousands of boards). */
const LOADING_STALL_MS = 60_000;
/** How long a stop waits for the session thread's own result before rebuilding it. */
const STOP_GRACE_MS = 700;

/** A problem found while loading the scenario on the session thread (exit 2 or 3, like an in-process load). */
export class LoadError extends Error {
  constructor(
    override readonly name: string,
    message: string,
    readonly threadStack?: string,
  ) {
    super(message);
  }
}

export interface SupervisedOutcome {
  result: RunResult;
  boards: readonly BoardInfo[];
  /** The session thread had to be abandoned (stuck firmware, died, second Ctrl-C). */
  abandoned?: string;
  /** The bench's own code failed (exit 3); its stack. */
  internalError?: string;
}

export interface SupervisorOptions {
  stallMs?: number;
  /**
   * An idle reusable session thread (startReusableSessionThread) to run on
   * instead of starting one. When the run ends cleanly and left nothing
   * behind on it, `reusableThread` hands it back; otherwise it is ended.
   */
  thread?: Worker;
}

/** A session thread that takes runs one after another (sweeps): see session-thread.ts. */
export function startReusableSessionThread(): Worker {
  // Its TypeScript firmware is bundled into a temporary folder (emulator/firmware/compiled.ts).
  removeBundlesAtExit();
  return startSessionThread({ reusable: true });
}

function startSessionThread(data: SessionThreadData): Worker {
  const worker = startTsWorker(moduleBeside("./session-thread.ts", import.meta.url), data, { stdout: true });
  // Firmware's console output goes to stderr: stdout carries the report (or --json).
  worker.stdout.pipe(process.stderr, { end: false });
  return worker;
}

export class Supervisor {
  readonly trace = new Trace();
  private readonly worker: Worker;
  private readonly watchdog: Watchdog;
  private readonly startedWall = performance.now();
  private boards: BoardInfo[] = [];
  private broker = "";
  private clock: "virtual" | "real" = "virtual";
  private isReady = false;
  private settled = false;
  private resolveOutcome!: (outcome: SupervisedOutcome) => void;
  private resolveReady!: () => void;
  /** Resolves when the scenario has loaded and the run starts (never, if loading fails). */
  readonly ready: Promise<void> = new Promise((resolve) => (this.resolveReady = resolve));
  private rejectOutcome!: (error: Error) => void;
  private graceTimer: NodeJS.Timeout | undefined;
  private internalError: string | undefined;
  private released: Worker | undefined;
  private readonly onMessage = (message: FromSessionThread): void => this.receive(message);
  private readonly onError = (error: Error): void => this.failed(error);
  private readonly onExit = (code: number): void => {
    this.internalError = `exit code ${code}`;
    this.abandon(`internal error: the session thread ended unexpectedly (exit code ${code})`, "fail");
  };
  /** Resolves with the run's outcome; rejects with a LoadError when the scenario could not load. */
  readonly outcome: Promise<SupervisedOutcome>;

  constructor(
    private readonly scenario: Scenario,
    private readonly options: Omit<SessionOptions, "trace">,
    supervisorOptions: SupervisorOptions = {},
  ) {
    this.outcome = new Promise((resolve, reject) => {
      this.resolveOutcome = resolve;
      this.rejectOutcome = reject;
    });
    const heartbeat = createHeartbeat();
    const run: SessionRun = { scenario, options, heartbeat };
    if (supervisorOptions.thread) {
      this.worker = supervisorOptions.thread;
      this.worker.postMessage({ type: "run", run } satisfies ToSessionThread);
    } else {
      this.worker = startSessionThread(run);
    }
    this.worker.on("message", this.onMessage);
    this.worker.on("error", this.onError);
    this.worker.on("exit", this.onExit);
    const stallMs = supervisorOptions.stallMs ?? DEFAULT_STALL_MS;
    // Firmware runs only once the session is ready; building thousands of boards may hold the thread longer.
    this.watchdog = new Watchdog(
      heartbeat,
      () => (this.isReady ? stallMs : LOADING_STALL_MS),
      (index, stalledMs) => this.stalled(index, stalledMs),
    );
  }

  /** The thread this run used, handed back for another run (a reusable thread whose run ended cleanly); undefined otherwise. */
  get reusableThread(): Worker | undefined {
    return this.released;
  }

  private failed(error: Error): void {
    if ((error as NodeJS.ErrnoException).code === "ERR_WORKER_OUT_OF_MEMORY") {
      // Firmware scheduling without yielding (sleep_ms without await in a loop) fills memory before the watchdog fires.
      const board = this.lastBoard();
      this.abandon(`the run ran out of memory${board ? `; ${board}'s firmware ran last (a loop that never awaits?)` : ""}`, "fail");
      return;
    }
    this.internalError = error.stack ?? error.message;
    this.abandon(`internal error: the session thread failed: ${error.name}: ${error.message}`, "fail");
  }

  private receive(message: FromSessionThread): void {
    if (this.settled) return;
    switch (message.type) {
      case "event":
        this.trace.emit(message.event);
        return;
      case "ready":
        this.isReady = true;
        this.boards = message.boards;
        this.broker = message.broker;
        this.clock = message.clock;
        this.resolveReady();
        return;
      case "result":
        if (message.reusable === true) this.released = this.worker;
        this.settle({ result: message.result, boards: this.boards });
        return;
      case "internal-error":
        this.internalError = message.stack ?? message.message;
        this.abandon(`internal error: ${message.message}`, "fail");
        return;
      case "load-error":
        this.settled = true;
        this.cleanUp();
        this.rejectOutcome(new LoadError(message.name, message.message, message.stack));
        return;
    }
  }

  private lastBoard(): string | undefined {
    const index = this.watchdog.lastBoardIndex();
    return index !== undefined && this.isReady ? this.scenario.boards[index]?.name : undefined;
  }

  private stalled(index: number | undefined, stalledMs: number): void {
    const seconds = Math.round(stalledMs / 1000);
    const who = index !== undefined && this.isReady ? this.scenario.boards[index]?.name : undefined;
    const what = who
      ? `${who} has not yielded for ${seconds} s of wall time: its firmware runs without awaiting (a loop with no await, or awaiting only resolved promises)`
      : `the session has not responded for ${seconds} s of wall time${this.isReady ? "" : " while loading the firmware"}`;
    this.abandon(what, "fail");
  }

  /**
   * Ctrl-C or SIGTERM: ask the session to stop and report; if it does not
   * answer quickly (stuck firmware) or `now` is set (a second Ctrl-C), rebuild
   * the result from the events received so far.
   */
  stop(now = false): void {
    if (this.settled) return;
    if (now || !this.isReady) {
      this.abandon("stopped before the scenario finished", "fail");
      return;
    }
    this.worker.postMessage({ type: "stop" } satisfies ToSessionThread);
    this.graceTimer ??= setTimeout(() => this.abandon("stopped before the scenario finished", "fail"), STOP_GRACE_MS);
  }

  private abandon(reason: string, status: RunResult["status"]): void {
    if (this.settled) return;
    const result = resultFromTrace({
      scenario: this.scenario,
      seed: this.options.seed,
      broker: this.broker || (this.options.brokerUrl ?? "embedded aedes"),
      clock: this.clock,
      boards: this.boards,
      events: this.trace.events,
      status,
      failure: reason,
      wallMs: performance.now() - this.startedWall,
    });
    this.settle({ result, boards: this.boards, abandoned: reason, internalError: this.internalError });
  }

  private settle(outcome: SupervisedOutcome): void {
    if (this.settled) return;
    this.settled = true;
    this.cleanUp();
    this.resolveOutcome(outcome);
  }

  private cleanUp(): void {
    this.watchdog.stop();
    clearTimeout(this.graceTimer);
    this.worker.off("message", this.onMessage);
    this.worker.off("exit", this.onExit);
    this.worker.off("error", this.onError);
    // terminate() stops even a thread stuck in a loop (V8 interrupts it).
    if (!this.released) void this.worker.terminate();
  }
}
