// Kept VM workers. A sweep runs seed after seed on one session thread, and a
// .py board's VM worker costs more to start (a thread, the VM's JavaScript
// loaded and compiled cold) than its VM costs to boot in a warm worker. With
// reuse on, a board's worker is handed back here when its run ends, and the
// next board's VM boots in it: a new VM instance, from the same binary, with
// the new board's files, as a fresh worker would boot it.
//
// A worker comes back only from a known state: its VM blocked waiting for the
// host (in a bridged call, or after its firmware ended). The host's `recycle`
// message unwinds the VM's Python from there without running any of it, and
// the worker says `idle` once it waits for its next board. A worker in any
// other state (running Python, failed, serving a REPL) is ended instead.

import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import type { WorkerInit } from "../protocol.ts";

/** Idle workers kept at most: the boards of a large scenario beyond this start their own. */
const MAX_IDLE = Math.max(4, availableParallelism() * 2);

let enabled = false;
const idle: Worker[] = [];
/** Each kept worker's own exit and error listeners, taken off when a board takes the worker. */
const forget = new Map<Worker, () => void>();
/** Handed back, not yet idle. */
const returning = new Set<Worker>();
let started = 0;
let reused = 0;

/** Keep VM workers for later boards in this thread (a sweep's session thread turns it on). Off: idle ones are ended. */
export function setVmWorkerReuse(on: boolean): void {
  enabled = on;
  if (on) return;
  for (const worker of [...idle.splice(0), ...returning]) void worker.terminate();
  returning.clear();
}

export function vmWorkerReuseEnabled(): boolean {
  return enabled;
}

/** Counted by VmLaunch: workers started and workers reused, in this thread (for tests and timing). */
export function noteWorkerStart(kind: "new" | "reused"): void {
  if (kind === "new") started++;
  else reused++;
}

export function vmWorkerCounts(): { started: number; reused: number; idle: number } {
  return { started, reused, idle: idle.length };
}

/**
 * Takes back a worker whose VM is blocked waiting for the host, after the
 * host posted `recycle` to it: it joins the idle ones once it says so. Its
 * own listeners must be off it already.
 */
export function recycleWorker(worker: Worker): void {
  returning.add(worker);
  const gone = () => {
    forget.get(worker)?.();
    returning.delete(worker);
    worker.off("message", onMessage);
    const at = idle.indexOf(worker);
    if (at >= 0) idle.splice(at, 1);
  };
  const onMessage = (message: { t?: string }) => {
    // What the old board's VM posted before it unwound belongs to nobody now.
    if (message?.t !== "idle") return;
    worker.off("message", onMessage);
    returning.delete(worker);
    if (!enabled || idle.length >= MAX_IDLE) void worker.terminate();
    else idle.push(worker);
  };
  worker.on("message", onMessage);
  worker.once("exit", gone);
  worker.once("error", gone);
  forget.set(worker, () => {
    forget.delete(worker);
    worker.off("exit", gone);
    worker.off("error", gone);
  });
}

/** An idle worker, given its next board; undefined when none is idle. */
export function takeRecycledWorker(init: WorkerInit, transfer: Transferable[]): Worker | undefined {
  const worker = idle.shift();
  if (!worker) return undefined;
  forget.get(worker)?.();
  worker.postMessage(init, transfer as never);
  return worker;
}
