// One scenario board brought up for a run: the emulated Board, its firmware
// with the MicroPython modules bound to it, and the MQTT tap that puts its
// traffic in the trace. Also what the UI and the steps read of it.

import * as simple from "../../client/simple.ts";
import * as robust from "../../client/robust.ts";
import type { RobustOptions } from "../../client/robust.ts";
import * as umqttDefault from "../../client/default.ts";
import { clientOptions, type ClientOptions, type ConstructorRest } from "../../client/simple.ts";
import type { Transport } from "../../client/socket.ts";
import type { Allocator } from "../../client/alloc.ts";
import { bytesOf, type Text } from "../../client/bytes.ts";
import { DEFAULT_UMQTT_VERSION, type UmqttVersion } from "../../client/versions.ts";
import { Board } from "../board/board.ts";
import { boardModel, loadBoard } from "../board/board-file.ts";
import type { BrokerLink } from "../broker/link.ts";
import type { Clock } from "../clock/clock.ts";
import type { Firmware, FirmwareContext, GcModule, UmqttModules } from "../firmware/context.ts";
import { FirmwareError, loadFirmware, locateFirmware } from "../firmware/load.ts";
import { firmwareTraceback } from "./traceback.ts";
import { markClientMethods, markingModule, type FirmwareWatch } from "./firmware-watch.ts";
import { hexlify } from "../firmware/py.ts";
import { Network } from "../network/network.ts";
import { resolveProfile } from "../network/net-profiles.ts";
import type { BoardResult } from "./result.ts";
import { ScenarioError } from "../scenario/parse.ts";
import { checkStepsAgainstBoards } from "../scenario/check-boards.ts";
import type { FaultKind, Scenario, ScenarioBoard } from "../scenario/types.ts";
import type { BoardView, ButtonView, HeapView, LedView, NetworkView } from "./session-api.ts";
import type { Trace } from "../trace.ts";
import { createMqttTap } from "./mqtt-tap.ts";
import type { FirmwareWrapper } from "../../micropython/firmware/firmware-wrapper.ts";
import { StepFailure } from "./steps.ts";

export interface BoardHostOptions {
  clock: Clock;
  trace: Trace;
  broker: BrokerLink;
  seed: number;
  boardModel?: string;
  boardModels?: Record<string, string>;
  net?: string;
  netOverrides?: readonly string[];
  /** umqtt.simple release for every board, over each board's own `umqtt`. */
  umqtt?: UmqttVersion;
  /** Told which board's firmware resumes, for a supervisor's watchdog. */
  firmwareWatch?: FirmwareWatch;
  /** Built-in firmware in MicroPython (default, run on a VM) or its TypeScript port. */
  firmwareLang?: "py" | "ts";
  /** Record line coverage of .py firmware (`--coverage`); TypeScript firmware is then bad input. */
  coverage?: boolean;
  /** Runs every board's .py firmware inside this code (a prediction for a board under the bench's instrumentation). */
  wrapFirmware?: FirmwareWrapper;
}

/** Taps every connection a network opens, so its MQTT packets reach the trace. */
function tapConnections(network: Network, clock: Clock, trace: Trace, board: string): void {
  network.onConnection((conn) => {
    conn.onBytes = createMqttTap(clock, trace, board);
  });
}

/** The link the bench's own clients use: ideal, no random faults, traced as "bench". */
export function createBenchTransport(clock: Clock, trace: Trace, broker: BrokerLink, seed: number): Transport {
  const network = new Network({ clock, trace, board: "bench", profile: "ideal", seed, randomFaults: false, dial: (addr) => broker.dial(addr, "bench") });
  tapConnections(network, clock, trace, "bench");
  return network;
}

// TypeScript requires a mixin base to be constructible with `...args: any[]`.
type ClientClass = new (...args: any[]) => simple.MQTTClient;

/** What a board hands every umqtt client it makes: its network, heap, clock and serial output. */
interface BoardClientSetup {
  injected: Partial<RobustOptions>;
  heap: Allocator;
  mark: (() => void) | undefined;
}

/**
 * A subclass of an umqtt client class that always gets the board's options
 * merged into its own (and marks resumes, if watched), and charges the
 * board's heap for the topic and payload the firmware hands to publish():
 * on a device the firmware built those objects, so a payload the heap
 * cannot hold fails with MemoryError before any byte is sent. Made once per
 * umqtt class; a board's own class only passes its setup in.
 */
