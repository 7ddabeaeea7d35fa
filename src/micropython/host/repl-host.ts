// A VM board whose CPU serves its REPL (serve-board): the same VmHost, board
// modules and heap budget as a scenario's VM board, with the REPL-mode worker
// (repl-worker.ts). A REPL front end hands it one chunk of code at a time
// (run), reads its output as printed (onOutput), and can interrupt it.
// Chunks travel as the answer to the VM's blocking "repl.next" call, so the
// VM waits for its next chunk the way firmware waits in sleep_ms.

import type { Board } from "../../emulator/board/board.ts";
import type { HostModule, VmContext } from "../modules/context.ts";
import { CHUNK_EXITED, CHUNK_RAISED, OUT_READ, OUT_WRITTEN, type BoardFiles } from "../repl-protocol.ts";
import { VmHost, type VmEnd } from "./vm-host.ts";

/** What the front end runs: a friendly-REPL statement, raw-REPL or paste-mode code, a start-up file if present, or a soft reset. */
export type Chunk = { kind: "single" | "exec"; code: string } | { kind: "file"; path: string } | { kind: "reset" };

/** How a chunk ended; "rebooted" when it made the board reboot (a soft reset chunk, sys.exit(), machine.reset()). */
export type ChunkEnd = { how: "ok" } | { how: "raised"; traceback: string } | { how: "rebooted" };

export interface ReplVmOptions {
  board: Board;
  files: BoardFiles;
  /** The VM's output, byte by byte as printed (its own "\n" line endings). */
  onOutput(bytes: Uint8Array): void;
  /** The board's files changed (reported after each chunk). */
  onFiles?(files: BoardFiles): void;
  /** The VM failed for good (its worker died); the REPL can only be restarted. */
  onFault?(detail: string): void;
  /** The program waits in input() for a line: answer with giveLine(). */
  onReadLine?(): void;
  /** The board reset while no chunk ran (its watchdog fired at the prompt): the VM is fresh, waiting for boot.py. */
  onReset?(): void;
  /** sys.stdin of a running program: bytes the host sent meanwhile. */
  stdin?: ProgramStdin;
}

export interface ProgramStdin {
  /** Bytes a read would get now. */
  available(): number;
  /** `n` bytes (n < 0: what there is, at least one), waiting for them. */
  read(n: number): Promise<Uint8Array>;
}

/** The output ring: a real UART buffer is far smaller; this only bounds a flood. */
const RING_BYTES = 64 * 1024;
/** How often the host drains the ring while a chunk runs. */
const DRAIN_MS = 5;
/** Status _benchrepl.loop reports when it starts: the VM (re)booted. */
const BOOTED = 3;

const PREFIX: Record<Chunk["kind"], string> = { single: "s", exec: "x", file: "f", reset: "r" };

export class ReplVm {
  private vm!: VmHost;
  private ctx: VmContext | undefined;
  private readonly ring = new Uint8Array(new SharedArrayBuffer(RING_BYTES));
  private readonly counters = new Int32Array(new SharedArrayBuffer(8));
  private readonly drainTimer: NodeJS.Timeout;
  /** Answers the VM's pending "repl.next" with the next chunk. */
  private giveChunk: ((chunk: string) => void) | undefined;
  private running: ((end: ChunkEnd) => void) | undefined;
  /** Answers the program's pending input(). */
  private giveInput: ((line: string) => void) | undefined;
  private booted: (() => void) | undefined;
  private stopped = false;
  files: BoardFiles;

  private constructor(private readonly options: ReplVmOptions) {
    this.files = options.files;
    this.drainTimer = setInterval(() => this.drain(), DRAIN_MS);
  }

  /** Starts the VM; resolves once it waits for its first chunk (nothing run yet: boot.py is the front end's to ask for). */
  static async start(options: ReplVmOptions): Promise<ReplVm> {
    const repl = new ReplVm(options);
    const ready = new Promise<void>((resolve) => (repl.booted = resolve));
    const files: Record<string, Uint8Array> = options.files.files;
    try {
      repl.vm = await VmHost.create({
        board: options.board,
        files,
        modules: [repl.module()],
        repl: { ring: repl.ring.buffer as SharedArrayBuffer, counters: repl.counters.buffer as SharedArrayBuffer, dirs: options.files.dirs },
        // A REPL program may compute for as long as it likes, as on a board: Ctrl-C is the way out.
        runawayMs: Infinity,
        onFiles: (f) => {
          repl.files = f;
          options.onFiles?.(f);
        },
        onEnd: (end) => repl.ended(end),
      });
    } catch (error) {
      clearInterval(repl.drainTimer);
      throw error;
    }
    repl.vm.start();
    await ready;
    return repl;
  }

