// The REPL a served board shows on its serial line, as MicroPython's own
// REPL behaves on a device, in front of a CPU that runs one chunk of code at
// a time (vm-board-cpu.ts):
// - the friendly REPL: banner and `>>> `; its line editing (echo, `... `
//   lines, history, paste mode) is friendly-input.ts; Ctrl-A raw REPL,
//   Ctrl-B banner, Ctrl-D on an empty line soft reset;
// - the raw REPL (Ctrl-A): code then Ctrl-D -> "OK", output, \x04,
//   traceback, \x04, ">"; raw-paste (\x05A\x01) with flow control (window
//   128, a \x01 per window consumed);
// - soft reset: "MPY: soft reboot", a fresh VM with the same files, boot.py,
//   then main.py in the friendly REPL, back in the REPL the board was in;
// - input that arrives while a program runs waits, as in a board's UART
//   buffer, except Ctrl-C, which interrupts the program (see interrupt());
//   a program waiting in input() gets the line typed;
// - board line endings: the VM prints "\n", boards print "\r\n".

import type { BoardFiles } from "../../micropython/repl-protocol.ts";
import type { Chunk, ChunkEnd } from "../../micropython/host/repl-host.ts";
import { eraseLastCharacter, FriendlyInput, utf8 } from "./friendly-input.ts";

/** The raw-paste window a board with a 256-byte stdin buffer announces (half of it). */
export const PASTE_WINDOW = 128;

/** What the REPL front end needs from a CPU. */
export interface Cpu {
  /** Runs one chunk; output streams through CpuEvents.output meanwhile. */
  run(chunk: Chunk): Promise<ChunkEnd>;
  /** Ctrl-C: KeyboardInterrupt into the running chunk, at its next call into the board. */
  interrupt(): void;
  /** Ctrl-C still unanswered: KeyboardInterrupt into a chunk that never calls into the board; false when it cannot. */
  interruptRunning(): boolean;
  /** The board's files as last reported. */
  readonly files: BoardFiles;
  /** The line typed for the program's input() (after CpuEvents.readLine). */
  giveLine(line: string): void;
  stop(): Promise<void>;
}

export interface CpuEvents {
  output(bytes: Uint8Array): void;
  /** The CPU failed for good: the REPL restarts it. */
  fault(detail: string): void;
  /** The running program waits for a line (input()). */
  readLine(): void;
  /** The board reset by itself while it waited at the prompt (its watchdog); the CPU is fresh. */
  reset(): void;
  /** Bytes the running program can read from sys.stdin now. */
  stdinAvailable(): number;
  /** The running program reads sys.stdin: `n` bytes (n < 0: what there is, at least one). */
  stdinRead(n: number): Promise<Uint8Array>;
}

export type StartCpu = (files: BoardFiles, events: CpuEvents) => Promise<Cpu>;

export interface BoardReplOptions {
  startCpu: StartCpu;
  /** The banner's first line, e.g. "MicroPython v1.29.0 on 2025-01-01; ESP32 module with ESP32". */
  banner: string;
  /** How long a program may ignore Ctrl-C before its VM is restarted (default 1.5 s). */
  interruptGraceMs?: number;
}

const CTRL_A = 0x01;
const CTRL_B = 0x02;
const CTRL_C = 0x03;
const CTRL_D = 0x04;
const CTRL_E = 0x05;

const RAW_BANNER = "raw REPL; CTRL-B to exit\r\n>";
const KEYBOARD_INTERRUPT = "Traceback (most recent call last):\r\nKeyboardInterrupt: \r\n";

const latin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

type Mode = "friendly" | "raw";

export class BoardRepl {
  private cpu: Cpu | null = null;
  /** Bumped whenever the CPU is replaced: answers from an older one are ignored. */
  private generation = 0;
  private mode: Mode = "friendly";
  /** Host input not yet taken by the REPL (it waits while a program runs). */
  private input: number[] = [];
  /** A program runs (or the board boots): input waits, Ctrl-C interrupts. */
  private busy = true;
  /** boot.py or main.py runs (after a reset): the banner follows them. */
  private booting = false;
  private closed = false;
  private interruptTimer: NodeJS.Timeout | null = null;
  private interruptRunningTimer: NodeJS.Timeout | null = null;
  /** The running program waits in input() for this line. */
  private programLine: number[] | null = null;
  /** The running program waits in sys.stdin.read() for this many bytes. */
  private stdinReader: { n: number; resolve: (bytes: Uint8Array) => void } | null = null;
  private lastOutputByte = -1;
  private readonly grace: number;
  private files: BoardFiles = { dirs: [], files: {} };

