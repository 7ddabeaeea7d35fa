// The messages between a board's MicroPython VM (in its worker thread) and
// the thread that owns the run. The VM side blocks after every message it
// sends until the host answers (Atomics.wait); the host answers exactly one
// message per VM message, in stack order:
//
//   VM  -> host  call     "run host operation `op` with these args"
//   host -> VM   reply    code 0: done, vals[0] is the result
//                         code 1: raise, vals = [type name, kept exception key, ...args]
//                         code 2: invoke, vals = [python callable id, ...args]: run it,
//                                 answer with `return`, then keep waiting for the reply
//   VM  -> host  return   the invoked callable's result (code 0, vals[0]) or
//                         exception (code 1, vals = [type name, kept key, message,
//                         where a KeyboardInterrupt was raised, and for a MemoryError
//                         making the invocation's values, which value: 1 is the first
//                         argument])
//
// Values are plain: None, bool, int/float, str, or bytes (a Uint8Array the VM
// side turns into a Python `bytes` allocated in the VM's own heap).

import type { MessagePort } from "node:worker_threads";
import type { InterruptWords } from "./vm-interrupt.ts";
import type { ReplInit } from "./repl-protocol.ts";

export type Value = null | boolean | number | string | Uint8Array;

export const REPLY_DONE = 0;
export const REPLY_RAISE = 1;
export const REPLY_INVOKE = 2;
export type ReplyCode = typeof REPLY_DONE | typeof REPLY_RAISE | typeof REPLY_INVOKE;

/** What the VM's heap looks like, sent with every VM message (see heap-budget.ts). */
export interface HeapFigures {
  budget: number;
  free: number;
  used: number;
  largestFree: number;
  /** The most in use since boot: used only falls at a collection, so this is the largest `used` just before one, or now. */
  peakUsed?: number;
}

/** Sent with every VM message: serial output since the last one, and the heap at blocking points. */
interface VmReport {
  /** Complete lines printed since the last message. */
  out: string[];
  /** Read at blocking calls, returns from invoked callables and at the end: reading it costs more than a bridged call. */
  heap?: HeapFigures;
  /** Coverage runs only: lines first run since the last message, flat [file index, line] pairs (files as in `ready`). */
  hits?: number[];
}

/** Coverage runs only: the board's .py files and each one's executable lines, from the compiler's line table. */
export interface CoverageFiles {
  files: string[];
  lines: number[][];
}

export type VmMessage =
  | (VmReport & { t: "call"; op: string; args: Value[] })
  | (VmReport & { t: "return"; code: 0 | 1; vals: Value[] })
  /** The VM loaded and compiled every file: ready for `start`. `syntax` is "file:line: SyntaxError: ..." when not. */
  | { t: "ready"; syntax?: string; coverage?: CoverageFiles }
  /** Not a request (no answer): which file the VM is running now, for the runaway message; with a fresh VM, how to interrupt it. */
  | { t: "running"; file: string; interrupt?: InterruptWords }
  /** The firmware ended: returned ("exit"), raised ("crash", detail = last traceback line) or failed inside the bench ("fault"). */
  | (VmReport & { t: "end"; how: "exit" | "crash" | "fault"; detail?: string; where?: string });

/**
 * `recycle`: the run is over and the host keeps this worker for another board
 * (vm-recycle.ts); sent only while the VM is blocked waiting for the host. The
 * VM's Python is abandoned where it stands and the worker posts `{ t: "idle" }`.
 */
export type HostMessage = { t: "start" } | { t: "reply"; code: ReplyCode; vals: Value[] } | { t: "recycle" };

/** The worker's start-up data. */
export interface WorkerInit {
  /** Int32Array[0]: a sequence number the host bumps after posting each HostMessage. */
  signal: SharedArrayBuffer;
  /** The board's filesystem: path ("main.py", "lib/x.py") -> contents. */
  files: Record<string, string | Uint8Array>;
  /** The board's MicroPython port, as sys.platform reads it ("esp8266", "esp32", "rp2"). */
  platform: string;
  /** The board's heap budget in bytes (free to firmware after boot). */
  heapBudget: number;
  /** Glue modules installed in the VM's own folder: path -> text. */
  glue: Record<string, string>;
  /** Set for a coverage run: the settrace build of the VM to load (a file path) and the .py files to cover. */
  coverage?: { wasm: string; files: string[] };
  /** Where HostMessages arrive; the VM reads it synchronously (receiveMessageOnPort). */
  port: MessagePort;
  /** A board served on a serial line: its REPL instead of boot.py/main.py (repl-worker.ts). */
  repl?: ReplInit;
}
