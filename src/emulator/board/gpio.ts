// The GPIO block of one board as plain state plus change events. Firmware
// (through machine.Pin) sets modes, pulls and output values; the bench drives
// input pins from outside (a button press pulls its pin to the active
// level). Every level change is traced as a `pin` event, naming the LED or
// button wired to the pin, and fires the pin's edge IRQ.
//
// The model of a pin's level:
//   output:      the output value (the bench cannot override a driven output)
//   open drain:  0 when the output is 0, else as an input
//   input:       the bench's drive if any, else the internal pull (up 1,
//                down 0), else the idle level of the part wired to it (its
//                inactive level: boards have pull resistors on their boot
//                buttons and LEDs), else 0.

import type { Clock } from "../clock/clock.ts";
import type { Trace } from "../trace.ts";
import { pinNumber, type BoardDefinition, type PinId } from "./board-file.ts";

export type Level = 0 | 1;
export type PinMode = "in" | "out" | "open_drain";
export type Pull = "up" | "down" | null;

/** Edge trigger bits (the values machine.Pin.IRQ_RISING/IRQ_FALLING carry). */
export const EDGE_RISING = 1;
export const EDGE_FALLING = 2;

export interface PinState {
  /** Trace number: the GPIO number, or the number of a named pin. */
  pin: number;
  mode: PinMode;
  pull: Pull;
  /** Value the firmware last wrote. */
  out: Level;
  /** Level driven from outside by the bench, or null. */
  drive: Level | null;
  /** The level the pin is at. */
  level: Level;
  /** IRQ trigger bits, 0 when no handler. */
  irqTrigger: number;
}

export interface Wiring {
  role: "led" | "button";
  name: string;
  active: "low" | "high";
}

export type PinChangeListener = (pin: number, level: Level, state: Readonly<PinState>) => void;

export interface GpioOptions {
  def: BoardDefinition;
  clock: Clock;
  trace?: Trace;
  /** Board name for trace events. */
  board: string;
}

/** Raised for a pin the board does not have, as MicroPython's `ValueError: invalid pin`. */
export class ValueError extends Error {
  override name = "ValueError";
}

/** What a board model wires to its pins, and its pins in order: the same for every board of the model. */
interface ModelPins {
  wiring: Map<number, Wiring>;
  pins: number[];
}

const modelPins = new WeakMap<BoardDefinition, ModelPins>();

function pinsOf(def: BoardDefinition): ModelPins {
  let known = modelPins.get(def);
  if (known === undefined) {
    const number = (id: PinId): number => {
      const n = pinNumber(def, id);
      if (n === undefined) throw new ValueError(`invalid pin ${typeof id === "string" ? `"${id}"` : id}`);
      return n;
    };
    const wiring = new Map<number, Wiring>();
    for (const led of def.leds) wiring.set(number(led.pin), { role: "led", name: led.name, active: led.active });
    for (const b of def.buttons) wiring.set(number(b.pin), { role: "button", name: b.name, active: b.active });
    const pins = [...new Set([...def.pins, ...Object.values(def.named_pins)])];
    known = { wiring, pins };
    modelPins.set(def, known);
  }
  return known;
}

export class Gpio {
  /** Pin states, made when a pin is first used: thousands of boards may share a process. */
  private readonly pins = new Map<number, PinState>();
  private readonly wiring: Map<number, Wiring>;
  private handlers: Map<number, (pin: number) => void> | undefined;
  private listeners: Set<PinChangeListener> | undefined;
  private readonly def: BoardDefinition;
  private readonly clock: Clock;
  private readonly trace: Trace | undefined;
  private readonly board: string;

  constructor(options: GpioOptions) {
    this.def = options.def;
    this.clock = options.clock;
    this.trace = options.trace;
    this.board = options.board;
    this.wiring = pinsOf(this.def).wiring;
  }

  /** The trace number of a pin id; ValueError when the board has no such pin. */
  resolve(id: PinId): number {
    const n = pinNumber(this.def, id);
    if (n === undefined) throw new ValueError(`invalid pin ${typeof id === "string" ? `"${id}"` : id}`);
    return n;
  }

  /** What is wired to a pin, if anything. */
  wiredTo(pin: number): Wiring | undefined {
    return this.wiring.get(pin);
  }

  /** A snapshot of one pin's state. */
  state(id: PinId): Readonly<PinState> {
    return { ...this.get(this.resolve(id)) };
  }

  /** Snapshots of all pins, by trace number. */
  snapshot(): PinState[] {
    return pinsOf(this.def).pins.map((pin) => ({ ...this.get(pin) }));
  }

