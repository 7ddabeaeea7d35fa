// Starts a worker thread that runs a TypeScript module, from any thread
// (workers may start their own: one per MicroPython board, say). The module
// reads its own data from `workerData.data`.

import { Worker, type WorkerOptions } from "node:worker_threads";

const ENTRY = new URL("./ts-worker-entry.mjs", import.meta.url);

export function startTsWorker(module: URL, data: unknown, options: Omit<WorkerOptions, "workerData"> = {}): Worker {
  return new Worker(ENTRY, { ...options, workerData: { tsWorkerModule: module.href, data } });
}
