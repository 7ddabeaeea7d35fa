// `umqtt-bench run` without a session thread, for scenarios whose boards all
// run .py firmware. The session thread exists to stop TypeScript firmware
// that never yields; MicroPython firmware runs on each VM's own worker thread,
// whose runaway watchdog (vm-host.ts) ends a board that spins, so nothing
// firmware does can hold this thread. Skipping the thread saves loading the
// emulator and the broker a second time (a few hundred ms of every start),
// and lets the first VM boot while they load.
// Same promises as the Supervisor: every outcome ends with a result.

import type { Session, SessionOptions } from "../../emulator/runner/session.ts";
import type { Scenario } from "../../emulator/scenario/types.ts";
import { Trace } from "../../emulator/trace.ts";
import { pythonFirmware } from "../../micropython/firmware/firmware-files.ts";
import { bootFirstVmEarly } from "../../micropython/host/vm-early-boot.ts";
import { discardEarlyLaunch } from "../../micropython/host/vm-launch.ts";
import { resultFromTrace } from "./fallback-result.ts";
import { boardInfos, type BoardInfo } from "./protocol.ts";
import { timing } from "../../timing.ts";
import type { SupervisedOutcome } from "./supervisor.ts";

/** How long a stop waits for the session's own result before rebuilding it (as the Supervisor). */
const STOP_GRACE_MS = 700;

/** True when every board runs MicroPython firmware (then no board can hold the thread its session runs on). */
export function pythonOnly(scenario: Scenario, options: Pick<SessionOptions, "firmwareLang">): boolean {
  try {
    return scenario.boards.every((b) => pythonFirmware(b.firmware, scenario.baseDir, options.firmwareLang) !== undefined);
  } catch {
    // A firmware that cannot be found: the supervised path reports it as it always has.
    return false;
  }
}

export class InProcessRun {
  readonly trace = new Trace();
  private readonly startedWall = performance.now();
  private session: Session | undefined;
  private boards: BoardInfo[] = [];
  private settled = false;
  private stopping = false;
  private graceTimer: NodeJS.Timeout | undefined;
  private internalError: string | undefined;
  private resolveOutcome!: (outcome: SupervisedOutcome) => void;
  private resolveReady!: () => void;
  /** Resolves when the scenario has loaded and the run starts (never, if loading fails). */
  readonly ready: Promise<void> = new Promise((resolve) => (this.resolveReady = resolve));
  /** Resolves with the run's outcome; rejects with the loading error for bad input (exit 2 or 3). */
  readonly outcome: Promise<SupervisedOutcome>;
  /** An error nothing caught is the bench's own (no firmware runs on this thread): exit 3, with the report. */
  private readonly uncaught = (error: unknown): void => {
    this.internalError = error instanceof Error ? (error.stack ?? error.message) : String(error);
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.abandon(`internal error: ${message}`);
  };

  constructor(
    private readonly scenario: Scenario,
    private readonly options: Omit<SessionOptions, "trace">,
  ) {
    process.on("uncaughtException", this.uncaught);
    process.on("unhandledRejection", this.uncaught);
    this.outcome = new Promise((resolve, reject) => {
      this.resolveOutcome = resolve;
      this.load().catch((error: unknown) => {
        if (this.settled) return;
        this.settled = true;
        this.cleanUp();
        reject(error);
      });
    });
  }

  private async load(): Promise<void> {
    // The first VM boots while the emulator and the broker load (vm-early-boot.ts).
    bootFirstVmEarly(this.scenario, this.options);
    let session: Session;
    try {
      const { createSession } = await import("../../emulator/runner/session.ts");
      timing("main", "emulator loaded");
      session = await createSession(this.scenario, { ...this.options, trace: this.trace });
    } finally {
      discardEarlyLaunch();
    }
    if (this.settled) {
      // Stopped (Ctrl-C) while loading: the result is already rebuilt; end what was started.
      void session.stop();
      return;
    }
    this.session = session;
    this.boards = boardInfos(session);
    this.resolveReady();
    void session.verdict.then(() => this.finish());
  }

  private async finish(): Promise<void> {
    if (this.stopping || !this.session) return;
    this.stopping = true;
    try {
      const result = await this.session.stop();
      this.settle({ result, boards: this.boards });
    } catch (error) {
      this.uncaught(error);
    }
  }

  /** Ctrl-C or SIGTERM: the session's own result if it comes quickly, else (or at once with `now`) one rebuilt from the trace. */
  stop(now = false): void {
    if (this.settled) return;
    if (now || !this.session) {
      this.abandon("stopped before the scenario finished");
      return;
    }
    void this.finish();
    this.graceTimer ??= setTimeout(() => this.abandon("stopped before the scenario finished"), STOP_GRACE_MS);
  }

  private abandon(reason: string): void {
    if (this.settled) return;
    const result = resultFromTrace({
      scenario: this.scenario,
      seed: this.options.seed,
      broker: this.session?.broker ?? (this.options.brokerUrl ?? "embedded aedes"),
      clock: this.session?.clockKind ?? (this.options.realtime || this.options.brokerUrl ? "real" : "virtual"),
      boards: this.boards,
      events: this.trace.events,
      status: "fail",
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
    clearTimeout(this.graceTimer);
    process.removeListener("uncaughtException", this.uncaught);
    process.removeListener("unhandledRejection", this.uncaught);
  }
}