  level(id: PinId): Level {
    return this.get(this.resolve(id)).level;
  }

  /** Firmware: set mode and pull (undefined leaves them as they are). */
  configure(id: PinId, mode?: PinMode, pull?: Pull): void {
    const s = this.get(this.resolve(id));
    if (mode !== undefined) s.mode = mode;
    if (pull !== undefined) s.pull = pull;
    this.update(s);
  }

  /** Firmware: write the output value (kept even while the pin is an input, as on hardware). */
  write(id: PinId, value: Level): void {
    const s = this.get(this.resolve(id));
    s.out = value;
    this.update(s);
  }

  /** Firmware: read the level. */
  read(id: PinId): Level {
    return this.level(id);
  }

  /** The bench drives a pin from outside; `null` lets it go (back to its pull level). */
  drive(id: PinId, level: Level | null): void {
    const s = this.get(this.resolve(id));
    s.drive = level;
    this.update(s);
  }

  /** Firmware: install (or with `handler` null remove) an edge IRQ. */
  setIrq(id: PinId, trigger: number, handler: ((pin: number) => void) | null): void {
    const pin = this.resolve(id);
    const s = this.get(pin);
    if (handler === null || trigger === 0) {
      s.irqTrigger = 0;
      this.handlers?.delete(pin);
    } else {
      s.irqTrigger = trigger;
      (this.handlers ??= new Map()).set(pin, handler);
    }
  }

  /** Listen to level changes; returns an unsubscribe function. */
  onChange(listener: PinChangeListener): () => void {
    const listeners = (this.listeners ??= new Set());
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  /** Is the LED named `name` lit? */
  ledLit(name: string): boolean {
    const led = this.def.leds.find((l) => l.name === name);
    if (!led) throw new ValueError(`no LED "${name}" on ${this.def.id} (has: ${this.def.leds.map((l) => l.name).join(", ") || "none"})`);
    return this.level(led.pin) === (led.active === "low" ? 0 : 1);
  }

  /** Is the button named `name` held down by the bench? */
  buttonPressed(name: string): boolean {
    const b = this.button(name);
    return this.get(this.resolve(b.pin)).drive === (b.active === "low" ? 0 : 1);
  }

  pressButton(name: string): void {
    const b = this.button(name);
    this.drive(b.pin, b.active === "low" ? 0 : 1);
  }

  releaseButton(name: string): void {
    this.drive(this.button(name).pin, null);
  }

  private button(name: string) {
    const b = this.def.buttons.find((x) => x.name === name);
    if (!b) throw new ValueError(`no button "${name}" on ${this.def.id} (has: ${this.def.buttons.map((x) => x.name).join(", ") || "none"})`);
    return b;
  }

  /** A pin's state (`pin` a number resolve() gave), made at its reset state on first use. */
  private get(pin: number): PinState {
    let state = this.pins.get(pin);
    if (state === undefined) {
      state = { pin, mode: "in", pull: null, out: 0, drive: null, level: 0, irqTrigger: 0 };
      state.level = this.compute(state);
      this.pins.set(pin, state);
    }
    return state;
  }

  private compute(s: PinState): Level {
    if (s.mode === "out") return s.out;
    if (s.mode === "open_drain" && s.out === 0) return 0;
    if (s.drive !== null) return s.drive;
    if (s.pull === "up") return 1;
    if (s.pull === "down") return 0;
    const wired = this.wiring.get(s.pin);
    if (wired) return wired.active === "low" ? 1 : 0;
    return 0;
  }

  private update(s: PinState): void {
    const level = this.compute(s);
    if (level === s.level) return;
    s.level = level;
    const wired = this.wiring.get(s.pin);
    this.trace?.emit(
      wired
        ? { t: this.clock.now(), kind: "pin", board: this.board, pin: s.pin, value: level, role: wired.role, name: wired.name }
        : { t: this.clock.now(), kind: "pin", board: this.board, pin: s.pin, value: level },
    );
    this.clock.markActivity?.();
    if (this.listeners) for (const l of this.listeners) l(s.pin, level, s);
    const edge = level === 1 ? EDGE_RISING : EDGE_FALLING;
    const handler = this.handlers?.get(s.pin);
    if (handler && s.irqTrigger & edge) {
      try {
        handler(s.pin);
      } catch (err) {
        this.trace?.emit({
          t: this.clock.now(),
          kind: "error",
          board: this.board,
          message: `Uncaught exception in IRQ callback handler: ${(err as Error).name}: ${(err as Error).message}`,
        });
      }
    }
  }
}
