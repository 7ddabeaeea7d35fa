// One board's MicroPython VM, in its own worker thread. Python's blocking
// calls post a message to the thread that owns the run and wait on a shared
// counter with Atomics.wait until it answers (see protocol.ts). The VM never
// sees JavaScript exceptions: every bridge function catches and answers with
// a code Python turns into an exception.

import { parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import { loadMicroPython, type MicroPython } from "@micropython/micropython-webassembly-pyscript";
import { heapLoadOptions, installHeapBudget, type HeapBudget } from "../heap/index.ts";
import { probeInterruptWords, type InterruptWords } from "../vm-interrupt.ts";
import { patchedVm, precompileMicroPython } from "../heap/load-hook.ts";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { REPLY_DONE, REPLY_RAISE, type HostMessage, type Value, type VmMessage, type WorkerInit } from "../protocol.ts";
import { LineRecorder, RECORDER_MODULE, TRACE_ON_PY, TRACER_MODULE, TRACER_PY } from "../coverage/tracer.ts";
import { ringWriter, serveRepl } from "./repl-worker.ts";
import { timing } from "../../timing.ts";

/**
 * The boards this worker serves, one at a time. The first comes as workerData,
 * or by message for a prewarmed worker (vm-prewarm.ts); after a board, a
 * kept worker (vm-recycle.ts) is given the next one by message.
 */
const boards: WorkerInit[] = [];
let boardArrived: (() => void) | null = null;
parentPort!.on("message", (message: WorkerInit) => {
  boards.push(message);
  boardArrived?.();
});

async function nextBoard(): Promise<WorkerInit> {
  while (boards.length === 0) await new Promise<void>((resolve) => (boardArrived = resolve));
  boardArrived = null;
  return boards.shift()!;
}

async function firstBoard(): Promise<WorkerInit> {
  if (!(workerData as { prewarmed?: boolean } | undefined)?.prewarmed) return workerData as WorkerInit;
  // Meanwhile, the VM's binary: the load then only instantiates it (unless the board needs another build).
  try {
    const entry = createRequire(import.meta.url).resolve("@micropython/micropython-webassembly-pyscript");
    precompileMicroPython(readFileSync(join(dirname(entry), "micropython.wasm")));
  } catch {
    // Then it is patched and compiled as it loads, as without a prewarmed worker.
  }
  return nextBoard();
}

/**
 * Thrown out of a bridged call when the host recycles this worker: it unwinds
 * the Python stack without running any Python (no except or finally clause
 * can see it), and the VM instance it leaves behind is never used again.
 */
class Recycled extends Error {}

timing("vm", "worker loaded");
// The board being served and what comes with it (set by serveBoard).
let init: WorkerInit;
let signal: Int32Array;
const GLUE_DIR = "/.bench";
/** The first GC area; the heap module decides how far it may grow. */
const INITIAL_HEAP = 256 * 1024;

let mp: MicroPython;
let replOut: ((line: string) => void) | undefined;
let budget: HeapBudget;
/** How the host can interrupt this VM's current instance (a soft reset makes a new one). */
let interrupt: InterruptWords | undefined;
let out: string[] = [];
let args: Value[] = [];
let vals: Value[] = [];
let code = 0;
/** Line coverage of the board's .py files (--coverage): the settrace build runs the firmware. */
let coverage: LineRecorder | undefined;
/** _bench.call's answer when the reply is not one plain value (see _MORE in py/_benchcore.py). */
const MORE = "\u0000bench";

function post(message: VmMessage): void {
  parentPort!.postMessage(message);
}

/** The next host message. The counter is read before the port is checked, so a wake-up between the two is never missed. */
function receive(): HostMessage {
  for (;;) {
    const seen = Atomics.load(signal, 0);
    const got = receiveMessageOnPort(init.port);
    if (got) return got.message as HostMessage;
    Atomics.wait(signal, 0, seen);
  }
}

function takeOut(): string[] {
  const lines = out;
  out = [];
  return lines;
}

function report(withHeap = false): { out: string[]; heap?: ReturnType<HeapBudget["figures"]>; hits?: number[] } {
  const r: { out: string[]; heap?: ReturnType<HeapBudget["figures"]>; hits?: number[] } = { out: takeOut() };
  if (withHeap) r.heap = budget.figures();
  const hits = coverage?.take();
  if (hits) r.hits = hits;
  return r;
}

function awaitReply(): number {
  const message = receive();
  if (message.t === "recycle") throw new Recycled();
  if (message.t !== "reply") {
    vals = ["RuntimeError", 0, `bench: unexpected ${message.t} from the host`];
    return REPLY_RAISE;
  }
  vals = message.vals;
  return message.code;
}

function guarded<A extends unknown[], R>(fn: (...a: A) => R, fallback: R): (...a: A) => R {
  return (...a: A) => {
    try {
      return fn(...a);
    } catch (error) {
      if (error instanceof Recycled) throw error;
      vals = ["RuntimeError", 0, `bench: ${(error as Error).message}`];
      code = REPLY_RAISE;
      return fallback;
    }
  };
}

/** The `_bench` module Python's glue (py/_benchcore.py) calls. */
const bridge = {
  arg: guarded((v: Value | undefined) => void args.push(v ?? null), undefined),
  argb: guarded((addr: number, n: number) => void args.push(mp._module.HEAPU8.slice(addr, addr + n)), undefined),
  /** The result itself when the host answered with one plain value (the common case: one crossing), else MORE. */
  call: guarded((op: string, blocking: boolean): Value => {
    if (blocking) budget.collect();
    const a = args;
    args = [];
    post({ t: "call", op, args: a, ...report(blocking) });
    code = awaitReply();
    const v = vals[0];
    return code === REPLY_DONE && vals.length === 1 && !(v instanceof Uint8Array) && v !== MORE ? v! : MORE;
  }, MORE),
  code: () => code,
  ret: guarded((code: 0 | 1): number => {
    const a = args;
    args = [];
    // With the heap: what the callable's arguments (a received message) took, or the heap a MemoryError found.
    post({ t: "return", code, vals: a, ...report(true) });
    return awaitReply();
  }, REPLY_RAISE),
  n: () => vals.length,
  kind: (i: number) => (vals[i] instanceof Uint8Array ? 1 : 0),
  get: (i: number) => vals[i],
  blen: (i: number) => (vals[i] as Uint8Array).length,
  /** Copy bytes value `i` into a fresh `bytes(n)` and clear its cached hash (computed over the zeros). */
  fill: guarded((i: number, id: number, addr: number) => {
    mp._module.HEAPU8.set(vals[i] as Uint8Array, addr);
    mp._module.setValue(id + 4, 0, "i32");
  }, undefined),
  // The firmware's gc.collect(): always a collection, as on the device.
  gc_collect: guarded(() => budget.collect({ always: true }), undefined),
  /** gc and micropython.mem_info() figures: 0 free, 1 used (bytes), 2 largest free block (bytes), 3/4 objects of 1/2 blocks, 5 longest object (blocks). */
  heap: guarded((which: number) => {
    if (which <= 2) {
      const f = budget.figures();
      return which === 0 ? f.free : which === 1 ? f.used : f.largestFree;
    }
    const c = budget.objectCounts();
    return which === 3 ? c.oneBlock : which === 4 ? c.twoBlocks : c.longest;
  }, 0),
};

/** The VM's own folders at the root, not the board's files. */
const VM_DIRS = new Set(["tmp", "home", "dev", "proc", GLUE_DIR.slice(1)]);

/** The board's files as the firmware left them (a reboot keeps them, as a device's flash does). */
function boardFiles(): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  const walk = (dir: string, prefix: string): void => {
    for (const name of mp.FS.readdir(dir) as string[]) {
      if (name === "." || name === ".." || (prefix === "" && VM_DIRS.has(name))) continue;
      const full = `${dir === "/" ? "" : dir}/${name}`;
      if (mp.FS.isDir(mp.FS.stat(full).mode)) walk(full, `${prefix}${name}/`);
      else files[`${prefix}${name}`] = mp.FS.readFile(full) as Uint8Array;
    }
  };
  walk("/", "");
  return files;
}