function boardClientClass<C extends ClientClass>(Base: C) {
  return class BoardClient extends Base {
    readonly boardSetup: BoardClientSetup;

    constructor(...args: any[]) {
      const setup = args.pop() as BoardClientSetup;
      const [client_id, server, ...rest] = args;
      super(client_id, server, { ...clientOptions(rest as ConstructorRest<ClientOptions>), ...setup.injected });
      this.boardSetup = setup;
      if (setup.mark) markClientMethods(this, setup.mark);
    }

    override async publish(topic: Text, msg: Text, retain = false, qos = 0): Promise<void> {
      const heap = this.boardSetup.heap;
      const charges = chargeFirmwareData(heap, [
        [topic, "firmware.topic"],
        [msg, "firmware.payload"],
      ]);
      try {
        return await super.publish(topic, msg, retain, qos);
      } finally {
        for (const h of charges) heap.release(h);
      }
    }
  };
}

const BoardClients = {
  simple: boardClientClass(simple.MQTTClient),
  robust: boardClientClass(robust.MQTTClient),
  default: boardClientClass(umqttDefault.MQTTClient),
};

/** Allocate each value as the bytes/str object firmware built; on MemoryError release what was taken. */
function chargeFirmwareData(heap: Allocator, values: [Text, string][]): number[] {
  const handles: number[] = [];
  try {
    for (const [value, what] of values) handles.push(heap.alloc(bytesOf(value).length, what));
  } catch (error) {
    for (const h of handles) heap.release(h);
    throw error;
  }
  return handles;
}

/**
 * umqtt's module for one board: `MQTTClient` makes a `Shared` client with
 * the board's setup, so firmware writes `new MQTTClient(id, server, ...)`.
 * A function, not a subclass: a class per board gives every board's
 * clients hidden classes of their own (about 1.5 KiB a board). Statics set
 * on it (robust's DELAY, DEBUG) apply to this board's clients, which see it
 * as their class.
 */
function boardClientModule<C extends ClientClass>(Shared: C, setup: BoardClientSetup): { MQTTClient: C } {
  const module = { MQTTClient: undefined as unknown as C };
  // Assigned, not declared: a function with no name to keep has no property table (see time.ts).
  module.MQTTClient = function (this: unknown, ...args: unknown[]) {
    // Firmware's own subclass (`class Mine extends MQTTClient`): its prototype, so its methods and fields are there.
    if (new.target !== undefined && (new.target as unknown) !== module.MQTTClient) return Reflect.construct(Shared, [...args, setup], new.target) as object;
    const client = new Shared(...args, setup);
    Object.defineProperty(client, "constructor", { value: module.MQTTClient, writable: true, configurable: true });
    return client;
  } as unknown as C;
  module.MQTTClient.prototype = Shared.prototype;
  Object.setPrototypeOf(module.MQTTClient, Shared); // DELAY, DEBUG and the like, until set here
  return module;
}

/**
 * umqtt classes whose constructors take this board's network, heap and
 * clock, so firmware writes `new umqtt.simple.MQTTClient(id, server)`. Each
 * is made on first use: most firmware imports one, and thousands of boards
 * may share a process. The getters live on a shared prototype.
 */
class BoardUmqtt implements UmqttModules {
  private setup: BoardClientSetup | undefined;
  private made: Partial<UmqttModules> = {};

  constructor(
    private readonly board: Board,
    private readonly version: UmqttVersion,
    private readonly mark: (() => void) | undefined,
  ) {}

  private clientSetup(): BoardClientSetup {
    const { board } = this;
    return (this.setup ??= {
      injected: {
        version: this.version,
        transport: board.network,
        allocator: board.heap,
        sleep(ms: number) {
          return board.clock.sleep(ms);
        },
        print(line: string) {
          board.print(line);
        },
      },
      heap: board.heap,
      mark: this.mark,
    });
  }

  get simple(): UmqttModules["simple"] {
    return (this.made.simple ??= boardClientModule(BoardClients.simple, this.clientSetup()));
  }

  get robust(): UmqttModules["robust"] {
    return (this.made.robust ??= boardClientModule(BoardClients.robust, this.clientSetup()));
  }

  get default(): UmqttModules["default"] {
    return (this.made.default ??= boardClientModule(BoardClients.default, this.clientSetup()));
  }
}

/** MicroPython's gc module on a board's heap (method shorthand: see src/emulator/board/time.ts). */
function gcModule(board: Board): GcModule {
  return {
    collect() {
      board.heap.collect();
    },
    mem_free() {
      return board.heap.mem_free();
    },
    mem_alloc() {
      return board.heap.mem_alloc();
    },
  };
}

const UBINASCII = { hexlify };

