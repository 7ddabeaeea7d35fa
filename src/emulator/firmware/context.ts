// What firmware sees: the MicroPython modules it imports, bound to one
// emulated board. Firmware is an async function over this context, written so
// it reads line by line like the Python example it mirrors.

import type * as simple from "../../client/simple.ts";
import type * as robust from "../../client/robust.ts";
import type * as umqttDefault from "../../client/default.ts";
import type { Machine } from "../board/machine.ts";
import type { TimeModule } from "../board/time.ts";

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
  machine: Machine;
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
