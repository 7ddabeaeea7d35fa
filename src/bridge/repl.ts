// MicroPython's REPL protocols over a ByteLink, as boards implement them:
// the friendly REPL (Ctrl-C, Ctrl-D soft reset), the raw REPL (Ctrl-A; code,
// Ctrl-D -> "OK", stdout, \x04, stderr, \x04, ">"), and raw-paste (Ctrl-E 'A'
// Ctrl-A) with its flow-control windows, falling back to paced raw REPL
// writes on firmware without it. Every protocol quirk lives here; callers
// see exec() and text.

import { concat } from "../client/bytes.ts";
import { BridgeError, showBytes } from "./errors.ts";
import { Inbox } from "./inbox.ts";
import type { ByteLink } from "./link.ts";

const bytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

const CTRL_A = 0x01;
const CTRL_D = 0x04;
const RAW_BANNER = bytes("raw REPL; CTRL-B to exit\r\n");
const RAW_PROMPT = bytes("raw REPL; CTRL-B to exit\r\n>");
const FRIENDLY_PROMPT = bytes(">>> ");
const SOFT_REBOOT = bytes("soft reboot\r\n");
const EOT = bytes("\x04");

/** Raw REPL fallback pacing, as boards without raw-paste need it: their input buffer is small. */
export const FALLBACK_CHUNK = 256;
export const FALLBACK_PAUSE_MS = 10;

export interface ReplOptions {
  /** Unread bytes beyond which the board counts as flooding the line (default 8 MiB). */
  maxUnread?: number;
  /** Port name for messages. */
  name?: string;
  /** How long the board may stay silent while we wait for a protocol answer (default 3 s). */
  answerMs?: number;
  /** Waits between fallback chunks; tests record it. */
  pause?: (ms: number) => Promise<void>;
}

export interface ExecOptions {
  /** How long the code may run without printing before we give up (default 10 s). */
  silentMs?: number;
  /** Called with stdout bytes as they arrive; the result's stdout is then empty (a long-running program's output is not kept). */
  onStdout?: (chunk: Uint8Array) => void;
}

export interface ExecResult {
  stdout: Uint8Array;
  stderr: Uint8Array;
}

export type ReplMode = "unknown" | "friendly" | "raw";

export class Repl {
  readonly inbox: Inbox;
  readonly name: string;
  mode: ReplMode = "unknown";
  /** Whether the board accepted raw-paste; undefined until the first exec tries it. */
  rawPaste: boolean | undefined;
  /** How the last exec's code went out. */
  lastWrite: "raw-paste" | "raw" | undefined;
  /** The raw prompt ">" has been read and the board waits for code. */
  private promptRead = false;
  private readonly answerMs: number;
  private readonly pause: (ms: number) => Promise<void>;

