// Worker entry for TypeScript modules: a worker thread does not inherit the
// parent's tsx loader, so register it here, then import the module named in
// workerData. Plain JavaScript because nothing can compile it yet. A module
// of the compiled build (.js) needs no loader: tsx is not even imported.
import { workerData } from "node:worker_threads";

if (/\.tsx?$/.test(workerData.tsWorkerModule)) {
  const { register } = await import("tsx/esm/api");
  register();
}
await import(workerData.tsWorkerModule);
