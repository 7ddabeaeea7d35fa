// The host side of one board's MicroPython VM: starts its worker, answers
// its calls with the board's modules, and keeps it on the run's clock.
//
// Determinism: a VM message is never handled when it arrives (arrival order
// between threads is up to the OS). Every message the host sends to the VM
// takes a clock hold (time stands still while the VM runs) and schedules a
// clock timer one slice later; that timer handles the VM's next message,
// which has arrived by then because the hold kept the clock from firing it.
// So each bridged call costs SLICE_MS of virtual time, the order of messages
// from several VMs is the timers' order, and a firmware polling a pin with
// no sleep still sees time pass.

import type { MessagePort, Worker } from "node:worker_threads";
import { clearTimeout as clearTimeoutUntracked, setTimeout as setTimeoutUntracked } from "node:timers";
import { availableParallelism } from "node:os";
import type { Board } from "../../emulator/board/board.ts";
import type { TimerHandle } from "../../emulator/clock/clock.ts";
import { OSError, MQTTException } from "../../client/errors.ts";
import { DEFAULT_UMQTT_VERSION, type UmqttVersion } from "../../client/versions.ts";
import { allOps, HOST_MODULES } from "../modules/registry.ts";
import { boardInit } from "./vm-init.ts";
import { launchFor, type VmLaunch } from "./vm-launch.ts";
import { recycleWorker, vmWorkerReuseEnabled } from "./vm-recycle.ts";
import { interruptVm, type InterruptWords } from "../vm-interrupt.ts";
import { LineCoverage, type FileCoverage } from "../coverage/line-coverage.ts";
import { Handles, type HostModule, type Op, type VmContext } from "../modules/context.ts";
import type { BoardFiles, ReplInit, ReplMessage } from "../repl-protocol.ts";
import { REPLY_DONE, REPLY_INVOKE, REPLY_RAISE, type HeapFigures, type HostMessage, type ReplyCode, type Value, type VmMessage, type WorkerInit } from "../protocol.ts";

/** Virtual time one bridged call costs: 1/64 ms (about a pin read in MicroPython on an ESP32), exact in binary. */
export const SLICE_MS = 1 / 64;
/** Wall time a VM may run without a bridged call before it counts as a runaway loop. */
export const DEFAULT_RUNAWAY_MS = 5000;
/** Wall time a runaway VM gets to raise the KeyboardInterrupt that tells where it loops, before it is stopped regardless. */
const INTERRUPT_GRACE_MS = 1000;

/** Python exception types the host's errors map to by name. */
const PYTHON_ERRORS = new Set(["ValueError", "TypeError", "IndexError", "AttributeError", "AssertionError", "OverflowError", "MemoryError", "KeyError", "RuntimeError"]);

/**
 * An exception raised by a Python callable the host invoked; `key` lets the VM
 * re-raise the very same object. `argument` is set when the VM could not make
 * that argument (a MemoryError before the callable ran): its index in the
 * invocation's arguments.
 */
export class PythonCallbackError extends Error {
  constructor(
    readonly type: string,
    readonly key: number,
    message: string,
    readonly argument?: number,
  ) {
    super(message);
    this.name = type;
  }
}

export type VmEnd =
  | { how: "exit" }
  | { how: "crash"; detail: string }
  | { how: "runaway"; detail: string }
  | { how: "fault"; detail: string };

export interface VmHostOptions {
  board: Board;
  /** The board's filesystem: path -> contents. */
  files: Record<string, string | Uint8Array>;
  heapBudget?: number;
  /** The umqtt.simple release umqtt behaves as (default: the newest). */
  umqttVersion?: UmqttVersion;
  runawayMs?: number;
  /** The firmware ended (returned, raised, ran away, or the VM failed). */
  onEnd?: (end: VmEnd) => void;
  /** Host modules beyond the board's own (serve-board's REPL). */
  modules?: readonly HostModule[];
  /** Each line the VM prints (default: the board's serial output). */
  print?: (line: string) => void;
  /** Serve the board's REPL instead of running boot.py/main.py (repl-worker.ts). */
  repl?: ReplInit;
  /** In REPL mode: the board's files changed. */
  onFiles?: (files: BoardFiles) => void;
  /** Record which lines of the board's .py files run (the VM's settrace build). `sources`: board path -> host path. */
  coverage?: { sources?: Record<string, string> };
}

