// The friendly REPL's line editing, as MicroPython's REPL does it on a board:
// echo, backspace (a whole UTF-8 character), Tab to indent, the up and down
// arrows over the last lines, `... ` lines with auto-indent until a statement
// is complete, Ctrl-C to drop the line, and paste mode (Ctrl-E). It echoes
// as it goes and tells the REPL front end what to do when a key means more
// than editing.

import { autoIndent, needsMoreInput } from "./continuation.ts";

const CTRL_A = 0x01;
const CTRL_B = 0x02;
const CTRL_C = 0x03;
const CTRL_D = 0x04;
const CTRL_E = 0x05;
const ESC = 0x1b;
/** Lines a board's REPL remembers for the up arrow. */
const HISTORY_LINES = 8;

const latin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
export const utf8 = (bytes: number[]): string => new TextDecoder().decode(Uint8Array.from(bytes));

/** What a key asks of the REPL beyond editing (the editor has echoed what a board echoes first). */
export type FriendlyAction =
  /** Run a typed statement (expression values printed) or paste mode's code. */
  | { kind: "run"; mode: "single" | "exec"; code: string }
  /** Ctrl-A on an empty line: the raw REPL. */
  | { kind: "raw" }
  /** Ctrl-B on an empty line: the banner again. */
  | { kind: "banner" }
  /** Ctrl-D on an empty line: soft reset. */
  | { kind: "reset" };

/** Backspace over a line of UTF-8 bytes: the whole last character. False when the line was empty. */
export function eraseLastCharacter(line: number[]): boolean {
  if (!line.length) return false;
  while (line.length > 1 && (line[line.length - 1]! & 0xc0) === 0x80) line.pop();
  line.pop();
  return true;
}

export class FriendlyInput {
  private line: number[] = [];
  /** Lines of a statement still being typed (after "... "). */
  private block: string[] = [];
  /** Paste mode (Ctrl-E): the lines so far. */
  private paste: string[] | null = null;
  /** An escape sequence (arrow keys) being read: its bytes after ESC. */
  private escape: number[] | null = null;
  /** Lines entered, oldest first, for the up and down arrows. */
  private history: string[] = [];
  /** Which history line the up arrow shows (-1: the line being typed). */
  private historyAt = -1;
  private lastInput = -1;

  constructor(private readonly echo: (bytes: Uint8Array) => void) {}

  /** Forgets the line being typed (the board reset). */
  clear(): void {
    this.line = [];
    this.block = [];
    this.paste = null;
    this.escape = null;
  }

  private echoText(text: string): void {
    this.echo(latin1(text));
  }

  /** One byte from the host. */
  byte(b: number): FriendlyAction | undefined {
    const last = this.lastInput;
    this.lastInput = b;
    if (this.paste) return this.pasteByte(b, last);
    if (this.escape) return this.escapeByte(b);
    const empty = this.line.length === 0 && this.block.length === 0;
    switch (b) {
      case ESC:
        this.escape = [];
        return;
      case CTRL_A:
      case CTRL_B:
      case CTRL_D:
        if (!empty) return;
        this.echoText("\r\n");
        return { kind: b === CTRL_A ? "raw" : b === CTRL_B ? "banner" : "reset" };
      case CTRL_C:
        this.line = [];
        this.block = [];
        this.echoText("\r\n>>> ");
        return;
      case CTRL_E:
        if (!empty) return;
        this.paste = [];
        this.line = [];
        this.echoText("\r\npaste mode; Ctrl-C to cancel, Ctrl-D to finish\r\n=== ");
        return;
      case 0x08:
      case 0x7f:
        if (eraseLastCharacter(this.line)) this.echoText("\x08 \x08");
        return;
      case 0x09:
        // No completion here; at the start of a line, Tab indents as on a board.
        if (this.line.every((c) => c === 0x20)) {
          this.line.push(0x20, 0x20, 0x20, 0x20);
          this.echoText("    ");
        }
        return;
      case 0x0a:
        if (last === 0x0d) return; // \r\n from a terminal that sends both
        return this.enter();
      case 0x0d:
        return this.enter();
    }
    if (b < 0x20) return;
    this.line.push(b);
    this.echo(Uint8Array.of(b));
  }

  /** ESC [ (or O), parameters, a final byte: the up and down arrows walk the history; other keys are ignored. */
  private escapeByte(b: number): undefined {
    const seq = this.escape!;
    if (seq.length === 0) {
      this.escape = b === 0x5b || b === 0x4f ? [b] : null;
      return;
    }
    if (b >= 0x30 && b <= 0x3f) {
      if (seq.length < 8) seq.push(b);
      else this.escape = null;
      return;
    }
    this.escape = null;
    if (seq.length !== 1 || (b !== 0x41 && b !== 0x42)) return;
    const at = Math.max(-1, Math.min(this.history.length - 1, this.historyAt + (b === 0x41 ? 1 : -1)));
    if (at === this.historyAt) return;
    this.historyAt = at;
    const shown = at < 0 ? "" : this.history[this.history.length - 1 - at]!;
    // Back over the typed text, the history line over it, the rest cleared.
    this.echoText("\x08".repeat(utf8(this.line).length));
    this.line = [...new TextEncoder().encode(shown)];
    this.echo(Uint8Array.from(this.line));
    this.echoText("\x1b[K");
  }

  /** Enter: the statement to run, or "... " and more lines. */
  private enter(): FriendlyAction | undefined {
    const text = utf8(this.line);
    this.line = [];
    this.historyAt = -1;
    if (text.trim() !== "" && text !== this.history[this.history.length - 1]) {
      this.history.push(text);
      if (this.history.length > HISTORY_LINES) this.history.shift();
    }
    this.echoText("\r\n");
    const lines = [...this.block, text.trim() === "" ? "" : text];
    const source = lines.join("\n") + (lines.length > 1 && lines[lines.length - 1] === "" ? "\n" : "");
    if (lines.length === 1 && text.trim() === "") {
      this.echoText(">>> ");
      return;
    }
    if (needsMoreInput(source)) {
      this.block = lines;
      const indent = autoIndent(text);
      this.echoText(`... ${indent}`);
      this.line = [...latin1(indent)];
      return;
    }
    this.block = [];
    return { kind: "run", mode: "single", code: lines.join("\n") };
  }

  private pasteByte(b: number, last: number): FriendlyAction | undefined {
    const paste = this.paste!;
    if (b === CTRL_C) {
      this.paste = null;
      this.line = [];
      this.echoText("\r\n>>> ");
    } else if (b === CTRL_D) {
      this.paste = null;
      const code = [...paste, utf8(this.line)].join("\n");
      this.line = [];
      this.echoText("\r\n");
      return { kind: "run", mode: "exec", code };
    } else if (b === 0x0d || (b === 0x0a && last !== 0x0d)) {
      paste.push(utf8(this.line));
      this.line = [];
      this.echoText("\r\n=== ");
    } else if (b !== 0x0a) {
      this.line.push(b);
      this.echo(Uint8Array.of(b));
    }
    return;
  }
}