  private readonly friendly: FriendlyInput;

  // raw REPL
  private raw: number[] = [];
  private rawPaste: { code: number[]; received: number } | null = null;

  constructor(
    private readonly send: (bytes: Uint8Array) => void,
    private readonly options: BoardReplOptions,
  ) {
    this.grace = options.interruptGraceMs ?? 1500;
    this.friendly = new FriendlyInput(send);
  }

  /**
   * Starts the board's CPU with these files; resolves once it runs, while
   * boot.py and main.py go on (a main.py may never end), before the banner and `>>> `.
   */
  async start(files: BoardFiles = { dirs: [], files: {} }): Promise<void> {
    this.files = files;
    await this.startCpu();
    this.spawn(this.boot(false));
  }

  async stop(): Promise<void> {
    this.closed = true;
    this.clearInterrupt();
    this.generation++;
    await this.cpu?.stop();
  }

  /** Bytes from the host. */
  receive(bytes: Uint8Array): void {
    for (const b of bytes) {
      if (this.busy && b === CTRL_C && !this.rawPaste) {
        this.interrupt();
        // Typed ahead of it, it also cancels that input (a raw-paste request a tool sent before giving up).
        if (this.input.length) this.input.push(b);
      } else this.input.push(b);
    }
    this.feedStdin();
    this.pump();
  }

  /** Bytes for a program reading sys.stdin, once there are as many as it asked for. */
  private feedStdin(): void {
    const reader = this.stdinReader;
    if (!reader || !this.busy || this.input.length === 0 || (reader.n > 0 && this.input.length < reader.n)) return;
    this.stdinReader = null;
    reader.resolve(Uint8Array.from(this.input.splice(0, reader.n > 0 ? reader.n : this.input.length)));
  }

  /** Input for a program waiting in input(): echoed, with backspace, up to Enter. */
  private pumpProgramLine(): void {
    const line = this.programLine;
    while (line && this.input.length) {
      const b = this.input.shift()!;
      if (b === 0x0d || b === 0x0a) {
        this.programLine = null;
        this.sendText("\r\n");
        this.cpu?.giveLine(utf8(line));
        return;
      }
      if (b === 0x08 || b === 0x7f) {
        if (eraseLastCharacter(line)) this.sendText("\x08 \x08");
      } else if (b >= 0x20) {
        line.push(b);
        this.send(Uint8Array.of(b));
      }
    }
  }

  // ---- running chunks -----------------------------------------------------

  private async startCpu(): Promise<void> {
    const generation = ++this.generation;
    this.cpu = await this.options.startCpu(this.files, {
      output: (bytes) => {
        if (generation === this.generation) this.output(bytes);
      },
      fault: (detail) => {
        if (generation === this.generation) this.spawn(this.restart(`\r\n[serve-board: the board's VM failed (${detail}); restarted it, files kept]\r\n`));
      },
      reset: () => {
        if (generation !== this.generation || this.closed) return;
        // As after a reset: the line typed so far is gone; boot.py and main.py run again.
        this.friendly.clear();
        this.raw = [];
        this.sendText("\r\nMPY: soft reboot\r\n");
        this.spawn(this.boot(false));
      },
      stdinAvailable: () => (generation === this.generation && this.busy && !this.programLine ? this.input.length : 0),
      stdinRead: (n) =>
        new Promise((resolve) => {
          this.stdinReader = { n, resolve };
          this.feedStdin();
        }),
      readLine: () => {
        if (generation !== this.generation) return;
        this.programLine = [];
        this.pumpProgramLine();
      },
    });
  }

  /** Runs a chunk; false when the CPU was replaced meanwhile (the caller's story ends there). */
  private async run(chunk: Chunk): Promise<ChunkEnd | null> {
    const generation = this.generation;
    const cpu = this.cpu!;
    const end = await cpu.run(chunk);
    if (generation !== this.generation) return null;
    this.programLine = null; // an input() ended by Ctrl-C
    this.stdinReader = null; // a sys.stdin.read() ended by Ctrl-C
    this.files = cpu.files;
    this.clearInterrupt();
    return end;
  }