  constructor(
    private readonly link: ByteLink,
    options: ReplOptions = {},
  ) {
    this.name = options.name ?? "board";
    this.inbox = new Inbox(link, this.name, options.maxUnread);
    this.answerMs = options.answerMs ?? 3000;
    this.pause = options.pause ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  private write(data: Uint8Array | string): Promise<void> {
    return this.link.write(typeof data === "string" ? bytes(data) : data);
  }

  private wait(what: string, idleMs = this.answerMs) {
    return { what, idleMs };
  }

  /**
   * Stops whatever runs and leaves the board at the friendly prompt: Ctrl-C
   * twice (a program may catch the first KeyboardInterrupt), then Ctrl-B, which
   * both leaves the raw REPL and redraws the banner and `>>> ` in the friendly one.
   */
  async interrupt(): Promise<void> {
    await this.write("\r\x03");
    await this.pause(100);
    await this.write("\x03");
    await this.drain();
    await this.write("\x02");
    await this.inbox.readUntil(FRIENDLY_PROMPT, this.wait("friendly prompt \">>> \" after Ctrl-C"));
    this.mode = "friendly";
    this.promptRead = false;
  }

  /** Enters the raw REPL (after stopping any program); with `softReset`, reboots first so no state of a previous program remains. */
  async enterRaw(options: { softReset?: boolean } = {}): Promise<void> {
    await this.write("\r\x03");
    await this.pause(100);
    await this.write("\x03");
    await this.drain();
    // A board at the raw prompt says nothing until spoken to: bytes after the
    // prompt are the late end of something earlier (a reboot's banner, an
    // interrupted program), so ask again until the prompt is the last word.
    for (let attempt = 1; ; attempt++) {
      await this.write("\r\x01");
      await this.inbox.readUntil(RAW_PROMPT, this.wait("raw REPL prompt after Ctrl-A"));
      if ((await this.drain()) === 0 || attempt === 3) break;
    }
    this.mode = "raw";
    this.promptRead = true;
    if (options.softReset) await this.softReset();
  }

  /**
   * Ctrl-D soft reset. In the raw REPL the board answers "OK", reboots and
   * comes back in the raw REPL; in the friendly REPL it comes back to `>>> `
   * after running boot.py and main.py (a main.py that never returns leaves
   * no prompt: call interrupt() then).
   */
  async softReset(): Promise<void> {
    if (this.mode === "raw") {
      if (!this.promptRead) await this.inbox.readUntil(bytes(">"), this.wait("raw REPL prompt"));
      await this.write("\x04");
      await this.inbox.readUntil(SOFT_REBOOT, this.wait("\"soft reboot\" after Ctrl-D"));
      await this.inbox.readUntil(RAW_PROMPT, this.wait("raw REPL prompt after the soft reboot", 10_000));
      this.promptRead = true;
      return;
    }
    await this.write("\x03\x04"); // Ctrl-D resets only on an empty line: Ctrl-C clears it first
    await this.inbox.readUntil(SOFT_REBOOT, this.wait("\"soft reboot\" after Ctrl-D"));
    await this.inbox.readUntil(FRIENDLY_PROMPT, this.wait("friendly prompt after the soft reboot", 10_000));
    this.mode = "friendly";
  }

  /** Discards what the board sends until it has been quiet a moment (the end of an interrupted program, a reboot's banner); returns how many bytes. */
  private async drain(): Promise<number> {
    let quietFor = 0;
    for (let waited = 0; waited < 5000 && quietFor < 200; waited += 50) {
      const before = this.inbox.unread;
      await this.pause(50);
      quietFor = this.inbox.unread === before ? quietFor + 50 : 0;
    }
    return this.inbox.takeAll().length;
  }

  /** Back to the friendly REPL. */
  async exitRaw(): Promise<void> {
    await this.write("\r\x02");
    await this.inbox.readUntil(FRIENDLY_PROMPT, this.wait("friendly prompt after Ctrl-B"));
    this.mode = "friendly";
    this.promptRead = false;
  }

  /** Runs `code` in the raw REPL and returns its stdout and stderr (the traceback, if it raised). */
  async exec(code: string | Uint8Array, options: ExecOptions = {}): Promise<ExecResult> {
    if (this.mode !== "raw") await this.enterRaw();
    const source = typeof code === "string" ? new TextEncoder().encode(code) : code;
    if (!this.promptRead) await this.expectPrompt();
    this.promptRead = false;
    if (this.rawPaste !== false && (await this.startRawPaste())) {
      this.lastWrite = "raw-paste";
      await this.rawPasteWrite(source);
    } else {
      this.lastWrite = "raw";
      await this.rawWrite(source);
    }
    return this.follow(options);
  }

  /** The prompt after an exec: ">" and nothing else (a reboot shows as "MPY: soft reboot"). */
  private async expectPrompt(): Promise<void> {
    const got = await this.inbox.read(1, this.wait("raw REPL prompt \">\""));
    if (got[0] !== 0x3e) await this.unexpected(got, "raw REPL prompt \">\"");
    this.promptRead = true;
  }

  /** Asks for raw-paste; true when the board entered it, false (and remembered) when it cannot. */
  private async startRawPaste(): Promise<boolean> {
    await this.write("\x05A\x01");
    const answer = await this.inbox.read(2, this.wait("answer to the raw-paste request"));
    if (answer[0] === 0x52 && answer[1] === 0x01) {
      this.rawPaste = true;
      return true;
    }
    if (answer[0] === 0x52 && answer[1] === 0x00) {
      // Understood but unsupported: the board redraws the raw prompt.
      await this.inbox.readUntil(bytes(">"), this.wait("raw REPL prompt after raw-paste was refused"));
    } else if (answer[0] === 0x72 && answer[1] === 0x61 && this.rawPaste === undefined) {
      // "ra": firmware before raw-paste took Ctrl-A as "reset the raw REPL" and reprints its banner.
      // (Only believed on a connection where raw-paste never worked: else it is a board that reset.)
      await this.inbox.readUntil(bytes("w REPL; CTRL-B to exit\r\n>"), this.wait("raw REPL banner from firmware without raw-paste"));
    } else {
      await this.unexpected(answer, "answer to the raw-paste request (R\\x01, R\\x00 or the raw REPL banner)");
    }
    this.rawPaste = false;
    return false;
  }

  /**
   * Sends code in raw-paste mode. The board announces a window size, and each
   * \x01 it sends grants one more window of that many bytes; it may end the
   * paste early with \x04 (a syntax error found while compiling), which we
   * acknowledge with \x04.
   */
  private async rawPasteWrite(source: Uint8Array): Promise<void> {
    const header = await this.inbox.read(2, this.wait("raw-paste window size"));
    const window = header[0] | (header[1] << 8);
    if (window === 0) await this.unexpected(header, "a non-zero raw-paste window size");
    let credit = window;
    let sent = 0;
    while (sent < source.length) {
      while (credit === 0 || this.inbox.unread > 0) {
        const signal = (await this.inbox.read(1, this.wait("raw-paste flow control (\\x01)")))[0];
        if (signal === CTRL_A) credit += window;
        else if (signal === CTRL_D) {
          await this.write(EOT); // the board stopped reading early; its error follows as output
          return;
        } else await this.unexpected(Uint8Array.of(signal), "raw-paste flow control (\\x01 or \\x04)");
      }
      const chunk = source.subarray(sent, sent + Math.min(credit, source.length - sent));
      await this.write(chunk);
      credit -= chunk.length;
      sent += chunk.length;
    }
    await this.write(EOT);
    // The board echoes \x04 once it has compiled; window grants may still arrive before it.
    const tail = await this.inbox.readUntil(EOT, this.wait("end of raw-paste (\\x04)", 10_000));
    if (tail.subarray(0, -1).some((b) => b !== CTRL_A)) await this.unexpected(tail, "end of raw-paste (\\x04)");
  }

  /** Plain raw REPL: the board's input buffer is small, so write 256 bytes every 10 ms. */
  private async rawWrite(source: Uint8Array): Promise<void> {
    for (let at = 0; at < source.length; at += FALLBACK_CHUNK) {
      await this.write(source.subarray(at, at + FALLBACK_CHUNK));
      await this.pause(FALLBACK_PAUSE_MS);
    }
    await this.write(EOT);
    const ok = await this.inbox.read(2, this.wait("\"OK\" after the code"));
    if (ok[0] !== 0x4f || ok[1] !== 0x4b) await this.unexpected(ok, "\"OK\" after the code");
  }

  /** Reads stdout up to \x04, stderr up to \x04, then the prompt; a reboot on the way is a soft-reset error. */
  private async follow(options: ExecOptions): Promise<ExecResult> {
    const silentMs = options.silentMs ?? 10_000;
    const parts: Uint8Array[] = [];
    for (let part = 0; part < 2; part++) {
      const wait = this.wait(part === 0 ? "end of the program's output (\\x04)" : "end of the program's error output (\\x04)", silentMs);
      if (part === 0 && options.onStdout) {
        if ((await this.inbox.streamUntilFirst([EOT, SOFT_REBOOT], wait, options.onStdout)) === 1) await this.rebootedDuringExec();
        parts.push(new Uint8Array(0));
        continue;
      }
      const { bytes: got, matched } = await this.inbox.readUntilFirst([EOT, SOFT_REBOOT], wait);
      if (matched === 1) await this.rebootedDuringExec();
      parts.push(got.subarray(0, -1));
    }
    await this.expectPromptAfterExec();
    return { stdout: parts[0], stderr: parts[1] };
  }

  private async expectPromptAfterExec(): Promise<void> {
    const { bytes: got, matched } = await this.inbox.readUntilFirst([bytes(">"), SOFT_REBOOT], this.wait("raw REPL prompt \">\" after the output"));
    // sys.exit() or machine.soft_reset() in the code: the board reboots right after the output.
    if (matched === 1) await this.rebootedDuringExec();
    if (got.length !== 1) await this.unexpected(got, "raw REPL prompt \">\" after the output");
    this.promptRead = true;
  }

  /** Resynchronises on the raw prompt the board shows after rebooting, then reports the reboot. */
  private async rebootedDuringExec(): Promise<never> {
    try {
      await this.inbox.readUntil(RAW_BANNER, this.wait("raw REPL banner after the reboot", 10_000));
      this.promptRead = false;
    } catch {
      this.mode = "unknown";
    }
    throw new BridgeError("soft-reset", `${this.name}: the board rebooted (soft reset) in the middle of the operation; run it again`);
  }

  private async unexpected(got: Uint8Array, expected: string): Promise<never> {
    // Let the rest of the burst arrive (a rebooting board prints for a while)
    // so the message shows it whole and a reboot is recognised as one.
    const parts = [got];
    for (let waited = 0; waited < 3000; waited += 100) {
      const before = this.inbox.unread;
      await this.pause(100);
      if (this.inbox.unread === before && waited >= 200) break;
    }
    parts.push(this.inbox.takeAll());
    const all = concat(parts);
    this.mode = "unknown";
    this.promptRead = false;
    // A board that reset itself (watchdog, brown-out, another tool's Ctrl-D) says so before its prompt.
    if (Buffer.from(all).includes("soft reboot") || Buffer.from(all).includes("MicroPython v")) {
      throw new BridgeError("soft-reset", `${this.name}: the board rebooted in the middle of the operation; run it again`);
    }
    throw new BridgeError("garbage", `${this.name}: expected ${expected}, got "${showBytes(all)}" (another program on the port, a wrong baud rate, or not MicroPython?)`);
  }
}

/** Board text as a string with `\n` line endings: boards end lines with \r\n, the unix port with \n. */
export function boardText(data: Uint8Array): string {
  return new TextDecoder().decode(data).replace(/\r\n/g, "\n");
}

/** The last line of a MicroPython traceback ("OSError: [Errno 2] ENOENT"), or the whole text if it is one line. */
export function exceptionLine(stderr: Uint8Array): string {
  const lines = boardText(stderr).trim().split("\n");
  return lines[lines.length - 1] ?? "";
}
