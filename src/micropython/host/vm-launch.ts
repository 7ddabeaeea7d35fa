// Starting a board's VM worker, apart from the host that will drive it, so a
// VM can begin booting before the run has built its board (early boot, used
// by `umqtt-bench run`: the VM boots while the command loads the broker and
// the emulator). A launch is told everything the VM needs (BoardInit), posts
// it, and keeps what the worker says until its VmHost attaches.
//
// A VmHost takes the early launch only when the early one was given exactly
// the init the host would give (isDeepStrictEqual), so a VM booted early is
// the VM the host would have booted: same files, glue, heap budget, platform.

import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";
import { isDeepStrictEqual } from "node:util";
import { workerUrl } from "./worker-code.ts";
import { takePrewarmedWorker } from "./vm-prewarm.ts";
import { noteWorkerStart, takeRecycledWorker } from "./vm-recycle.ts";
import { timing } from "../../timing.ts";
import type { WorkerInit } from "../protocol.ts";

/** What decides a VM's boot: the WorkerInit without the channel to its host. */
export type BoardInit = Omit<WorkerInit, "signal" | "port">;

export interface LaunchListener {
  message(message: unknown): void;
  error(error: Error): void;
  exit(code: number): void;
}

type Event = { kind: "message"; value: unknown } | { kind: "error"; value: Error } | { kind: "exit"; value: number };

export class VmLaunch {
  readonly worker: Worker;
  /** Where the host posts HostMessages (the VM reads the other end synchronously). */
  readonly port: MessagePort;
  /** [0]: bumped after each HostMessage, so the VM's Atomics.wait wakes. */
  readonly signal: Int32Array;
  private listener: LaunchListener | undefined;
  private readonly early: Event[] = [];

  constructor(readonly init: BoardInit) {
    const channel = new MessageChannel();
    const shared = new SharedArrayBuffer(4);
    this.port = channel.port1;
    this.signal = new Int32Array(shared);
    const full: WorkerInit = { ...init, signal: shared, port: channel.port2 };
    // A worker started early (vm-prewarm.ts) or kept from an earlier board (vm-recycle.ts) has its thread and modules loaded already.
    const recycled = takeRecycledWorker(full, [channel.port2]);
    noteWorkerStart(recycled ? "reused" : "new");
    timing("main", recycled ? "VM worker reused" : "VM worker starting");
    this.worker = recycled ?? takePrewarmedWorker(full, [channel.port2]) ?? new Worker(workerUrl(), { workerData: full, transferList: [channel.port2] });
    this.worker.unref();
    this.worker.on("message", this.onMessage);
    this.worker.on("error", this.onError);
    this.worker.on("exit", this.onExit);
  }

  private readonly onMessage = (value: unknown): void => this.deliver({ kind: "message", value });
  private readonly onError = (value: Error): void => this.deliver({ kind: "error", value });
  private readonly onExit = (value: number): void => this.deliver({ kind: "exit", value });

  /** Stop listening to the worker (it is handed on to vm-recycle.ts). */
  detach(): void {
    this.worker.off("message", this.onMessage);
    this.worker.off("error", this.onError);
    this.worker.off("exit", this.onExit);
    this.listener = undefined;
  }

  /** The host's handlers: what the worker said before this is handed over first, in order. */
  attach(listener: LaunchListener): void {
    this.listener = listener;
    for (const event of this.early.splice(0)) this.deliver(event);
  }

  private deliver(event: Event): void {
    const to = this.listener;
    if (!to) {
      this.early.push(event);
      return;
    }
    if (event.kind === "message") to.message(event.value);
    else if (event.kind === "error") to.error(event.value);
    else to.exit(event.value);
  }
}

let early: VmLaunch | undefined;

/**
 * Boots a VM for a board the run has not built yet. Only one at a time: a
 * second call with the same init keeps the first; with another init, or a
 * later discardEarlyLaunch(), the one not taken is ended.
 */
export function launchEarly(init: BoardInit): VmLaunch {
  if (early && isDeepStrictEqual(early.init, init)) return early;
  discardEarlyLaunch();
  early = new VmLaunch(init);
  return early;
}

/** The early launch when it was given exactly `init`; else a new launch (and an early one that differs is ended). */
export function launchFor(init: BoardInit): VmLaunch {
  const candidate = early;
  early = undefined;
  if (candidate && isDeepStrictEqual(candidate.init, init)) return candidate;
  if (candidate) void candidate.worker.terminate();
  return new VmLaunch(init);
}

/** Ends an early launch no host took (the run failed to load, or built other boards). */
export function discardEarlyLaunch(): void {
  const candidate = early;
  early = undefined;
  if (candidate) void candidate.worker.terminate();
}