  /** A chunk is running (or the VM is rebooting). */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Runs one chunk; its output streams to onOutput meanwhile. One at a time. */
  run(chunk: Chunk): Promise<ChunkEnd> {
    if (this.running || !this.giveChunk) return Promise.reject(new Error("the board's VM is busy"));
    const give = this.giveChunk;
    this.giveChunk = undefined;
    const end = new Promise<ChunkEnd>((resolve) => (this.running = resolve));
    if (chunk.kind === "reset") this.ctx?.reboot("soft reset");
    give(PREFIX[chunk.kind] + (chunk.kind === "file" ? chunk.path : chunk.kind === "reset" ? "" : chunk.code));
    return end;
  }

  /** The line the program's input() waits for. */
  giveLine(line: string): void {
    const give = this.giveInput;
    this.giveInput = undefined;
    give?.(line);
  }

  /** Ctrl-C: KeyboardInterrupt at the running program's next call into the board (sleep, pin, socket...). */
  interrupt(): void {
    if (!this.running || !this.ctx) return;
    const error = new Error("");
    error.name = "KeyboardInterrupt";
    this.ctx.interrupt(error);
  }

  /**
   * Ctrl-C for a program that makes no call into the board (`while True:
   * pass`): KeyboardInterrupt at its next backward jump. False when the VM
   * cannot be interrupted so (it is blocked in a call, or its build is not
   * supported).
   */
  interruptRunning(): boolean {
    return this.running !== undefined && this.vm.interruptRunning();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.drainTimer);
    await this.vm.stop();
  }

  /** The VM's side of the REPL: "repl.next" reports how the last chunk ended and waits for the next one. */
  private module(): HostModule {
    return {
      glue: ["_benchrepl.py"],
      ops: {
        "repl.next": (ctx, [status, traceback]) => {
          this.ctx = ctx;
          this.drain();
          if (status === CHUNK_EXITED) {
            // sys.exit() ends the REPL on a board: a soft reset.
            ctx.reboot("soft reset");
            return "r";
          }
          const end = this.running;
          this.running = undefined;
          this.giveInput = undefined; // an input() that Ctrl-C ended
          // Ready for the next chunk before anyone hears how this one ended.
          const next = new Promise<string>((resolve) => (this.giveChunk = resolve));
          if (status === BOOTED) {
            const first = this.booted;
            this.booted = undefined;
            if (end) end({ how: "rebooted" });
            else if (first) first();
            else this.options.onReset?.();
          } else end?.(status === CHUNK_RAISED ? { how: "raised", traceback: String(traceback ?? "") } : { how: "ok" });
          return next;
        },
        "repl.ready": () => (this.options.stdin?.available() ?? 0) > 0,
        "repl.read": async (_ctx, [n]) => {
          if (!this.options.stdin || n === 0) return "";
          return new TextDecoder().decode(await this.options.stdin.read(typeof n === "number" ? n : -1));
        },
        /** input(): the prompt is out; the front end reads a line from the serial line. */
        "repl.input": () => {
          this.drain();
          const line = new Promise<string>((resolve) => (this.giveInput = resolve));
          this.options.onReadLine?.();
          return line;
        },
      },
    };
  }

  /** Hands the VM's new output on and frees its room in the ring. */
  private drain(): void {
    if (this.stopped) return;
    const written = Atomics.load(this.counters, OUT_WRITTEN);
    const read = Atomics.load(this.counters, OUT_READ);
    if (written === read) return;
    const bytes = new Uint8Array(written - read);
    for (let i = 0; i < bytes.length; i++) bytes[i] = this.ring[(read + i) % this.ring.length]!;
    Atomics.store(this.counters, OUT_READ, written);
    Atomics.notify(this.counters, OUT_READ);
    this.options.onOutput(bytes);
  }

  private ended(end: VmEnd): void {
    if (this.stopped) return;
    this.drain();
    this.options.onFault?.("detail" in end ? end.detail : "the VM ended");
  }
}
