// A worker thread holding one real MicroPython VM with the heap budget
// installed (test/micropython/heap-vm.ts drives it). Python sees a `host`
// module: block() is a blocking point (the host collects there, as the VM
// board does at sleep and socket waits), hold()/held() keep an object
// referenced only from JavaScript.

import { writeSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { heapLoadOptions, heapStats, installHeapBudget, type HeapBudget, type MicroPythonInstance } from "../../src/micropython/heap/index.ts";

export interface HeapVmInit {
  budget: number;
  /** Python run before the budget is installed (the host's own boot-time glue). */
  glue?: string;
}

export type HeapVmRequest = { t: "run"; code: string } | { t: "figures" };

export interface HeapVmReply {
  out: string[];
  error?: { type: string; message: string };
  figures: ReturnType<HeapBudget["figures"]>;
  stats: ReturnType<typeof heapStats>;
  /** Bytes of the VM's linear memory, and of the process's resident set. */
  wasmBytes: number;
  rss: number;
}

const PKG = "@micropython/micropython-webassembly-pyscript";
const init = workerData as HeapVmInit;
const out: string[] = [];
let held: unknown[] = [];

const { loadMicroPython } = (await import(PKG)) as { loadMicroPython(o: object): Promise<MicroPythonInstance> };
const echo = (line: string): void => {
  if (process.env.HEAP_VM_ECHO) writeSync(2, `[vm] ${line}\n`);
  out.push(line);
};
(globalThis as any).__dbg = (s: string) => process.env.HEAP_VM_ECHO && writeSync(2, `[dbg] ${s}\n`);
const mp = await loadMicroPython({ stdout: echo, stderr: echo, ...heapLoadOptions(init.budget) });
let heap: HeapBudget | null = null;
mp.registerJsModule("host", {
  block: () => heap?.collect(),
  figures: () => JSON.stringify(heap?.figures()),
  stats: () => JSON.stringify(heap ? heapStats(heap) : null),
  hold: (obj: unknown) => void held.push(obj),
  held: (i: number) => held[i],
  drop: () => {
    held = [];
  },
  wasm: () => mp._module.HEAPU8.length,
  /** A socket write: the bytes stay in the VM (a JS view is not a copy in the VM's heap). */
  write: (_data: unknown, n?: number) => n ?? 0,
});
if (init.glue) mp.runPython(init.glue);
heap = installHeapBudget(mp, init.budget);

function reply(extra: Partial<HeapVmReply> = {}): HeapVmReply {
  return {
    out: out.splice(0),
    figures: heap!.figures(),
    stats: { ...heapStats(heap!) },
    wasmBytes: mp._module.HEAPU8.length,
    rss: process.memoryUsage().rss,
    ...extra,
  };
}

parentPort!.on("message", (request: HeapVmRequest) => {
  if (request.t === "figures") return parentPort!.postMessage(reply());
  try {
    mp.runPython(request.code);
    parentPort!.postMessage(reply());
  } catch (error) {
    const e = error as { type?: string; message?: string };
    parentPort!.postMessage(reply({ error: { type: e.type ?? "JsError", message: String(e.message) } }));
  }
});
parentPort!.postMessage(reply());
