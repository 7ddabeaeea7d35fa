// What firmware sees: the MicroPython modules it imports, bound to one
// emulated board. Firmware is an async function over this context, written so
// it reads line by line like the Python example it mirrors.

import type * as simple from "../../client/simple.ts";
import type * as robust from "../../client/robust.ts";
import type * as umqttDefault from "../../client/default.ts";

export interface PinLike {
  value(): 0 | 1;
  value(v: number | boolean): void;
  on(): void;
  off(): void;
  irq(handler: ((pin: PinLike) => void) | null, trigger?: number): void;
}

export interface PinConstructor {
  new (id: number | string, mode?: number, pull?: number | null, value?: number): PinLike;
  readonly IN: number;
  readonly OUT: number;
  readonly OPEN_DRAIN: number;
  readonly PULL_UP: number;
  readonly PULL_DOWN: number;
  readonly IRQ_FALLING: number;
  readonly IRQ_RISING: number;
}

export interface MachineModule {
  Pin: PinConstructor;
  unique_id(): Uint8Array;
}

export interface TimeModule {
  sleep(seconds: number): Promise<void>;
  sleep_ms(ms: number): Promise<void>;
  sleep_us(us: number): Promise<void>;
  ticks_ms(): number;
  ticks_us(): number;
  ticks_diff(a: number, b: number): number;
  ticks_add(ticks: number, delta: number): number;
}

export interface GcModule {
  collect(): void;
  mem_free(): number;
  mem_alloc(): number;
}

/** The umqtt classes, already wired to this board's network, heap and clock. */
export interface UmqttModules {
  simple: { MQTTClient: typeof simple.MQTTClient };
  robust: { MQTTClient: typeof robust.MQTTClient };
  default: { MQTTClient: typeof umqttDefault.MQTTClient };
}

export interface FirmwareContext {
  machine: MachineModule;
  time: TimeModule;
  gc: GcModule;
  ubinascii: { hexlify(data: Uint8Array): Uint8Array };
  umqtt: UmqttModules;
  /** print(*args): one line on the board's serial output. */
  print(...args: unknown[]): void;
  /** The broker's host name, as firmware's SERVER constant. */
  SERVER: string;
  /** Per-board values from the scenario file. */
  params: Record<string, unknown>;
}

export type Firmware = (board: FirmwareContext) => Promise<void>;
