// A `machine`-like module for firmware on an emulated board: Pin and
// unique_id, spelled as MicroPython spells them so firmware ports line by
// line. All state lives in the board's Gpio; Pin objects are thin handles.

import type { PinId } from "./board-file.ts";
import { EDGE_FALLING, EDGE_RISING, Gpio, ValueError, type Level, type PinMode, type Pull } from "./gpio.ts";

export interface MachinePin {
  readonly id: PinId;
  init(mode?: number, pull?: number | null, value?: number | boolean): void;
  /** value() reads the level; value(v) sets the output. */
  value(): Level;
  value(v: number | boolean): void;
  on(): void;
  off(): void;
  toggle(): void;
  /** Install an edge handler (called with the Pin); `handler` null removes it. */
  irq(handler: ((pin: MachinePin) => void) | null, trigger?: number): void;
}

export interface PinConstructor {
  new (id: PinId, mode?: number, pull?: number | null, value?: number | boolean): MachinePin;
  readonly IN: 0;
  readonly OUT: 1;
  readonly OPEN_DRAIN: 2;
  readonly PULL_UP: 1;
  readonly PULL_DOWN: 2;
  readonly IRQ_RISING: typeof EDGE_RISING;
  readonly IRQ_FALLING: typeof EDGE_FALLING;
}

export interface Machine {
  Pin: PinConstructor;
  /** The board's unique id bytes (a fresh copy each call). */
  unique_id(): Uint8Array;
  /** CPU frequency in Hz (informational). */
  freq(): number;
}

const MODES: Record<number, PinMode> = { 0: "in", 1: "out", 2: "open_drain" };
const PULLS: Record<number, Exclude<Pull, null>> = { 1: "up", 2: "down" };

/**
 * Pin's code, shared by every board; a board's `machine.Pin` is a subclass
 * that only supplies its Gpio, made when firmware first reads it (thousands
 * of boards may share a process, and most firmware of a bench run never
 * touches a pin).
 */
class PinBase implements MachinePin {
  static readonly IN = 0 as const;
  static readonly OUT = 1 as const;
  static readonly OPEN_DRAIN = 2 as const;
  static readonly PULL_UP = 1 as const;
  static readonly PULL_DOWN = 2 as const;
  static readonly IRQ_RISING = EDGE_RISING;
  static readonly IRQ_FALLING = EDGE_FALLING;

  readonly id: PinId;

  constructor(
    private readonly gpio: Gpio,
    id: PinId,
    mode?: number,
    pull?: number | null,
    value?: number | boolean,
  ) {
    gpio.resolve(id); // ValueError for pins the board does not have
    this.id = id;
    this.init(mode, pull, value);
  }

  init(mode?: number, pull?: number | null, value?: number | boolean): void {
    let m: PinMode | undefined;
    if (mode !== undefined && mode !== -1) {
      m = MODES[mode];
      if (m === undefined) throw new ValueError(`invalid pin mode: ${mode}`);
    }
    let p: Pull | undefined;
    if (pull === null) p = null;
    else if (pull !== undefined && pull !== -1) {
      p = PULLS[pull];
      if (p === undefined) throw new ValueError(`invalid pull: ${pull}`);
    }
    // As on the ports: the initial value is set before the pin becomes an output.
    if (value !== undefined) this.gpio.write(this.id, value ? 1 : 0);
    this.gpio.configure(this.id, m, p);
  }

  value(): Level;
  value(v: number | boolean): void;
  value(v?: number | boolean): Level | void {
    if (v === undefined) return this.gpio.read(this.id);
    this.gpio.write(this.id, v ? 1 : 0);
  }

  on(): void {
    this.gpio.write(this.id, 1);
  }

  off(): void {
    this.gpio.write(this.id, 0);
  }

  toggle(): void {
    this.gpio.write(this.id, this.gpio.state(this.id).out ? 0 : 1);
  }

  irq(handler: ((pin: MachinePin) => void) | null, trigger: number = EDGE_FALLING | EDGE_RISING): void {
    this.gpio.setIrq(this.id, trigger, handler ? () => handler(this) : null);
  }

  toString(): string {
    return `Pin(${this.id})`;
  }
}

/** A board's Pin class: PinBase bound to its Gpio. */
function pinClass(gpio: Gpio): PinConstructor {
  return class extends PinBase {
    constructor(id: PinId, mode?: number, pull?: number | null, value?: number | boolean) {
      super(gpio, id, mode, pull, value);
    }
  };
}

/** Method shorthand and a lazy Pin: per-board functions cost heap with thousands of boards (see time.ts). */
export function createMachine(gpio: Gpio, uniqueId: Uint8Array, cpuHz = 80_000_000): Machine {
  const id = uniqueId.slice();
  let pin: PinConstructor | undefined;
  return {
    get Pin() {
      return (pin ??= pinClass(gpio));
    },
    unique_id() {
      return id.slice();
    },
    freq() {
      return cpuHz;
    },
  };
}
