// A running scenario: the clock, the broker, the boards with their firmware,
// the bench's own clients, and the steps. `umqtt-bench run` drives it at full
// speed until a verdict; `umqtt-bench watch` drives it interactively.

import type { RunResult, RunStatus, StepResult } from "./result.ts";
import type { FaultKind, Scenario } from "../scenario/types.ts";
import { describeStep } from "../scenario/types.ts";
import type { BenchSession, BoardView, Speed } from "./session-api.ts";
import { Trace } from "../trace.ts";
import type { UmqttVersion } from "../../client/versions.ts";
import type { Clock, TimerHandle } from "../clock/clock.ts";
import { VirtualClock } from "../clock/virtual-clock.ts";
import { RealClock } from "../clock/real-clock.ts";
import { EmbeddedBroker } from "../broker/embedded.ts";
import { ExternalBroker } from "../broker/external.ts";
import type { BrokerLink } from "../broker/link.ts";
import { BenchClient } from "./bench-client.ts";
import { explainQuirks } from "./notes.ts";
import { BoardHost, createBoardHosts, createBenchTransport } from "./board-host.ts";
import { runSteps, StepFailure, type StepHost } from "./steps.ts";
import type { FirmwareWatch } from "./firmware-watch.ts";
import type { FirmwareWrapper } from "../../micropython/firmware/firmware-wrapper.ts";

export interface SessionOptions {
  seed: number;
  /** Wall clock instead of virtual time (always so with an external broker). */
  realtime?: boolean;
  /** Initial speed of a virtual clock: "max" for `run`, 1 for `watch`. */
  speed?: Speed;
  /** Overrides the scenario's deadline. */
  timeoutMs?: number;
  brokerUrl?: string;
  /** Board model for every board, or per board name. */
  boardModel?: string;
  boardModels?: Record<string, string>;
  /** Network profile for every board, and field overrides ("latencyMs=80"). */
  net?: string;
  netOverrides?: readonly string[];
  /** umqtt.simple release for every board, over the scenario's `umqtt` (`--umqtt`). */
  umqtt?: UmqttVersion;
  /** Built-in firmware in MicroPython (default) or its TypeScript port. */
  firmwareLang?: "py" | "ts";
  /** Record which lines of .py firmware run (BoardResult.coverage). */
  coverage?: boolean;
  /** Runs every board's .py firmware inside this code (BoardHostOptions.wrapFirmware). */
  wrapFirmware?: FirmwareWrapper;
  /** Keep trace events in memory (default true; false for huge runs that stream them). */
  keepTrace?: boolean;
  trace?: Trace;
  /** Told which board's firmware resumes (a supervisor's watchdog). */
  firmwareWatch?: FirmwareWatch;
}

export async function createSession(scenario: Scenario, options: SessionOptions): Promise<Session> {
  // A real clock starts now, so its run's wall time is counted from here too.
  const startedWall = performance.now();
  const trace = options.trace ?? new Trace(options.keepTrace ?? true);
  const realtime = options.realtime === true || options.brokerUrl !== undefined;
  const clock: Clock = realtime ? new RealClock() : new VirtualClock({ speed: options.speed ?? "max" });
  const broker: BrokerLink = options.brokerUrl
    ? await ExternalBroker.connect(options.brokerUrl)
    : await EmbeddedBroker.start({ clock, trace, onActivity: () => clock.markActivity?.() });
  try {
    const boards = await createBoardHosts(scenario, { ...options, clock, trace, broker });
    // A virtual run's wall time starts with the run, after loading; a real clock's time started above.
    return new Session(scenario, options, clock, trace, broker, boards, realtime ? startedWall : performance.now());
  } catch (error) {
    await broker.close();
    throw error;
  }
}

export class Session implements BenchSession {
  readonly verdict: Promise<RunResult>;
  private bench: BenchClient | undefined;
  private stepResults: StepResult[];
  private status: RunStatus | undefined;
  private failure: string | undefined;
  private finished = false;
  private stopped: Promise<RunResult> | undefined;
  private deadline: TimerHandle | undefined;
  private endedWall: number | undefined;
  private endedVirtual: number | undefined;
  private runningStep: number | undefined;
  private settleVerdict!: (result: RunResult) => void;

  constructor(
    readonly scenario: Scenario,
    private readonly options: SessionOptions,
    private readonly clock: Clock,
    readonly trace: Trace,
    private readonly brokerLink: BrokerLink,
    private readonly hosts: BoardHost[],
    private readonly startedWall = performance.now(),
  ) {
    this.stepResults = scenario.steps.map((step, index) => ({ index, description: describeStep(step), status: "skipped" }));
    this.verdict = new Promise((resolve) => (this.settleVerdict = resolve));
    for (const host of hosts) host.onFatal = (message) => this.finish("fail", message);
    this.followSteps();
    this.run();
  }

  get seed(): number {
    return this.options.seed;
  }

  get boards(): readonly BoardView[] {
    return this.hosts;
  }

  /** The boards with their firmware files, to attribute uncaught errors. */
  get boardHosts(): readonly BoardHost[] {
    return this.hosts;
  }

  now(): number {
    return this.clock.now();
  }

  /** The broker as reports name it. */
  get broker(): string {
    return this.brokerLink.label;
  }

  get clockKind(): "virtual" | "real" {
    return this.clock.kind;
  }

  get speed(): Speed {
    return this.clock instanceof VirtualClock ? this.clock.speed : 1;
  }

  setSpeed(speed: Speed): void {
    if (this.clock instanceof VirtualClock) this.clock.setSpeed(speed);
  }

  get paused(): boolean {
    return this.clock instanceof VirtualClock && this.clock.paused;
  }