/** Wall time stop() waits for a VM running between two calls to wait again, before its worker is ended instead of kept. */
const RECYCLE_WAIT_MS = 1000;

/** VMs starting at once: more than the cores only makes every start slower (each compiles the wasm). */
const STARTS_AT_ONCE = Math.max(1, availableParallelism());
let starting = 0;
const startQueue: (() => void)[] = [];

async function startSlot(): Promise<() => void> {
  if (starting >= STARTS_AT_ONCE) await new Promise<void>((resolve) => startQueue.push(resolve));
  starting++;
  return () => {
    starting--;
    startQueue.shift()?.();
  };
}

/** The syntax problem found when the VM compiled the firmware (bad input). */
export class VmSyntaxError extends Error {
  override name = "VmSyntaxError";
}

type Reply = { code: ReplyCode; vals: Value[] };
type CallFrame = { kind: "call"; reply?: Reply };
type InvokeFrame = { kind: "invoke"; fn: number; args: Value[]; resolve: (v: Value) => void; reject: (e: Error) => void; unmade?: (argument: number) => void };

function raised(error: unknown): Reply {
  if (error instanceof PythonCallbackError) return { code: REPLY_RAISE, vals: [error.type, error.key, error.message] };
  if (error instanceof OSError) return { code: REPLY_RAISE, vals: ["OSError", 0, error.errno] };
  if (error instanceof MQTTException) return { code: REPLY_RAISE, vals: ["MQTTException", 0, error.code] };
  if (error instanceof Error && PYTHON_ERRORS.has(error.name)) {
    return { code: REPLY_RAISE, vals: error.message ? [error.name, 0, error.message] : [error.name, 0] };
  }
  return { code: REPLY_RAISE, vals: ["RuntimeError", 0, `bench internal error: ${(error as Error)?.message ?? String(error)}`] };
}

function done(value: Value | void): Reply {
  return { code: REPLY_DONE, vals: [value ?? null] };
}

export class VmHost {
  private readonly board: Board;
  private readonly launch: VmLaunch;
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly signal: Int32Array;
  private readonly ops: Map<string, Op>;
  private readonly context: VmContext;
  private readonly runawayMs: number;
  private readonly onEnd: (end: VmEnd) => void;
  private readonly ready: Promise<void>;
  private readonly frames: (CallFrame | InvokeFrame)[] = [];
  private readonly invokes: InvokeFrame[] = [];
  private inbox: VmMessage | undefined;
  /** The slice timer fired before the message arrived (a real clock has no holds): handle it on arrival. */
  private due = false;
  /** The VM is blocked and its last message handled: the host may send one message. */
  private waiting = false;
  private release: (() => void) | undefined;
  private runningSince: number | undefined;
  private slice: TimerHandle | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private ended = false;
  /** This worker may go back to vm-recycle.ts when the run ends (reuse is on, no REPL, no coverage). */
  private readonly reusable: boolean;
  /** The VM said "ready": from then until start() it waits for the host. */
  private readySeen = false;
  /** start() was called. */
  private started = false;
  /** The VM ended by itself (exit or crash) and now waits for the host: it can be recycled. */
  private endedIdle = false;
  /** The worker has been ended or handed back. */
  private released = false;
  /** Set while stop() waits for a running VM's next message to recycle its worker. */
  private recycleOnArrival: (() => void) | undefined;
  private file = "boot.py";
  private figures: HeapFigures;
  /** How to raise KeyboardInterrupt in the VM, once it reported it. */
  private interruptWords: InterruptWords | undefined;
  /** A runaway was found and KeyboardInterrupt raised to learn where: the VM's next message ends it. */
  private runaway: { seconds: number; since: number } | undefined;
  /** An answer that replaces the innermost call's own (VmContext.interrupt). */
  private interruption: Reply | undefined;
  private readonly lineCoverage: LineCoverage | undefined;
  private readonly print: (line: string) => void;
  /** The slice timer's callback, made once (one timer per bridged call). */
  private readonly onSlice = (): void => this.handle();