  /**
   * Reboots (a soft reset unless `first`) and runs boot.py, then main.py in
   * the friendly REPL, as a board does; ends at the REPL's prompt.
   */
  private async boot(reset: boolean): Promise<void> {
    this.busy = true;
    this.booting = true;
    const generation = this.generation;
    for (;;) {
      if (reset) {
        this.sendText("MPY: soft reboot\r\n");
        if ((await this.run({ kind: "reset" })) === null) return;
      }
      reset = true;
      const files = this.mode === "friendly" ? ["boot.py", "main.py"] : ["boot.py"];
      let rebooted = false;
      for (const path of files) {
        const end = await this.run({ kind: "file", path });
        if (end === null) return;
        if (end.how === "raised") this.output(new TextEncoder().encode(`${end.traceback}\n`));
        if (end.how === "rebooted") {
          rebooted = true;
          break;
        }
      }
      if (!rebooted || this.closed || generation !== this.generation) break;
      // main.py called machine.reset() or sys.exit(): the board reboots again, as a device does.
      this.sendText("MPY: soft reboot\r\n");
      reset = false;
    }
    this.booting = false;
    this.prompt(true);
    this.idle();
  }

  /** Runs code typed at the REPL and shows how it ended. */
  private async exec(chunk: Chunk): Promise<void> {
    this.busy = true;
    const end = await this.run(chunk);
    if (end === null) return;
    if (end.how === "rebooted") return this.rebooted();
    if (this.mode === "raw") {
      this.sendText("\x04");
      if (end.how === "raised") this.output(new TextEncoder().encode(`${end.traceback}\n`));
      this.sendText("\x04>");
    } else {
      if (end.how === "raised") this.output(new TextEncoder().encode(`${end.traceback}\n`));
      this.sendText(">>> ");
    }
    this.idle();
  }

  /** The code rebooted the board (sys.exit(), machine.soft_reset()): boot.py and main.py run again. */
  private async rebooted(): Promise<void> {
    if (this.mode === "raw") this.sendText("\x04\x04");
    this.sendText("MPY: soft reboot\r\n");
    this.busy = true;
    this.booting = true;
    // The VM has already rebooted: run the start-up files without another reset.
    const files = this.mode === "friendly" ? ["boot.py", "main.py"] : ["boot.py"];
    for (const path of files) {
      const end = await this.run({ kind: "file", path });
      if (end === null) return;
      if (end.how === "raised") this.output(new TextEncoder().encode(`${end.traceback}\n`));
      if (end.how === "rebooted") return this.rebooted();
    }
    this.booting = false;
    this.prompt(true);
    this.idle();
  }

  /** Runs a REPL task; a failure in it (the CPU refused a chunk) restarts the board's VM rather than leaving the line dead. */
  private spawn(task: Promise<void>): void {
    task.catch((error: Error) => {
      if (!this.closed) this.spawn(this.restart(`\r\n[serve-board: ${error.message}; restarted the board's VM, files kept]\r\n`));
    });
  }

  private idle(): void {
    this.busy = false;
    this.pump();
  }

  /**
   * Ctrl-C: KeyboardInterrupt at the program's next call into the board; a
   * third of the grace period later, if it is still running, at its next
   * backward jump (a loop that never calls into the board); after the grace
   * period, a restart of the VM (a program that catches KeyboardInterrupt and
   * goes on, or a VM that cannot be interrupted).
   */
  private interrupt(): void {
    this.cpu?.interrupt();
    this.interruptRunningTimer ??= setTimeout(() => {
      this.interruptRunningTimer = null;
      if (this.busy) this.cpu?.interruptRunning();
    }, this.grace / 3);
    this.interruptTimer ??= setTimeout(() => this.spawn(this.restart(KEYBOARD_INTERRUPT)), this.grace);
  }

  private clearInterrupt(): void {
    if (this.interruptTimer) clearTimeout(this.interruptTimer);
    if (this.interruptRunningTimer) clearTimeout(this.interruptRunningTimer);
    this.interruptTimer = null;
    this.interruptRunningTimer = null;
  }

