// The REPL a served board shows on its serial line, in front of its CPU.
// The VM's own event-driven REPL does the friendly REPL and the raw REPL; this
// adds what a board does around it and what the VM cannot do:
// - raw-paste (\x05A\x01): the VM's would block reading stdin forever, so it
//   is answered here with genuine flow control (window 128, a \x01 per window
//   consumed) and the code is handed to the VM's raw REPL once complete;
// - soft reset (Ctrl-D on an empty line, sys.exit()): "MPY: soft reboot", a
//   fresh VM with the same files, in the REPL the board was in;
// - board line endings: the VM prints "\n", boards print "\r\n";
// - Ctrl-C into a running program: a plain VM cannot be interrupted, so when
//   it is still busy after a grace period its worker is restarted (files
//   kept) and the program ends as if by KeyboardInterrupt.

import type { FileEntry } from "./vm-cpu-messages.ts";
import type { Cpu, CpuEvents, ReplKind } from "./vm-cpu.ts";

/** The raw-paste window a board with a 256-byte stdin buffer announces (half of it). */
export const PASTE_WINDOW = 128;

const latin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

export type StartCpu = (options: { mode: ReplKind; files: FileEntry[]; quiet: boolean }, events: CpuEvents) => Promise<Cpu & { files: FileEntry[] }>;

export interface BoardReplOptions {
  startCpu: StartCpu;
  /** How long a program may ignore Ctrl-C before its VM is restarted (default 1.5 s). */
  interruptGraceMs?: number;
}

export class BoardRepl {
  private cpu: (Cpu & { files: FileEntry[] }) | null = null;
  private mode: ReplKind = "friendly";
  /** Bytes in the VM's raw REPL line since its last prompt (raw-paste is only recognised on an empty line). */
  private rawLineLength = 0;
  private held: number[] = [];
  private paste: { code: number[]; received: number } | null = null;
  /** Output bytes to drop: the "OK" the VM's raw REPL prints for code that came by raw-paste. */
  private dropOk = 0;
  private outputTail = "";
  private lastOutputByte = -1;
  /** Host input not yet handed to the CPU. */
  private input: number[] = [];
  /** A CPU is starting: input waits. */
  private restarting = false;
  private interruptTimer: NodeJS.Timeout | null = null;
  /** Input handed to the CPU since an unanswered Ctrl-C, replayed if the VM is restarted. */
  private sinceInterrupt: number[] = [];
  private closed = false;
  private readonly grace: number;

  constructor(
    private readonly send: (bytes: Uint8Array) => void,
    private readonly options: BoardReplOptions,
  ) {
    this.grace = options.interruptGraceMs ?? 1500;
  }

  /** Boots the board (banner and `>>> ` on the line) with these files. */
  async start(files: FileEntry[] = []): Promise<void> {
    await this.boot({ mode: "friendly", files, quiet: false });
  }

  /** The board's files as last reported. */
  get files(): FileEntry[] {
    return this.cpu?.files ?? [];
  }

  async stop(): Promise<void> {
    this.closed = true;
    if (this.interruptTimer) clearTimeout(this.interruptTimer);
    await this.cpu?.stop();
  }

  /** Bytes from the host. */
  receive(bytes: Uint8Array): void {
    this.input.push(...bytes);
    this.pump();
  }

  /**
   * Hands queued host input to the CPU. A raw-paste request is answered only
   * once the CPU has consumed everything before it, so the answer comes after
   * that input's output, as on a board that reads its line in order.
   */
  private pump(): void {
    if (this.restarting || !this.cpu) return;
    const forward: number[] = [];
    while (this.input.length) {
      const completesPasteRequest = !this.paste && this.held.length === 2 && this.input[0] === 0x01;
      if (completesPasteRequest && (this.cpu.busy || forward.length)) break; // pumped again on idle
      this.hostByte(this.input.shift()!, forward);
    }
    if (forward.length) this.cpu.input(Uint8Array.from(forward));
  }

  private hostByte(b: number, forward: number[]): void {
    if (this.paste) return this.pasteByte(b, forward);
    if (this.mode === "raw" && this.rawLineLength === 0) {
      // Hold \x05 'A' until we know whether \x01 follows (a raw-paste request).
      if (this.held.length === 0 && b === 0x05) {
        this.held.push(b);
        return;
      }
      if (this.held.length === 1 && b === 0x41) {
        this.held.push(b);
        return;
      }
      if (this.held.length === 2 && b === 0x01) {
        this.held = [];
        this.paste = { code: [], received: 0 };
        this.send(Uint8Array.of(0x52, 0x01, PASTE_WINDOW & 0xff, PASTE_WINDOW >> 8, 0x01));
        return;
      }
      if (this.held.length) {
        const held = this.held;
        this.held = [];
        for (const h of held) this.forwardByte(h, forward);
      }
    }
    this.forwardByte(b, forward);
  }

