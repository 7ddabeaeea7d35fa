// Worker entry for TypeScript modules: a worker thread does not inherit the
// parent's tsx loader, so register it here, then import the module named in
// workerData. Plain JavaScript because nothing can compile it yet.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData.tsWorkerModule);