  private constructor(options: VmHostOptions) {
    this.board = options.board;
    this.runawayMs = options.runawayMs ?? (Number(process.env.UMQTT_BENCH_RUNAWAY_MS) || DEFAULT_RUNAWAY_MS);
    this.onEnd = options.onEnd ?? (() => {});
    this.print = options.print ?? ((line) => this.board.print(line));
    const budget = options.heapBudget ?? this.board.definition.heap.budget;
    this.figures = { budget, free: budget, used: 0, largestFree: budget };
    const modules = [...HOST_MODULES, ...(options.modules ?? [])];
    this.ops = allOps(modules);
    const handles = new Handles();
    this.context = {
      board: this.board,
      handles,
      umqttVersion: options.umqttVersion ?? DEFAULT_UMQTT_VERSION,
      invoke: (fn, args, unmade) => new Promise((resolve, reject) => {
        this.invokes.push({ kind: "invoke", fn, args, resolve, reject, unmade });
        this.flush();
      }),
      interrupt: (error) => {
        if (this.ended) return false;
        // A Python exception object the VM keeps, else a fresh one of the error's name (e.g. SoftReset).
        this.interruption = error instanceof PythonCallbackError ? raised(error) : { code: REPLY_RAISE, vals: error.message ? [error.name, 0, error.message] : [error.name, 0] };
        for (const f of this.invokes.splice(0)) f.reject(new Error("the VM was interrupted"));
        this.flush();
        return true;
      },
      alive: () => !this.ended,
      heap: () => this.figures,
      reboot: (kind) => {
        for (const m of HOST_MODULES) m.reset?.(this.context);
        handles.clear();
        this.board.boot(kind);
      },
    };
    const init = boardInit(this.board.definition, options);
    if (options.coverage) this.lineCoverage = new LineCoverage(options.coverage.sources);
    // The VM `run` booted early for this board, when it was given this very init (vm-launch.ts).
    const launch = launchFor(init);
    this.launch = launch;
    // A REPL or coverage VM keeps state the next board must not see: it is never kept.
    this.reusable = vmWorkerReuseEnabled() && !options.repl && !options.coverage;
    this.worker = launch.worker;
    this.port = launch.port;
    this.signal = launch.signal;
    this.ready = new Promise((resolve, reject) => {
      launch.attach({
        message: (value) => {
          const m = value as VmMessage | ReplMessage;
          if (m.t === "files") return options.onFiles?.(m.files);
          if (m.t === "ready") {
            this.readySeen = true;
            if (m.coverage) this.lineCoverage?.setFiles(m.coverage);
            if (m.syntax) reject(new VmSyntaxError(m.syntax));
            else resolve();
            return;
          }
          if (!this.readySeen && m.t === "end") {
            reject(new Error(`the VM did not start: ${m.detail ?? m.how}`));
            return;
          }
          this.arrive(m);
        },
        error: (error) => {
          reject(error);
          this.end({ how: "fault", detail: `the VM failed: ${error.message}` });
        },
        exit: () => reject(new Error("the VM worker exited during start-up")),
      });
    });
  }

  /** Starts the VM and compiles the firmware; rejects with VmSyntaxError for a firmware that does not compile. */
  static async create(options: VmHostOptions): Promise<VmHost> {
    const done = await startSlot();
    try {
      const host = new VmHost(options);
      try {
        await host.ready;
      } catch (error) {
        await host.stop();
        throw error;
      }
      return host;
    } finally {
      done();
    }
  }

  /** Heap figures as the VM last reported them. */
  heap(): HeapFigures {
    return this.figures;
  }

  /** Lines of the board's .py files that ran so far (coverage runs only). */
  coverage(): FileCoverage[] | undefined {
    return this.lineCoverage?.result();
  }

  /** Runs boot.py then main.py. */
  start(): void {
    this.started = true;
    this.send({ t: "start" });
    this.watchdog = setInterval(() => this.checkRunaway(), Math.min(250, this.runawayMs / 4));
    this.watchdog.unref();
  }

  /**
   * KeyboardInterrupt in a VM that is running Python (not blocked in a call
   * to the host) at its next backward jump, as Ctrl-C on a device's serial
   * line does. False when the VM is blocked in a call (answer it with
   * VmContext.interrupt instead) or cannot be interrupted this way.
   */
  interruptRunning(): boolean {
    if (this.ended || this.waiting || !this.interruptWords) return false;
    interruptVm(this.interruptWords);
    return true;
  }

