// A scripted MicroPython REPL on @serialport/binding-mock, for protocol cases
// a pseudo-terminal with the VM cannot produce: a chosen raw-paste window,
// windows granted late, an early abort, firmware answering R\x00 or "ra",
// garbage, silence, a reboot mid-exec. It checks what the host sends (window
// credit never exceeded, fallback chunk sizes) and records it.

import { MockBinding, type MockPortBinding } from "@serialport/binding-mock";
import { SerialLink, type SerialOptions } from "../../src/bridge/serial-port.ts";

export type PasteSupport = "window" | "unsupported" | "old-firmware" | "garbage" | "silent";

export interface MockBoardOptions {
  paste?: PasteSupport;
  window?: number;
  /** Grant each new window only after this delay (ms), so the host must wait for it. */
  grantDelayMs?: number;
  /** End the paste with \x04 after this many bytes (a syntax error found while compiling). */
  abortAfter?: number;
  /** Output line ending: "\r\n" like a board, "\n" like the unix port. */
  eol?: string;
  /** After this many execs, the next one reboots mid-output. */
  rebootOnExec?: number;
}

const text = (b: Uint8Array): string => Buffer.from(b).toString("latin1");

let nextPort = 0;

export class MockBoard {
  readonly codes: string[] = [];
  /** Every write of the host, as it came. */
  readonly writes: Uint8Array[] = [];
  readonly violations: string[] = [];
  pasteRequests = 0;
  private mode: "friendly" | "raw" | "paste" = "friendly";
  private line = "";
  private granted = 0;
  private received = 0;
  private execs = 0;

  private constructor(
    readonly link: SerialLink,
    private readonly port: MockPortBinding,
    private readonly options: MockBoardOptions,
  ) {
    const write = port.write.bind(port);
    port.write = async (buffer: Buffer) => {
      await write(buffer);
      this.receive(new Uint8Array(buffer));
    };
  }

  static async open(options: MockBoardOptions = {}): Promise<MockBoard> {
    const path = `/dev/MOCKBOARD${nextPort++}`;
    MockBinding.createPort(path, { echo: false, record: false });
    const link = await SerialLink.open(path, { binding: MockBinding as unknown as SerialOptions["binding"] });
    return new MockBoard(link, link.port as MockPortBinding, options);
  }

  private get eol(): string {
    return this.options.eol ?? "\r\n";
  }

  private send(s: string): void {
    if (this.port.isOpen) this.port.emitData(Buffer.from(s, "latin1"));
  }

  private receive(chunk: Uint8Array): void {
    this.writes.push(chunk.slice());
    for (const byte of chunk) this.byte(byte);
  }

  private byte(b: number): void {
    const c = String.fromCharCode(b);
    if (this.mode === "paste") return this.pasteByte(c);
    if (this.mode === "friendly") {
      if (c === "\x01") {
        this.mode = "raw";
        this.line = "";
        this.send("\r\nraw REPL; CTRL-B to exit\r\n>");
      } else if (c === "\x02") this.send(`\r\nMicroPython v1.24.1 on 2024-11-29; Mock board${this.eol}>>> `);
      return;
    }
    // raw REPL
    if (c === "\x01") {
      if (this.line === "\x05A") return this.pasteRequest();
      this.line = "";
      this.send("raw REPL; CTRL-B to exit\r\n>");
    } else if (c === "\x02") {
      this.mode = "friendly";
      this.line = "";
      this.send(`\r\nMicroPython v1.24.1 on 2024-11-29; Mock board${this.eol}>>> `);
    } else if (c === "\x03") this.line = "";
    else if (c === "\x04") {
      const code = this.line;
      this.line = "";
      if (this.afterAbort) return this.run(code);
      if (code.length === 0) {
        this.send("OK\r\nMPY: soft reboot\r\nraw REPL; CTRL-B to exit\r\n>");
        return;
      }
      this.send("OK");
      this.run(code);
    } else this.line += c;
  }

  private pasteRequest(): void {
    this.pasteRequests++;
    this.line = "";
    const paste = this.options.paste ?? "window";
    if (paste === "unsupported") this.send("R\x00>");
    else if (paste === "old-firmware") this.send("raw REPL; CTRL-B to exit\r\n>");
    else if (paste === "garbage") this.send("\xff\xfe#garbage");
    else if (paste === "silent") return;
    else {
      const window = this.options.window ?? 128;
      this.mode = "paste";
      this.granted = 2 * window; // the header's window plus the \x01 sent with it
      this.received = 0;
      this.send(`R\x01${String.fromCharCode(window & 0xff, window >> 8)}\x01`);
    }
  }

  private pasteByte(c: string): void {
    if (c === "\x04") {
      const code = this.line;
      this.line = "";
      this.mode = "raw";
      this.send("\x04");
      this.run(code);
      return;
    }
    this.received++;
    if (this.received > this.granted) this.violations.push(`byte ${this.received} sent with only ${this.granted} granted`);
    this.line += c;
    const window = this.options.window ?? 128;
    if (this.options.abortAfter !== undefined && this.received === this.options.abortAfter) {
      this.mode = "raw";
      this.line = "";
      this.send("\x04"); // abort: then wait for the host's \x04, which arrives as a raw byte and runs nothing
      this.afterAbort = true;
      return;
    }
    if (this.received % window === 0) {
      const grant = () => {
        this.granted += window;
        this.send("\x01");
      };
      if (this.options.grantDelayMs) setTimeout(grant, this.options.grantDelayMs);
      else grant();
    }
  }

  private afterAbort = false;

  private run(code: string): void {
    if (this.afterAbort) {
      this.afterAbort = false;
      this.send(`\x04Traceback (most recent call last):${this.eol}  File "<stdin>", line 3${this.eol}SyntaxError: invalid syntax${this.eol}\x04>`);
      return;
    }
    this.codes.push(code);
    this.execs++;
    if (this.options.rebootOnExec !== undefined && this.execs > this.options.rebootOnExec) {
      this.send(`partial${this.eol}\x04\x04MPY: soft reboot\r\nraw REPL; CTRL-B to exit\r\n>`);
      return;
    }
    if (code.startsWith("raise ")) {
      this.send(`\x04Traceback (most recent call last):${this.eol}  File "<stdin>", line 1, in <module>${this.eol}ValueError: bad${this.eol}\x04>`);
      return;
    }
    this.send(`received ${code.length} bytes${this.eol}second line${this.eol}\x04\x04>`);
  }

  /** Bytes the host wrote, for tests that look at the raw stream. */
  static text = text;
}