  private forwardByte(b: number, forward: number[]): void {
    forward.push(b);
    if (this.interruptTimer) this.sinceInterrupt.push(b);
    if (this.mode === "raw") this.rawLineLength = b <= 0x04 ? 0 : this.rawLineLength + 1;
    // Ctrl-C while a program may run (the CPU is busy, or input just before it may start one).
    if (b === 0x03 && !this.interruptTimer && (this.cpu?.busy || forward.length > 1)) {
      this.sinceInterrupt = [];
      this.interruptTimer = setTimeout(() => void this.interruptStuckProgram(), this.grace);
    }
  }

  /** Raw-paste input: count bytes and grant a window per window consumed, as a board does. */
  private pasteByte(b: number, forward: number[]): void {
    const paste = this.paste!;
    if (b === 0x04 || b === 0x03) {
      this.paste = null;
      this.send(Uint8Array.of(0x04)); // end of paste acknowledged (or abandoned, for Ctrl-C)
      const code = b === 0x04 ? paste.code : [...latin1("raise KeyboardInterrupt")];
      this.dropOk += 2;
      forward.push(...code, 0x04);
      this.rawLineLength = 0;
      return;
    }
    paste.code.push(b);
    paste.received++;
    if (paste.received % PASTE_WINDOW === 0) this.send(Uint8Array.of(0x01));
  }

  /** Output from the CPU: drop the raw-paste "OK", use board line endings, follow the REPL mode. */
  private output(bytes: Uint8Array): void {
    const out: number[] = [];
    for (const b of bytes) {
      if (this.dropOk > 0) {
        this.dropOk--;
        continue;
      }
      if (b === 0x0a && this.lastOutputByte !== 0x0d) out.push(0x0d);
      out.push(b);
      this.lastOutputByte = b;
    }
    if (out.length === 0) return;
    const chunk = Uint8Array.from(out);
    this.outputTail = (this.outputTail + Buffer.from(chunk).toString("latin1")).slice(-80);
    if (this.outputTail.includes("raw REPL; CTRL-B to exit\r\n")) {
      this.mode = "raw";
      this.rawLineLength = 0;
      this.outputTail = "";
    } else if (this.outputTail.includes("for more information.\r\n")) {
      this.mode = "friendly";
      this.outputTail = "";
    }
    this.send(chunk);
  }

  private events(): CpuEvents {
    return {
      output: (bytes) => this.output(bytes),
      idle: () => this.programEnded(),
      reboot: (rest) => void this.softReboot(rest),
    };
  }

  private programEnded(): void {
    if (this.interruptTimer) clearTimeout(this.interruptTimer);
    this.interruptTimer = null;
    this.sinceInterrupt = [];
    this.pump();
  }

  private async boot(options: { mode: ReplKind; files: FileEntry[]; quiet: boolean }, replay: number[] = []): Promise<void> {
    this.restarting = true;
    this.input.unshift(...replay);
    this.dropOk = 0;
    this.paste = null;
    this.held = [];
    this.rawLineLength = 0;
    this.mode = options.mode;
    this.cpu = await this.options.startCpu(options, this.events());
    this.restarting = false;
    if (!this.closed) this.pump();
  }

  private async softReboot(rest: Uint8Array): Promise<void> {
    const files = this.cpu!.files;
    this.restarting = true;
    this.programEnded();
    await this.cpu!.stop();
    if (this.closed) return;
    this.send(latin1("MPY: soft reboot\r\n"));
    await this.boot({ mode: this.mode, files, quiet: false }, [...rest]);
  }

  /** The program ignored Ctrl-C (a plain VM cannot be interrupted): restart the VM, keep the files, end it as KeyboardInterrupt would. */
  private async interruptStuckProgram(): Promise<void> {
    this.interruptTimer = null;
    if (!this.cpu?.busy || this.closed) return;
    const files = this.cpu.files;
    const replay = this.sinceInterrupt;
    this.sinceInterrupt = [];
    this.restarting = true;
    await this.cpu.stop();
    if (this.closed) return;
    const traceback = "Traceback (most recent call last):\r\nKeyboardInterrupt: \r\n";
    this.send(latin1(this.mode === "raw" ? `\x04${traceback}\x04>` : `${traceback}>>> `));
    // Input sent after the Ctrl-C went to the stopped VM: the new one gets it again.
    this.input = [...replay, ...this.input];
    await this.boot({ mode: this.mode, files, quiet: true });
  }
}
