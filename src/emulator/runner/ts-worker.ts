// Starts a worker thread that runs a TypeScript module, from any thread
// (workers may start their own: one per MicroPython board, say). The module
// reads its own data from `workerData.data`. Run from the compiled build
// (dist/), the module is the .js beside the caller and tsx is not loaded.

import { Worker, type WorkerOptions } from "node:worker_threads";

const ENTRY = new URL("./ts-worker-entry.mjs", import.meta.url);

/**
 * The module `name` (a .ts path) beside `base`, the caller's import.meta.url:
 * the compiled .js when the caller itself is the compiled build.
 */
export function moduleBeside(name: string, base: string): URL {
  return new URL(base.endsWith(".js") ? name.replace(/\.tsx?$/, ".js") : name, base);
}

export function startTsWorker(module: URL, data: unknown, options: Omit<WorkerOptions, "workerData"> = {}): Worker {
  return new Worker(ENTRY, { ...options, workerData: { tsWorkerModule: module.href, data } });
}