export class BoardHost implements BoardView {
  readonly leds: LedView[];
  readonly buttons: ButtonView[];
  protected crashed: string | undefined;
  private crashing = false;
  private stopping = false;
  /** Set by the session: the board failed so that the run cannot go on (e.g. runaway firmware). */
  onFatal: ((message: string) => void) | undefined;

  constructor(
    private readonly spec: ScenarioBoard,
    readonly board: Board,
    private readonly program: Firmware,
    private readonly server: string,
    /** The firmware module's file, to find its frames in a traceback. */
    readonly firmwarePath?: string,
    private readonly watch?: FirmwareWatch,
  ) {
    const def = board.definition;
    this.leds = def.leds.map((l) => ({ name: l.name, pin: l.pin, activeLow: l.active === "low", color: l.color }));
    this.buttons = def.buttons.map((b) => ({ name: b.name, pin: b.pin, key: b.key }));
  }

  get name(): string {
    return this.board.name;
  }

  get model(): string {
    return this.board.definition.id;
  }

  /** The firmware's name, as the scenario gives it. */
  get firmware(): string {
    return this.spec.firmware;
  }

  /** The uncaught exception that stopped the firmware, if it crashed. */
  get crashReason(): string | undefined {
    return this.crashed;
  }

  /** Boots the firmware. It runs until it returns, raises, or the run stops. */
  start(): void {
    const { board, watch } = this;
    const mark = watch ? () => watch.resumed(this.name) : undefined;
    const context: FirmwareContext = {
      machine: board.machine,
      time: mark ? markingModule(board.time, mark) : board.time,
      gc: gcModule(board),
      ubinascii: UBINASCII,
      umqtt: new BoardUmqtt(board, this.spec.umqtt ?? DEFAULT_UMQTT_VERSION, mark),
      print: board.print,
      SERVER: this.server,
      params: this.spec.params,
    };
    board.boot(this.spec.firmware);
    mark?.();
    let running: Promise<void>;
    try {
      running = this.program(context);
    } catch (error) {
      running = Promise.reject(error); // a firmware function that throws before its first await
    }
    running.then(
      () => {
        if (!this.stopping && this.crashed === undefined) board.exit();
      },
      (error: unknown) => {
        if (this.stopping) return; // the run tore the network down; not the firmware's fault
        this.crashWith(error);
      },
    );
  }

  /**
   * The firmware raised where nothing catches it (its main function, a timer
   * callback, a promise nobody awaited): as on a device, the traceback goes
   * to the serial console and the board stops. Only the first crash counts.
   */
  crashWith(error: unknown): void {
    if (this.crashing || this.stopping) return;
    const line = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.crashing = true;
    this.board.print("Traceback (most recent call last):");
    for (const frame of firmwareTraceback(error, this.firmwarePath)) this.board.print(frame);
    this.board.print(line);
    // Crashed only now: a step waiting for the traceback's lines sees them first.
    this.crashed = line;
    this.board.crash(error);
  }

  stop(): void {
    this.stopping = true;
    // Dropping Wi-Fi closes every socket: firmware blocked in a read gets an error it never sees.
    this.board.network.injectFault("wifi-down");
  }

  setButton(button: string, pressed: boolean): void {
    if (!this.buttons.some((b) => b.name === button)) {
      throw new StepFailure(`board ${this.name} has no button "${button}" (buttons: ${this.buttons.map((b) => b.name).join(", ") || "none"})`);
    }
    if (pressed) this.board.pressButton(button);
    else this.board.releaseButton(button);
  }

  pinLevel(pin: number): 0 | 1 {
    try {
      return this.board.gpio.level(pin);
    } catch (error) {
      throw new StepFailure(`board ${this.name}: ${(error as Error).message}`);
    }
  }

  ledLit(led: string): boolean {
    if (!this.leds.some((l) => l.name === led)) {
      throw new StepFailure(`board ${this.name} has no LED "${led}" (LEDs: ${this.leds.map((l) => l.name).join(", ") || "none"})`);
    }
    return this.board.ledLit(led);
  }

  buttonPressed(button: string): boolean {
    return this.board.buttonPressed(button);
  }

  injectFault(fault: FaultKind, durationMs?: number): void {
    this.board.network.injectFault(fault, durationMs === undefined ? {} : { durationMs });
  }

  heap(): HeapView {
    return this.board.heapView();
  }

  network(): NetworkView {
    return this.board.networkView();
  }

