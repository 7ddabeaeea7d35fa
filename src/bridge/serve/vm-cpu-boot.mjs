// Entry point of serve-board's VM worker: load TypeScript through tsx,
// whatever loader the parent thread had, then run the worker.
import { register } from "tsx/esm/api";

register();
await import("./vm-cpu-worker.ts");