function writeTree(root: string, files: Record<string, string | Uint8Array>): void {
  for (const [path, text] of Object.entries(files)) {
    const full = `${root}/${path}`;
    const dir = full.slice(0, full.lastIndexOf("/"));
    if (dir) mp.FS.mkdirTree(dir);
    mp.FS.writeFile(full, text);
  }
}

async function bootVm(): Promise<void> {
  mp = await loadMicroPython({
    heapsize: INITIAL_HEAP,
    // A served board's output streams byte by byte (repl-worker.ts); a scenario's goes in lines with each message.
    ...(init.repl ? { linebuffer: false, stdout: replOut, stderr: replOut } : { linebuffer: true, stdout: (line: string) => out.push(line), stderr: (line: string) => out.push(line) }),
    ...heapLoadOptions(init.heapBudget),
    ...(init.coverage ? { url: init.coverage.wasm } : {}),
  });
  timing("vm", "wasm instantiated");
  writeTree("", init.files);
  writeTree(GLUE_DIR, init.glue);
  mp.registerJsModule("_bench", bridge);
  // Our modules stand for a device's frozen ones, which take no heap: load them
  // (umqtt too, unless the firmware brings its own) and collect before the
  // budget is installed, so it counts from a board "after boot".
  // machine, socket and network too (built into a device's firmware): a firmware's first import took 8.8 KB
  // of an esp8266's heap for machine and socket, 2.5 KB for network.
  const carries = (name: string): boolean => Object.keys(init.files).some((p) => new RegExp(`(^|/)${name}(/|\\.py$)`).test(p));
  const preload = ["umqtt.simple", "umqtt.robust", "machine", "socket", "usocket", "network"].filter((m) => !carries(m.split(".")[0]!));
  // Each import looks for the module along sys.path; every miss throws an ErrnoError in the
  // VM's file system, whose stack trace (through the VM's frames) nobody reads: skip making it.
  const traceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    mp.runPython(`import sys\nsys.path.append("${GLUE_DIR}")\nimport _benchboot\nimport bench_sys\nbench_sys.platform = ${JSON.stringify(init.platform)}${preload.map((m) => `\nimport ${m}`).join("")}${init.repl ? "\nimport _benchrepl" : ""}`);
  } finally {
    Error.stackTraceLimit = traceLimit;
  }
  if (coverage) {
    mp.registerJsModule(RECORDER_MODULE, coverage.module());
    mp.FS.writeFile(`${GLUE_DIR}/${TRACER_MODULE}.py`, TRACER_PY);
    // Before the budget: the compiler's garbage and the calls' objects are not the board's.
    mp.runPython(`import ${TRACER_MODULE}\n${TRACER_MODULE}.executable(${JSON.stringify(coverage.files)})`);
  }
  timing("vm", "glue modules imported");
  mp.runPython("import gc\ngc.collect()");
  budget = installHeapBudget(mp, init.heapBudget);
  interrupt = probeInterruptWords(mp, patchedVm()?.pendingFlagAddr);
  timing("vm", "heap budget installed");
}