  pause(): void {
    if (this.clock instanceof VirtualClock) this.clock.pause();
  }

  resume(): void {
    if (this.clock instanceof VirtualClock) this.clock.resume();
  }

  pressButton(board: string, button: string): void {
    this.host(board).setButton(button, true);
  }

  releaseButton(board: string, button: string): void {
    this.host(board).setButton(button, false);
  }

  /** An uncaught error of `board`'s firmware (from a timer or a promise nobody awaited): the board crashes. */
  crashBoard(board: string, error: unknown): void {
    this.host(board).crashWith(error);
  }

  injectFault(board: string, fault: FaultKind, durationMs?: number): void {
    this.host(board).injectFault(fault, durationMs);
  }

  async publish(topic: string, payload: string, qos: 0 | 1 = 0, retain = false): Promise<void> {
    if (!this.bench) throw new StepFailure("the bench's MQTT client is not connected yet");
    // Scenario files are checked when they load; this guards the watch view's publish.
    if (/[#+]/.test(topic)) throw new StepFailure(`"${topic}" has a wildcard (+ or #): publish to one topic`);
    await this.bench.publish(topic, payload, qos, retain);
  }

  private host(name: string): BoardHost {
    const host = this.hosts.find((h) => h.name === name);
    if (!host) throw new StepFailure(`no board named "${name}"`);
    return host;
  }

  /** Starts the clock, the bench clients and the firmware, then the steps. */
  private run(): void {
    if (this.clock instanceof VirtualClock) {
      this.clock.start((error) => this.finish("fail", `internal error in a timer: ${(error as Error).message}`));
    }
    const timeoutMs = this.options.timeoutMs ?? this.scenario.timeoutMs;
    this.deadline = this.clock.setTimer(timeoutMs, () => {
      if (this.runningStep !== undefined) {
        const step = this.stepResults[this.runningStep];
        this.stepResults[this.runningStep] = { ...step, status: "timeout", atMs: this.clock.now(), detail: "the run's deadline passed" };
      }
      this.finish("timeout", `deadline of ${timeoutMs / 1000}s (${this.clock.kind} time) passed`);
    });
    void this.startAndRunSteps();
  }

  /** Keeps step results current from the trace, so a deadline or a stop reports progress so far. */
  private followSteps(): void {
    this.trace.subscribe((e) => {
      if (e.kind !== "step" || this.finished) return;
      if (e.status === "start") {
        this.runningStep = e.index;
        this.stepResults[e.index] = { ...this.stepResults[e.index], startMs: e.t };
        return;
      }
      this.runningStep = undefined;
      this.stepResults[e.index] = { ...this.stepResults[e.index], status: e.status, atMs: e.t, detail: e.detail };
    });
  }

  private async startAndRunSteps(): Promise<void> {
    try {
      this.bench = await BenchClient.start(
        this.clock,
        this.trace,
        createBenchTransport(this.clock, this.trace, this.brokerLink, this.options.seed),
        this.brokerLink.host,
        this.brokerLink.port,
        this.options.seed,
      );
    } catch (error) {
      this.finish("fail", `the bench could not connect to ${this.brokerLink.label}: ${(error as Error).message}`);
      return;
    }
    for (const host of this.hosts) host.start();
    const failed = await runSteps(this.stepHost(), this.scenario.steps, () => this.finished);
    if (this.finished) return;
    this.finish(failed ? "fail" : "pass", failed ? `step ${failed.index + 1} failed: ${failed.description}: ${failed.detail}` : undefined);
  }

  private stepHost(): StepHost {
    return {
      clock: this.clock,
      trace: this.trace,
      setControl: (board, control, pressed) => this.host(board).setButton(control, pressed),
      pinLevel: (target) => ("led" in target ? (this.host(target.board).ledLit(target.led) ? 1 : 0) : this.host(target.board).pinLevel(target.pin)),
      injectFault: (board, fault, durationMs) => this.injectFault(board, fault, durationMs),
      heap: (board) => this.host(board).heap(),
      publish: (topic, payload, qos, retain) => this.publish(topic, payload, qos, retain),
      crashed: (board) => this.host(board).crashReason,
      boardNames: () => this.hosts.map((h) => h.name),
    };
  }

  private finish(status: RunStatus, failure?: string): void {
    if (this.finished) return;
    this.finished = true;
    this.status = status;
    this.failure = failure;
    this.endedVirtual = this.clock.now();
    this.endedWall = performance.now();
    this.deadline?.cancel();
    this.settleVerdict(this.result());
  }

  private result(): RunResult {
    return {
      scenario: this.scenario.name,
      source: this.scenario.source,
      status: this.status ?? "fail",
      seed: this.options.seed,
      broker: this.brokerLink.label,
      clock: this.clock.kind,
      virtualMs: this.endedVirtual ?? this.clock.now(),
      wallMs: (this.endedWall ?? performance.now()) - this.startedWall,
      steps: this.stepResults,
      boards: this.hosts.map((h) => h.result()),
      failure: this.failure,
      notes: explainQuirks(this.trace.events),
    };
  }

  stop(): Promise<RunResult> {
    this.stopped ??= (async () => {
      this.finish("fail", "stopped before the scenario finished");
      // Read the boards before tearing down, which closes their connections;
      // the teardown is not part of the run, so the trace ends here.
      // Bytes the boards wrote before the end still reach the wire and the trace.
      for (const host of this.hosts) host.board.network.flush();
      const final = this.result();
      this.trace.close();
      if (this.clock instanceof VirtualClock) this.clock.stop();
      this.bench?.stop();
      for (const host of this.hosts) host.stop();
      await this.brokerLink.close();
      return final;
    })();
    return this.stopped;
  }
}
