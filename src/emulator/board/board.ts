// One emulated board: a board definition brought to life on a clock, with
// its GPIO, machine and time modules, print capture, MicroPython-like heap
// and simulated network. Several boards share one process, one clock and
// one trace; each has its own name ("board1", "board2") and seeded streams.

import type { Clock } from "../clock/clock.ts";
import type { Trace } from "../trace.ts";
import { loadBoard, type BoardDefinition } from "./board-file.ts";
import { Gpio, type Level } from "./gpio.ts";
import { createMachine, type Machine } from "./machine.ts";
import { createTime, type TimeModule, type TimeOptions } from "./time.ts";
import { Heap, type HeapStats } from "./heap.ts";
import { BOARD_CHARGES_32, type UmqttLoad } from "./heap-calibration.ts";
import { bootHeap } from "./heap-boot.ts";
import { Network, type Dial, type NetCounters, type NetworkOptions } from "../network/network.ts";
import { applyProfileOverrides, getProfile, type NetProfile } from "../network/net-profiles.ts";
import { deriveSeed, hashString } from "../prng.ts";
import { pyPrintLine } from "../firmware/py.ts";
import { fromHex, toHex } from "../../client/bytes.ts";
import type { HeapView, NetworkView } from "../runner/session-api.ts";

export interface BoardOptions {
  /** A board definition, or a board id / board file path to load. */
  definition: BoardDefinition | string;
  clock: Clock;
  trace: Trace;
  /** Name in traces and steps, e.g. "board1". */
  name: string;
  /** Run seed; the board derives its own streams from it and its name (default 1). */
  seed?: number;
  /** Network profile or profile name (default: the board file's `network`). */
  profile?: NetProfile | string;
  /** CLI-style overrides applied to the profile, e.g. ["latencyMs=50"]. */
  profileOverrides?: readonly string[] | Record<string, string | number>;
  /** Opens the server side of a connection (the broker). */
  dial: Dial;
  /** Name resolution for getaddrinfo (default: every host resolves to itself). */
  resolve?: NetworkOptions["resolve"];
  /** Draw random network faults from the profile (default true). */
  randomFaults?: boolean;
  /** Heap budget override in bytes (default: the board file's heap.budget). */
  heapBudget?: number;
  /** How umqtt is loaded: frozen in flash (default), from a .mpy or .py file (bytecode in the heap), or not charged. */
  umqtt?: UmqttLoad;
  /** Bytes the firmware script itself holds (compiled main.py, globals); default BOARD_CHARGES_32.firmwareBytes. */
  firmwareBytes?: number;
  /** Trace every heap allocation (large traces); default false. */
  traceAllocs?: boolean;
  /** machine.unique_id() as hex; default: the board file's id with its last bytes mixed with the board name. */
  uniqueId?: string;
  /** ticks/time start values (e.g. to test ticks wrap-around). */
  time?: TimeOptions;
}

export interface LedState {
  name: string;
  lit: boolean;
  level: Level;
}

export interface BoardSummary {
  name: string;
  model: string;
  uniqueId: string;
  heap: HeapStats;
  net: NetCounters & { profile: string };
  leds: LedState[];
}

export class Board {
  readonly name: string;
  readonly definition: BoardDefinition;
  readonly clock: Clock;
  readonly trace: Trace;
  readonly gpio: Gpio;
  readonly machine: Machine;
  readonly time: TimeModule;
  readonly heap: Heap;
  readonly network: Network;
  /** machine.unique_id() bytes. */
  readonly uniqueId: Uint8Array;
  /** Python's print(*args): one `print` trace event per output line. */
  readonly print: (...args: unknown[]) => void;