function flushPartialLine(): void {
  const partial = mp._module._stdoutBuffer;
  if (partial && partial.length > 0) {
    out.push(new TextDecoder().decode(new Uint8Array(partial)));
    partial.length = 0;
  }
}

/** Runs one board: boot, then boot.py and main.py, until the firmware ends or the host recycles the worker. True when the host did. */
async function serveBoard(board: WorkerInit): Promise<boolean> {
  init = board;
  signal = new Int32Array(init.signal);
  replOut = init.repl ? (ringWriter(init.repl) as unknown as (line: string) => void) : undefined;
  coverage = init.coverage ? new LineRecorder(init.coverage.files) : undefined;
  out = [];
  args = [];
  vals = [];
  code = 0;
  interrupt = undefined;
  timing("vm", "board received");
  await bootVm();
  if (init.repl) {
    post({ t: "ready" });
    if (receive().t !== "start") return false;
    const files = init as { files: Record<string, string | Uint8Array> };
    await serveRepl({ vm: () => mp, interruptWords: () => interrupt, reboot: (board) => ((files.files = board), bootVm()) }, init.repl.dirs);
  }
  const boot = mp.pyimport("_benchboot");
  for (const path of Object.keys(init.files).filter((p) => p.endsWith(".py")).sort()) {
    const problem = boot.check(path) as string;
    if (problem) {
      post({ t: "ready", syntax: problem });
      return waitForRecycle();
    }
  }
  post(coverage ? { t: "ready", coverage: { files: [...coverage.files], lines: coverage.executable } } : { t: "ready" });
  const first = receive();
  if (first.t === "recycle") return true;
  if (first.t !== "start") return false;
  for (;;) {
    const runner = mp.pyimport("_benchboot");
    if (coverage) mp.runPython(TRACE_ON_PY);
    post({ t: "running", file: "boot.py", interrupt });
    let status = runner.run("boot.py") as number;
    if (status !== 2) {
      post({ t: "running", file: "main.py" });
      status = runner.run("main.py") as number;
    }
    if (status === 2) {
      out.push("MPY: soft reboot");
      (init as { files: Record<string, string | Uint8Array> }).files = boardFiles();
      await bootVm();
      continue;
    }
    flushPartialLine();
    if (status === 1) post({ t: "end", how: "crash", detail: String(runner.error()), where: String(runner.where()), ...report(true) });
    else post({ t: "end", how: "exit", ...report(true) });
    // Like a device whose main.py ended: idle until the run ends, then ended or recycled by the host.
    return waitForRecycle();
  }
}

/** After the board's end: the host either ends this worker or recycles it. */
function waitForRecycle(): boolean {
  for (;;) if (receive().t === "recycle") return true;
}

async function main(): Promise<void> {
  let board = await firstBoard();
  for (;;) {
    let recycled: boolean;
    try {
      recycled = await serveBoard(board);
    } catch (error) {
      if (!(error instanceof Recycled)) throw error;
      recycled = true;
    }
    if (!recycled) return;
    // Nothing of the old board stays reachable: its VM instance, heap and files go with it.
    mp = undefined as unknown as MicroPython;
    budget = undefined as unknown as HeapBudget;
    coverage = undefined;
    parentPort!.postMessage({ t: "idle" });
    board = await nextBoard();
  }
}

main().catch((error: unknown) => {
  parentPort!.postMessage({ t: "end", how: "fault", detail: String((error as Error)?.message ?? error), out: takeOut() });
});
