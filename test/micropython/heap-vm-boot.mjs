// Entry point of a test VM worker thread: load TypeScript through tsx, then run the worker.
import { register } from "tsx/esm/api";

register();
await import("./heap-vm-worker.ts");