  result(): BoardResult {
    const heap = this.board.heapView();
    const net = this.board.network.state;
    return {
      name: this.name,
      model: this.model,
      firmware: this.spec.firmware,
      net: net.profile,
      heap: { budget: heap.budget, peakUsed: heap.peakUsed, freeAtEnd: heap.free, largestFreeAtEnd: heap.largestFree },
      network: { connections: net.counters.connections, resets: net.counters.resets, partitions: net.counters.partitions, faults: net.counters.faults },
      ...(this.crashed ? { crashed: this.crashed } : {}),
    };
  }
}

/** The board model: a --board override (relative to the working directory) or the scenario's (relative to its file). */
/** `load(key)` once per key: thousands of boards often share one model and one firmware. */
function memo<T>(load: (key: string) => T): (key: string) => T {
  const loaded = new Map<string, T>();
  return (key) => {
    if (!loaded.has(key)) loaded.set(key, load(key));
    return loaded.get(key)!;
  };
}

/** The broker's name as firmware sees it: a name, not an address, so it goes through getaddrinfo to the broker. */
const SERVER_NAME = "broker.local";

export async function createBoardHosts(scenario: Scenario, options: BoardHostOptions): Promise<BoardHost[]> {
  const { clock, trace, broker } = options;
  for (const name of Object.keys(options.boardModels ?? {})) {
    if (!scenario.boards.some((b) => b.name === name)) {
      throw new ScenarioError(`--board ${name}=...: ${scenario.name} has no board "${name}" (boards: ${scenario.boards.map((b) => b.name).join(", ")})`);
    }
  }
  const definitionOf = memo((model) => loadBoard(model));
  const firmwareOf = memo((name) => loadFirmware(name, scenario.baseDir));
  const firmwarePathOf = memo((name) => locateFirmware(name, scenario.baseDir));
  const definitionFor = (spec: ScenarioBoard) => definitionOf(boardModel(spec, options, scenario.baseDir));
  checkStepsAgainstBoards(scenario, (name) => definitionFor(scenario.boards.find((b) => b.name === name)!));
  // MicroPython boards (src/micropython) are loaded only when a scenario has one.
  const { pythonFirmware } = await import("../../micropython/firmware/firmware-files.ts");
  const pythonOf = memo((name) => pythonFirmware(name, scenario.baseDir, options.firmwareLang));
  // VM boards start their workers in parallel; hosts keep the scenario's board order.
  const pending: Promise<BoardHost>[] = [];
  try {
    for (const spec of scenario.boards) {
      const definition = definitionFor(spec);
      const profile = resolveProfile(options.net ?? spec.net ?? definition.network, options.netOverrides ?? []);
      const python = pythonOf(spec.firmware);
      if (!python && options.coverage) {
        throw new FirmwareError(`--coverage: board ${spec.name} runs TypeScript firmware (${spec.firmware}); coverage is recorded for .py firmware only (for a built-in, drop --firmware-lang ts)`);
      }
      if (!python && options.wrapFirmware) {
        throw new FirmwareError(`board ${spec.name} runs TypeScript firmware (${spec.firmware}); a board's instrumentation wraps .py firmware only`);
      }
      const firmware = python ? undefined : await firmwareOf(spec.firmware);
      const board = new Board({
        definition,
        clock,
        trace,
        name: spec.name,
        seed: options.seed,
        profile,
        // Method shorthand: no function property table per board (see src/emulator/board/time.ts).
        dial(addr) {
          return broker.dial(addr, spec.name);
        },
        // Firmware connects to SERVER; every name resolves to the broker (an
        // external one's address and port, which the connection then reports).
        resolve() {
          return { host: broker.host, port: broker.port };
        },
        umqtt: spec.umqttLoad ?? "frozen",
      });
      tapConnections(board.network, clock, trace, spec.name);
      const boardSpec = { ...spec, umqtt: options.umqtt ?? spec.umqtt ?? DEFAULT_UMQTT_VERSION };
      if (python) {
        const { VmBoardHost } = await import("../../micropython/host/vm-board-host.ts");
        pending.push(VmBoardHost.create(boardSpec, board, python, SERVER_NAME, options.coverage === true, options.wrapFirmware));
      } else {
        const path = firmwarePathOf(spec.firmware);
        pending.push(Promise.resolve(new BoardHost(boardSpec, board, firmware!, SERVER_NAME, path, options.firmwareWatch)));
      }
    }
  } finally {
    const settled = await Promise.allSettled(pending);
    const failed = settled.find((r) => r.status === "rejected");
    if (failed) {
      for (const r of settled) if (r.status === "fulfilled") r.value.stop();
      throw failed.reason;
    }
  }
  return Promise.all(pending);
}