  /** Ends the VM (the run is over, or it was interrupted). */
  async stop(): Promise<void> {
    const blocked = this.vmBlocked();
    // Between two bridged calls: it waits for the host again in a moment, unless it runs away.
    const between = !blocked && this.started && !this.ended && this.runaway === undefined;
    this.ended = true;
    this.settle();
    if (this.released) return;
    this.released = true;
    if (this.reusable && blocked) return this.handBack();
    if (this.reusable && between) return this.handBackOnNextMessage();
    await this.worker.terminate();
  }

  /**
   * The VM waits for the host in Atomics.wait: its firmware ended by itself,
   * or its last message arrived and nothing was sent since (the VM posts and
   * then waits; only the host's answer sets it running again).
   */
  private vmBlocked(): boolean {
    if (this.ended) return this.endedIdle;
    if (!this.readySeen) return false;
    return !this.started || (this.runaway === undefined && (this.waiting || this.inbox !== undefined));
  }

  /** Recycle the worker (vm-recycle.ts): its VM is blocked waiting for the host. */
  private handBack(): void {
    this.launch.detach();
    recycleWorker(this.worker);
    this.port.postMessage({ t: "recycle" } satisfies HostMessage);
    Atomics.add(this.signal, 0, 1);
    Atomics.notify(this.signal, 0);
    this.port.close();
  }

  /** The VM is running Python between two calls: recycle it when it next waits, or end it if it does not soon. */
  private handBackOnNextMessage(): void {
    // node:timers' own setTimeout, unref'd: the host's housekeeping, not a timer the run left behind (leftovers.ts).
    const giveUp = setTimeoutUntracked(() => {
      this.recycleOnArrival = undefined;
      void this.worker.terminate();
    }, RECYCLE_WAIT_MS);
    giveUp.unref();
    this.recycleOnArrival = () => {
      clearTimeoutUntracked(giveUp);
      this.recycleOnArrival = undefined;
      this.handBack();
    };
  }

  // ---- the message loop ---------------------------------------------------

  private send(message: HostMessage): void {
    this.port.postMessage(message);
    Atomics.add(this.signal, 0, 1);
    Atomics.notify(this.signal, 0);
    this.waiting = false;
    const { clock } = this.board;
    this.release = clock.hold?.("micropython");
    this.runningSince = performance.now();
    // On the wall clock nothing needs ordering between boards: the answer is handled as it arrives.
    if (clock.kind === "real") this.due = true;
    else this.slice = clock.setTimer(SLICE_MS, this.onSlice);
  }

  private arrive(message: VmMessage): void {
    if (this.ended) {
      // A "running" notice comes while the VM goes on; any other message means it waits now.
      if (this.recycleOnArrival && message.t !== "running") this.recycleOnArrival();
      return;
    }
    // Lines that ran are recorded on arrival: the run may end before the message is handled.
    if (message.t !== "ready" && message.t !== "running" && message.hits) this.lineCoverage?.add(message.hits);
    if (message.t === "running") {
      this.file = message.file;
      if (message.interrupt) this.interruptWords = message.interrupt;
      return;
    }
    if (this.runaway) {
      this.endRunaway(message);
      return;
    }
    this.inbox = message;
    this.runningSince = undefined;
    const release = this.release;
    this.release = undefined;
    release?.();
    if (this.due) {
      this.due = false;
      this.handle();
    }
  }

  private handle(): void {
    this.slice = undefined;
    if (this.ended) return;
    const message = this.inbox;
    if (message === undefined) {
      this.due = true;
      return;
    }
    this.inbox = undefined;
    if (message.t === "ready" || message.t === "running") return;
    for (const line of message.out) this.print(line);
    if (message.heap) this.figures = message.heap;
    switch (message.t) {
      case "call": {
        const frame: CallFrame = { kind: "call" };
        this.frames.push(frame);
        this.waiting = true;
        this.dispatch(frame, message.op, message.args);
        this.flush();
        return;
      }
      case "return": {
        const top = this.frames.pop();
        if (top?.kind !== "invoke") {
          this.end({ how: "fault", detail: "the VM returned from a call the host never made" });
          return;
        }
        this.waiting = true;
        if (message.code === 0) top.resolve(message.vals[0] ?? null);
        else {
          const [type, key, text, , made] = message.vals;
          // vals[4] counts the callable's id as value 0; `argument` counts the arguments after it.
          const argument = typeof made === "number" ? made - 1 : undefined;
          if (argument !== undefined) top.unmade?.(argument);
          top.reject(new PythonCallbackError(String(type), Number(key), String(text ?? ""), argument));
        }
        this.flush();
        return;
      }
      case "end":
        // After its own end (not a fault inside the bench) the VM waits for the host's recycle.
        if (message.how !== "fault") this.endedIdle = true;
        if (message.how === "exit") this.end({ how: "exit" });
        else this.end({ how: message.how, detail: message.detail ?? "" });
        return;
    }
  }

