// Entry point of a VM worker thread: load TypeScript through tsx, whatever
// loader the parent thread had, then run the worker.
import { register } from "tsx/esm/api";

register();
await import("./worker.ts");
