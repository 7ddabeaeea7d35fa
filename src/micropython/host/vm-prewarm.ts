// A VM worker started before anyone needs it: `umqtt-bench run` starts one
// as its first step, so the thread's start-up and the loading of the VM's
// JavaScript overlap the command loading its own modules and the scenario,
// instead of following them. The worker waits for its board (a WorkerInit
// message) before it boots the VM: everything the board decides (heap
// budget, files, platform) is still decided by the board, so a run is the
// same with or without it. Only the first VM board of a process takes it.

import { Worker } from "node:worker_threads";
import { workerUrl } from "./worker-code.ts";
import type { WorkerInit } from "../protocol.ts";

/** What a prewarmed worker gets as its workerData: it then takes its WorkerInit as its first message. */
export const PREWARMED = { prewarmed: true } as const;

let waiting: { worker: Worker; alive: boolean; onError: () => void } | undefined;

/** Starts a VM worker that waits for its board. Does nothing if one is already waiting. */
export function prewarmVmWorker(): void {
  if (waiting) return;
  const worker = new Worker(workerUrl(), { workerData: PREWARMED });
  const entry = { worker, alive: true, onError: () => (entry.alive = false) };
  // Unused or failed, it must neither keep the process alive nor crash it.
  worker.unref();
  worker.on("error", entry.onError);
  worker.on("exit", entry.onError);
  waiting = entry;
}

/** The waiting worker, given its board; undefined when none is waiting (start a new one). */
export function takePrewarmedWorker(init: WorkerInit, transfer: Transferable[]): Worker | undefined {
  const entry = waiting;
  waiting = undefined;
  if (!entry) return undefined;
  entry.worker.off("error", entry.onError);
  entry.worker.off("exit", entry.onError);
  if (!entry.alive) return undefined;
  entry.worker.postMessage(init, transfer as never);
  return entry.worker;
}

/** Ends a worker started but not taken (the run had no VM board). */
export function discardPrewarmedWorker(): void {
  const entry = waiting;
  waiting = undefined;
  if (entry) void entry.worker.terminate();
}