  private dispatch(frame: CallFrame, op: string, args: Value[]): void {
    if (this.interruption) return; // the call is answered by the interruption, not run
    const fn = this.ops.get(op);
    if (!fn) {
      frame.reply = raised(new Error(`no host operation ${op}`));
      return;
    }
    try {
      const result = fn(this.context, args);
      if (result instanceof Promise) {
        result.then(
          (value) => {
            frame.reply = done(value);
            this.flush();
          },
          (error: unknown) => {
            frame.reply = raised(error);
            this.flush();
          },
        );
      } else {
        frame.reply = done(result);
      }
    } catch (error) {
      frame.reply = raised(error);
    }
  }

  /** Sends what the VM, blocked in its innermost call, can take now: that call's answer, else a queued invocation. */
  private flush(): void {
    if (!this.waiting || this.ended) return;
    const top = this.frames[this.frames.length - 1];
    if (top?.kind !== "call") return;
    if (this.interruption) {
      top.reply = this.interruption;
      this.interruption = undefined;
    } else {
      // Queued invocations (timer callbacks, IRQs) run before the call returns: between bridged calls, as on a device.
      const invoke = this.invokes.shift();
      if (invoke) {
        this.frames.push(invoke);
        this.send({ t: "reply", code: REPLY_INVOKE, vals: [invoke.fn, ...invoke.args] });
        return;
      }
    }
    if (top.reply) {
      this.frames.pop();
      this.send({ t: "reply", code: top.reply.code, vals: top.reply.vals });
    }
  }

  private checkRunaway(): void {
    if (this.ended || this.runningSince === undefined) return;
    const now = performance.now();
    if (this.runaway) {
      // The firmware caught the KeyboardInterrupt and kept spinning.
      if (now - this.runaway.since >= INTERRUPT_GRACE_MS) this.end({ how: "runaway", detail: this.runawayDetail(this.runaway.seconds, "") });
      return;
    }
    const ran = now - this.runningSince;
    if (ran < this.runawayMs) return;
    const seconds = Math.round(ran / 100) / 10;
    if (!this.interruptWords) {
      this.end({ how: "runaway", detail: this.runawayDetail(seconds, "") });
      return;
    }
    // Ctrl-C, as on a device's serial line: the traceback says where the loop is.
    this.runaway = { seconds, since: now };
    interruptVm(this.interruptWords);
  }

  /** The VM's first message after the KeyboardInterrupt: print what it printed (the traceback), end naming where it looped. */
  private endRunaway(message: VmMessage): void {
    if (message.t === "ready" || message.t === "running") return;
    for (const line of message.out) this.print(line);
    let where = "";
    if (message.t === "end" && message.detail?.startsWith("KeyboardInterrupt")) where = message.where ?? "";
    if (message.t === "return" && message.vals[0] === "KeyboardInterrupt") where = String(message.vals[3] ?? "");
    this.end({ how: "runaway", detail: this.runawayDetail(this.runaway!.seconds, where) });
  }

  private runawayDetail(seconds: number, where: string): string {
    const at = where ? `, stopped at ${where}` : "";
    return `board ${this.board.name}: ${this.file} ran ${seconds}s of wall time without sleeping or doing I/O${at} (a loop with no time.sleep?); its VM was stopped`;
  }

  private settle(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = undefined;
    this.slice?.cancel();
    this.slice = undefined;
    const release = this.release;
    this.release = undefined;
    release?.();
    for (const f of [...this.frames, ...this.invokes]) if (f.kind === "invoke") f.reject(new Error("the VM stopped"));
    this.frames.length = 0;
    this.invokes.length = 0;
  }

  private end(end: VmEnd): void {
    if (this.ended) return;
    this.ended = true;
    this.settle();
    // Like a device whose main.py ended: its connections stay open until the run ends.
    // A kept worker's VM waits for stop() to recycle it; any other is ended now.
    if (!(this.reusable && this.endedIdle)) {
      this.released = true;
      void this.worker.terminate();
    }
    this.onEnd(end);
  }
}
