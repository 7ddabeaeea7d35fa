// A test double for the runner: a BenchSession whose boards are plain state
// objects, backed by a real Trace. It exists only so the watch view's
// components can be tested without booting firmware; the end-to-end test
// (watch.e2e.test.ts) drives the real runner through the real CLI.
//
// Like the real runner, changing a pin updates the board state and then emits
// the pin event on the trace; the view reads the state through BoardView and
// uses the trace to know that something changed.

import type { RunResult } from "../../src/emulator/runner/result.ts";
import type { FaultKind, Scenario } from "../../src/emulator/scenario/types.ts";
import type { BenchSession, BoardView, ButtonView, HeapView, LedView, NetworkView, Speed } from "../../src/emulator/runner/session-api.ts";
import { Trace } from "../../src/emulator/trace.ts";

export interface FakeBoardSpec {
  name: string;
  leds?: LedView[];
  buttons?: ButtonView[];
}

export class FakeBoard implements BoardView {
  model = "esp8266";
  firmware = "example_fw";
  leds: LedView[];
  buttons: ButtonView[];
  readonly levels = new Map<string, 0 | 1>();
  readonly pressed = new Set<string>();
  heapView: HeapView = { budget: 36000, used: 9000, free: 27000, largestFree: 20000, peakUsed: 12000 };
  net: NetworkView = {
    profile: "wifi",
    latencyMs: 40,
    connected: true,
    partitioned: false,
    wifiUp: true,
    connections: 1,
    resets: 0,
    faults: 0,
  };

  constructor(
    readonly name: string,
    spec: FakeBoardSpec,
  ) {
    this.leds = spec.leds ?? [{ name: "led", pin: 2, activeLow: true, color: "blue" }];
    this.buttons = spec.buttons ?? [{ name: "button", pin: 0, key: "space" }];
    for (const led of this.leds) this.levels.set(led.name, led.activeLow ? 1 : 0);
  }

  ledLit(led: string): boolean {
    const view = this.leds.find((l) => l.name === led);
    if (!view) throw new Error(`no LED ${led}`);
    const level = this.levels.get(led) ?? 0;
    return view.activeLow ? level === 0 : level === 1;
  }

  buttonPressed(button: string): boolean {
    return this.pressed.has(button);
  }

  heap(): HeapView {
    return this.heapView;
  }

  network(): NetworkView {
    return this.net;
  }
}

export interface Call {
  method: string;
  args: unknown[];
}

export class FakeSession implements BenchSession {
  readonly trace = new Trace();
  readonly seed = 42;
  readonly boards: FakeBoard[];
  readonly scenario: Scenario;
  readonly calls: Call[] = [];
  speed: Speed = 1;
  paused = false;
  /** Virtual time: follows the wall clock (at 1x) while not paused, like the runner at speed 1. */
  private virtualBase = 0;
  private wallBase = performance.now();
  stopped = 0;
  private settle!: (r: RunResult) => void;
  readonly verdict: Promise<RunResult>;

  constructor(boards: FakeBoardSpec[] = [{ name: "board1" }, { name: "board2" }]) {
    this.boards = boards.map((b) => new FakeBoard(b.name, b));
    this.scenario = {
      name: "fake_pair",
      description: "test double",
      source: "fake_pair",
      baseDir: ".",
      timeoutMs: 30_000,
      boards: boards.map((b) => ({ name: b.name, board: "esp8266", firmware: "example_fw", params: {} })),
      steps: [
        { type: "wait-serial", board: "board2", text: "ready", timeoutMs: 1000 },
        { type: "press", board: "board1", control: "button", holdMs: 100 },
        { type: "wait-pin", target: { board: "board2", led: "led" }, value: 1, timeoutMs: 2000 },
      ],
    };
    this.verdict = new Promise((resolve) => {
      this.settle = resolve;
    });
  }

  board(name: string): FakeBoard {
    const b = this.boards.find((x) => x.name === name);
    if (!b) throw new Error(`no board ${name}`);
    return b;
  }

  /** Drive an LED the way a board does: change the pin, then trace it. */
  setLed(board: string, led: string, lit: boolean): void {
    const b = this.board(board);
    const view = b.leds.find((l) => l.name === led)!;
    const level: 0 | 1 = lit !== view.activeLow ? 1 : 0;
    b.levels.set(led, level);
    this.trace.emit({ t: this.virtualMs, kind: "pin", board, pin: Number(view.pin), value: level, role: "led", name: led });
  }

  result(status: RunResult["status"] = "pass"): RunResult {
    return {
      scenario: this.scenario.name,
      source: this.scenario.source,
      status,
      seed: this.seed,
      broker: "embedded",
      clock: "virtual",
      virtualMs: this.virtualMs,
      wallMs: 1,
      steps: [],
      boards: [],
      notes: [],
    };
  }

  finish(status: RunResult["status"] = "pass"): void {
    this.settle(this.result(status));
  }

  get virtualMs(): number {
    return this.paused ? this.virtualBase : this.virtualBase + (performance.now() - this.wallBase);
  }
  now(): number {
    return this.virtualMs;
  }
  setSpeed(speed: Speed): void {
    this.calls.push({ method: "setSpeed", args: [speed] });
    this.speed = speed;
  }
  pause(): void {
    this.calls.push({ method: "pause", args: [] });
    this.virtualBase = this.virtualMs;
    this.paused = true;
  }
  resume(): void {
    this.calls.push({ method: "resume", args: [] });
    this.wallBase = performance.now();
    this.paused = false;
  }
  pressButton(board: string, button: string): void {
    this.calls.push({ method: "pressButton", args: [board, button] });
    this.board(board).pressed.add(button);
  }
  releaseButton(board: string, button: string): void {
    this.calls.push({ method: "releaseButton", args: [board, button] });
    this.board(board).pressed.delete(button);
  }
  injectFault(board: string, fault: FaultKind): void {
    this.calls.push({ method: "injectFault", args: [board, fault] });
    this.board(board).net.faults++;
  }
  async publish(topic: string, payload: string): Promise<void> {
    this.calls.push({ method: "publish", args: [topic, payload] });
    this.trace.emit({ t: this.virtualMs, kind: "mqtt", board: "bench", dir: "out", type: "publish", fields: { topic, payload, qos: 0 }, raw: "" });
  }
  async stop(): Promise<RunResult> {
    this.calls.push({ method: "stop", args: [] });
    this.stopped++;
    const r = this.result("fail");
    this.settle(r);
    return this.verdict;
  }

  callsTo(method: string): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }
}
