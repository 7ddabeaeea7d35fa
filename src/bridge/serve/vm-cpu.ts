// The served board's CPU: a MicroPython WebAssembly VM in a worker thread
// (vm-cpu-worker.ts), one VM per worker because the package keeps its state
// on globalThis. This and the worker are the only VM-specific code of
// serve-board: when the full VM board (machine, time, umqtt bound to an
// emulated board) lands in src/micropython/, a Cpu built on it replaces
// this one and board-repl.ts stays as it is.
//
// A soft reset starts a fresh worker with the board's files, which the worker
// reports whenever they change, so the filesystem outlives every VM.

import { Worker } from "node:worker_threads";
import { OUT_READ, OUT_WRITTEN, type BootData, type FileEntry, type FromCpu, type ToCpu } from "./vm-cpu-messages.ts";

/** Size of the VM's output ring: a board's UART buffer is far smaller; this only bounds a flood. */
const RING_BYTES = 64 * 1024;
/** How often the main thread drains the ring while the VM runs. */
const DRAIN_MS = 5;

export type ReplKind = "friendly" | "raw";

/** What the REPL front end needs from a CPU. */
export interface Cpu {
  /** REPL input, queued while a program runs. */
  input(bytes: Uint8Array): void;
  /** True from input until the CPU has consumed it (a program may be running). */
  readonly busy: boolean;
  /** Stops this CPU for good. */
  stop(): Promise<void>;
}

export interface CpuEvents {
  output(bytes: Uint8Array): void;
  /** The VM asked for a soft reset; `rest` is input it had not consumed. */
  reboot(rest: Uint8Array): void;
  /** The CPU consumed all input. */
  idle(): void;
}

export interface VmCpuOptions {
  heapBytes?: number;
  mode: ReplKind;
  files: FileEntry[];
  quiet?: boolean;
}

/** From the sources: loads tsx in the worker, then the worker's TypeScript. From the compiled build: the worker's JavaScript. */
const WORKER_URL = new URL(import.meta.url.endsWith(".js") ? "./vm-cpu-worker.js" : "./vm-cpu-boot.mjs", import.meta.url);

export class VmCpu implements Cpu {
  /** The board's files as last reported by the VM. */
  files: FileEntry[];
  private pending = 0;
  private stopped = false;

  private readonly ring = new Uint8Array(new SharedArrayBuffer(RING_BYTES));
  private readonly counters = new Int32Array(new SharedArrayBuffer(8));
  private drainTimer: NodeJS.Timeout | null = null;
  private worker!: Worker;

  private constructor(
    files: FileEntry[],
    private readonly events: CpuEvents,
  ) {
    this.files = files;
  }

  /** Boots a VM (boot.py, main.py in the friendly REPL, then the prompt) and resolves once it waits for input. */
  static start(options: VmCpuOptions, events: CpuEvents): Promise<VmCpu> {
    const cpu = new VmCpu(options.files, events);
    const data: BootData = {
      heapBytes: options.heapBytes ?? 256 * 1024,
      files: options.files,
      mode: options.mode,
      quiet: options.quiet ?? false,
      output: { data: cpu.ring.buffer as SharedArrayBuffer, counters: cpu.counters.buffer as SharedArrayBuffer },
    };
    const worker = new Worker(WORKER_URL, { workerData: data });
    cpu.worker = worker;
    cpu.pending = 1; // until booted
    cpu.drainTimer = setInterval(() => cpu.drain(), DRAIN_MS);
    return new Promise((resolve, reject) => {
      let booted = false;
      worker.on("message", (message: FromCpu) => {
        if (cpu.stopped) return;
        cpu.drain(); // output written before this message comes first
        if (message.type === "idle") {
          if (message.files) cpu.files = message.files;
          cpu.pending = Math.max(0, cpu.pending - 1);
          if (!booted) {
            booted = true;
            resolve(cpu);
          } else if (cpu.pending === 0) events.idle();
        } else if (message.type === "reboot") {
          cpu.files = message.files;
          cpu.stopped = true;
          events.reboot(message.rest);
        }
      });
      worker.on("error", (error) => {
        if (!booted) {
          void cpu.stop();
          reject(error);
        }
      });
    });
  }

  /** Hands the VM's new output to the REPL front end and frees its room in the ring. */
  private drain(): void {
    if (this.stopped) return;
    const written = Atomics.load(this.counters, OUT_WRITTEN);
    const read = Atomics.load(this.counters, OUT_READ);
    if (written === read) return;
    const bytes = new Uint8Array(written - read);
    for (let i = 0; i < bytes.length; i++) bytes[i] = this.ring[(read + i) % this.ring.length];
    Atomics.store(this.counters, OUT_READ, written);
    Atomics.notify(this.counters, OUT_READ);
    this.events.output(bytes);
  }

  get busy(): boolean {
    return this.pending > 0;
  }

  input(bytes: Uint8Array): void {
    if (this.stopped) return;
    this.pending++;
    this.worker.postMessage({ type: "input", bytes } satisfies ToCpu);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.drainTimer) clearInterval(this.drainTimer);
    await this.worker.terminate();
  }
}
