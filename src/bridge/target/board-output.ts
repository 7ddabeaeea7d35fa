// What a board running instrumented firmware sends on its serial line, as
// trace events of the kinds an emulated run records: its prints (one `print`
// per line), and its reports (frames.ts) as `board` (boot, exit, crash),
// `pin` and `heap` events, each with the board's own ticks_ms alongside.
// What the board prints before the firmware starts (the reboot banner, the
// user's boot.py) is not the firmware's and is not recorded.

import type { Clock } from "../../emulator/clock/clock.ts";
import { pinNumber, type BoardDefinition } from "../../emulator/board/board-file.ts";
import type { Trace } from "../../emulator/trace.ts";
import { FrameDecoder, type SerialEvent } from "../frames.ts";

/** A report the shim sends (src/bridge/py/ubench_shim.py, ubench_run.py). */
interface Report {
  k: string;
  ms?: number;
  pin?: number | string;
  v?: number;
  free?: number;
  what?: string;
  exc?: string;
  text?: string;
  connected?: boolean;
}

/** Characters of an unfinished line kept before it is recorded as it is. */
const MAX_LINE = 4096;

export interface HeapReading {
  used: number;
  free: number;
  peakUsed: number;
}

export class BoardOutput {
  private readonly decoder = new FrameDecoder();
  private line = "";
  private readonly text = new TextDecoder();
  /** Between the firmware's boot report and its end. */
  running = false;
  /** Pin levels by pin number, as the firmware wrote them (or the bench set a button). */
  private readonly levels = new Map<number, 0 | 1>();
  heap: HeapReading | undefined;
  /** Free heap at the boot checkpoint, before the firmware ran: the firmware's budget. */
  freeAtBoot: number | undefined;
  crashed: string | undefined;
  boots = 0;
  wifiJoined: boolean | undefined;
  /** Why the board cannot read the bench's commands (button levels), if it said so. */
  inputUnavailable: string | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly trace: Trace,
    private readonly board: string,
    private readonly model: BoardDefinition,
    /** The firmware's name as the scenario gives it: the `boot` event's detail, as in an emulated run. */
    private readonly firmware?: string,
    /** What the board said it is: on the first `boot` event, as the trace's record of the hardware. */
    private readonly device?: string,
  ) {}

  /**
   * A pin's level: the last one written, else what an idle pin reads as the
   * emulated board has it (an LED or button at its inactive level, else 0).
   */
  level(pin: number): 0 | 1 {
    const known = this.levels.get(pin);
    if (known !== undefined) return known;
    const wired = [...this.model.leds, ...this.model.buttons].find((w) => pinNumber(this.model, w.pin) === pin);
    return wired?.active === "low" ? 1 : 0;
  }

  /** Records a level; as on the emulated board, only a change is a `pin` event. */
  setLevel(pin: number, value: 0 | 1, stamp: { boardMs?: number } = {}): void {
    if (this.level(pin) === value) {
      this.levels.set(pin, value);
      return;
    }
    this.levels.set(pin, value);
    const led = this.model.leds.find((l) => pinNumber(this.model, l.pin) === pin);
    const button = this.model.buttons.find((b) => pinNumber(this.model, b.pin) === pin);
    const wired = led ? { role: "led" as const, name: led.name } : button ? { role: "button" as const, name: button.name } : {};
    this.trace.emit({ t: this.clock.now(), kind: "pin", board: this.board, pin, value, ...wired, ...stamp });
  }

  push(bytes: Uint8Array): void {
    this.handle(this.decoder.push(bytes));
  }

  /** The end of the stream: a last unfinished line is still a print. */
  flush(): void {
    this.handle(this.decoder.flush());
    if (this.line.length > 0) this.emitLine();
  }

  private handle(events: SerialEvent[]): void {
    for (const e of events) {
      if (e.kind === "text") this.addText(this.text.decode(e.bytes, { stream: true }));
      else this.report(e.value as Report);
    }
  }

  private addText(text: string): void {
    for (const ch of text) {
      if (ch === "\n") this.emitLine();
      else if (ch !== "\r") this.line += ch;
      // A firmware that never ends its line still has its output recorded, in pieces.
      if (this.line.length >= MAX_LINE) this.emitLine();
    }
  }

  private emitLine(): void {
    const text = this.line;
    this.line = "";
    if (this.running) this.trace.emit({ t: this.clock.now(), kind: "print", board: this.board, text });
  }

  private report(r: Report): void {
    if (typeof r !== "object" || r === null) return;
    const t = this.clock.now();
    const boardMs = typeof r.ms === "number" ? r.ms : undefined;
    const stamp = boardMs === undefined ? {} : { boardMs };
    switch (r.k) {
      case "boot":
        this.line = "";
        this.running = true;
        this.boots++;
        this.crashed = undefined;
        this.trace.emit({
          t,
          kind: "board",
          board: this.board,
          event: "boot",
          ...(this.firmware === undefined ? {} : { detail: this.firmware }),
          ...stamp,
          ...(this.boots === 1 && this.device !== undefined ? { device: this.device } : {}),
        });
        return;
      case "pin": {
        const pin = r.pin === undefined ? undefined : pinNumber(this.model, r.pin);
        if (pin !== undefined) this.setLevel(pin, r.v ? 1 : 0, stamp);
        return;
      }
      case "heap": {
        if (typeof r.free !== "number") return;
        // As in an emulated run, "used" is what the firmware took since boot: the boot checkpoint's free heap is the budget.
        this.freeAtBoot ??= r.free;
        const used = Math.max(0, this.freeAtBoot - r.free);
        this.heap = { used, free: r.free, peakUsed: Math.max(this.heap?.peakUsed ?? 0, used) };
        const what = r.what ? { what: r.what } : {};
        this.trace.emit({ t, kind: "heap", board: this.board, op: "checkpoint", ...what, used, free: r.free, largestFree: r.free, ...stamp });
        return;
      }
      case "crash":
        this.endLine();
        this.running = false;
        this.crashed = r.exc ?? "an exception";
        this.trace.emit({ t, kind: "board", board: this.board, event: "crash", detail: this.crashed, ...stamp });
        return;
      case "exit":
        this.endLine();
        this.running = false;
        this.trace.emit({ t, kind: "board", board: this.board, event: "exit", ...stamp });
        return;
      case "stopped":
        this.endLine();
        this.running = false;
        return;
      case "wifi":
        this.wifiJoined = r.connected === true;
        if (!this.wifiJoined) this.trace.emit({ t, kind: "error", board: this.board, message: "the board did not join Wi-Fi with the credentials of --wifi" });
        return;
      case "note":
        if (String(r.text ?? "").startsWith("bench input unavailable")) this.inputUnavailable = String(r.text);
        this.trace.emit({ t, kind: "error", board: this.board, message: String(r.text ?? "") });
        return;
    }
  }

  /** A line the firmware left unfinished when it ended is still its output. */
  private endLine(): void {
    if (this.line.length > 0) this.emitLine();
  }
}