  /** The program ignored Ctrl-C (no call into the board to raise it at), or the VM failed: a new VM with the same files. */
  private async restart(message: string): Promise<void> {
    this.clearInterrupt();
    if (this.closed) return;
    const old = this.cpu;
    this.generation++;
    this.busy = true;
    await old?.stop();
    if (this.closed) return;
    if (this.booting) {
      // boot.py or main.py was stopped: its traceback, then the REPL as after any start-up.
      this.booting = false;
      this.sendText(message);
      this.prompt(true);
    } else this.sendText(this.mode === "raw" ? `\x04${message}\x04>` : `${message}>>> `);
    try {
      await this.startCpu();
    } catch (error) {
      // No VM to run on: the board stays silent, as a dead one does, and says why once.
      this.sendText(`\r\n[serve-board: the board's VM could not start again (${(error as Error).message})]\r\n`);
      return;
    }
    this.idle();
  }

  // ---- output -------------------------------------------------------------

  /** Output in board line endings. */
  private output(bytes: Uint8Array): void {
    const out: number[] = [];
    for (const b of bytes) {
      if (b === 0x0a && this.lastOutputByte !== 0x0d) out.push(0x0d);
      out.push(b);
      this.lastOutputByte = b;
    }
    if (out.length) this.send(Uint8Array.from(out));
  }

  private sendText(text: string): void {
    this.output(latin1(text));
  }

  private prompt(banner: boolean): void {
    if (this.mode === "raw") this.sendText(RAW_BANNER);
    else this.sendText(`${banner ? `${this.options.banner}\r\nType "help()" for more information.\r\n` : ""}>>> `);
  }

  // ---- input ----------------------------------------------------------------

  /** Hands queued input to the REPL until a program starts. */
  private pump(): void {
    if (this.programLine) return this.pumpProgramLine();
    while (!this.busy && !this.closed && this.input.length) {
      const b = this.input.shift()!;
      if (this.mode === "raw") this.rawByte(b);
      else this.friendlyByte(b);
    }
  }

  private friendlyByte(b: number): void {
    const action = this.friendly.byte(b);
    if (!action) return;
    switch (action.kind) {
      case "run":
        return this.spawn(this.exec({ kind: action.mode, code: action.code }));
      case "raw":
        this.mode = "raw";
        this.raw = [];
        return this.prompt(true);
      case "banner":
        return this.prompt(true);
      case "reset":
        return this.spawn(this.boot(true));
    }
  }

  private rawByte(b: number): void {
    if (this.rawPaste) return this.rawPasteByte(b);
    switch (b) {
      case CTRL_A:
        if (this.raw.length === 2 && this.raw[0] === CTRL_E && this.raw[1] === 0x41) {
          // raw-paste request: "R\x01", the window size, and a first window.
          this.raw = [];
          this.rawPaste = { code: [], received: 0 };
          this.send(Uint8Array.of(0x52, 0x01, PASTE_WINDOW & 0xff, PASTE_WINDOW >> 8, 0x01));
          return;
        }
        this.raw = [];
        this.sendText(`\r\n${RAW_BANNER}`);
        return;
      case CTRL_B:
        this.raw = [];
        this.mode = "friendly";
        this.sendText("\r\n");
        this.prompt(true);
        return;
      case CTRL_C:
        this.raw = [];
        return;
      case CTRL_D: {
        const code = this.raw;
        this.raw = [];
        this.sendText("OK");
        if (code.length === 0) {
          this.sendText("\r\n");
          this.spawn(this.boot(true));
        } else this.spawn(this.exec({ kind: "exec", code: utf8(code) }));
        return;
      }
    }
    this.raw.push(b);
  }

  /** Raw-paste input: count bytes and grant a window per window consumed, as a board does. */
  private rawPasteByte(b: number): void {
    const paste = this.rawPaste!;
    if (b === CTRL_D || b === CTRL_C) {
      this.rawPaste = null;
      this.send(Uint8Array.of(CTRL_D)); // end of paste acknowledged (or abandoned, for Ctrl-C)
      this.spawn(this.exec({ kind: "exec", code: b === CTRL_D ? utf8(paste.code) : "raise KeyboardInterrupt" }));
      return;
    }
    paste.code.push(b);
    paste.received++;
    if (paste.received % PASTE_WINDOW === 0) this.send(Uint8Array.of(CTRL_A));
  }
}