  constructor(options: BoardOptions) {
    const def = typeof options.definition === "string" ? loadBoard(options.definition) : options.definition;
    this.definition = def;
    this.name = options.name;
    this.clock = options.clock;
    this.trace = options.trace;
    const seed = options.seed ?? 1;

    this.uniqueId = options.uniqueId !== undefined ? uniqueIdBytes(options.uniqueId) : boardUniqueId(def.unique_id, this.name);
    this.gpio = new Gpio({ def, clock: this.clock, trace: this.trace, board: this.name });
    this.machine = createMachine(this.gpio, this.uniqueId);
    this.time = createTime(this.clock, options.time);

    this.heap = new Heap({
      budget: options.heapBudget ?? def.heap.budget,
      trace: this.trace,
      clock: this.clock,
      board: this.name,
      traceAllocs: options.traceAllocs ?? false,
    });
    bootHeap(this.heap, options.umqtt ?? "frozen", options.firmwareBytes ?? BOARD_CHARGES_32.firmwareBytes);

    const base = options.profile ?? def.network;
    let profile = typeof base === "string" ? getProfile(base) : { ...base };
    if (options.profileOverrides) profile = applyProfileOverrides(profile, options.profileOverrides);
    this.network = new Network({
      clock: this.clock,
      trace: this.trace,
      board: this.name,
      profile,
      seed: deriveSeed(seed, this.name),
      dial: options.dial,
      dnsErrno: def.dns_errno,
      ...(options.resolve ? { resolve: options.resolve } : {}),
      ...(options.randomFaults === undefined ? {} : { randomFaults: options.randomFaults }),
    });

    this.print = (...args: unknown[]) => {
      const t = this.clock.now();
      for (const text of pyPrintLine(args).split("\n")) this.trace.emit({ t, kind: "print", board: this.name, text });
      this.clock.markActivity?.();
    };
  }

  /** Trace the board starting its firmware. */
  boot(detail?: string): void {
    this.emitBoard("boot", detail);
  }

  /** Trace the firmware returning. */
  exit(detail?: string): void {
    this.emitBoard("exit", detail);
  }

  /** Trace an uncaught exception, as MicroPython prints it ("OSError: [Errno 104] ECONNRESET"). */
  crash(error: unknown): void {
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.emitBoard("crash", detail);
  }

  pressButton(name: string): void {
    this.gpio.pressButton(name);
  }

  releaseButton(name: string): void {
    this.gpio.releaseButton(name);
  }

  buttonPressed(name: string): boolean {
    return this.gpio.buttonPressed(name);
  }

  /** State of an LED: lit (honouring its polarity) and the pin level. */
  led(name: string): LedState {
    const def = this.definition.leds.find((l) => l.name === name);
    const lit = this.gpio.ledLit(name); // throws ValueError for unknown names
    return { name, lit, level: this.gpio.level(def!.pin) };
  }

  ledLit(name: string): boolean {
    return this.gpio.ledLit(name);
  }

  /** Heap figures in the shape the UI shows. */
  heapView(): HeapView {
    return {
      budget: this.heap.budget,
      used: this.heap.mem_alloc(),
      free: this.heap.mem_free(),
      largestFree: this.heap.largestFree(),
      peakUsed: this.heap.peakUsed,
    };
  }

  /** Network figures in the shape the UI shows. */
  networkView(): NetworkView {
    const s = this.network.state;
    return {
      profile: s.profile,
      latencyMs: s.latencyMs,
      connected: this.network.connections.some((c) => c.status === "open"),
      partitioned: s.partitioned,
      wifiUp: s.wifiUp,
      connections: s.counters.connections,
      resets: s.counters.resets,
      faults: s.counters.faults,
    };
  }

  summary(): BoardSummary {
    return {
      name: this.name,
      model: this.definition.id,
      uniqueId: toHex(this.uniqueId),
      heap: this.heap.stats(),
      net: { ...this.network.state.counters, profile: this.network.profile.name },
      leds: this.definition.leds.map((l) => this.led(l.name)),
    };
  }

  private emitBoard(event: "boot" | "exit" | "crash", detail?: string): void {
    this.trace.emit(
      detail === undefined
        ? { t: this.clock.now(), kind: "board", board: this.name, event }
        : { t: this.clock.now(), kind: "board", board: this.name, event, detail },
    );
  }
}

/**
 * The unique id of a board instance: the board file's id with its last (up
 * to 3) bytes XORed with a hash of the board name, so two boards of one
 * model get different MQTT client ids, and a name always gets the same id.
 */
export function boardUniqueId(baseHex: string, name: string): Uint8Array {
  const bytes = uniqueIdBytes(baseHex);
  const h = hashString(name);
  const k = Math.min(3, bytes.length);
  for (let i = 0; i < k; i++) bytes[bytes.length - 1 - i]! ^= (h >>> (8 * i)) & 0xff;
  return bytes;
}

function uniqueIdBytes(hex: string): Uint8Array {
  if (!/^([0-9a-fA-F]{2})+$/.test(hex)) throw new RangeError(`unique id must be hex bytes, got "${hex}"`);
  return fromHex(hex);
}
