// The bench's TCP proxy between a real board and the broker. The board's
// firmware connects here (its getaddrinfo answers with this address); each
// connection is relayed to the broker (the embedded aedes, or --broker) and
// its bytes are decoded into `mqtt` trace events as in an emulated run. Being
// in the middle is what lets the bench make network faults for real: `drop`
// resets the board's connections, `stall` holds every byte both ways until
// it ends, as a partition does.

import { createServer, type Server, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { Clock, TimerHandle } from "../../emulator/clock/clock.ts";
import { createMqttTap } from "../../emulator/runner/mqtt-tap.ts";
import type { Trace } from "../../emulator/trace.ts";

export interface ProxyOptions {
  /** Address to listen on: loopback for a pseudo-terminal board, the LAN address for a real one. */
  host: string;
  clock: Clock;
  trace: Trace;
  /** The board's name in the trace. */
  board: string;
  /** Opens a byte stream to the broker for one board connection. */
  dial: () => Promise<Duplex>;
}

interface Relay {
  board: Socket;
  broker: Duplex | undefined;
  /** Bytes held while stalled, in order, with the side they go to. */
  held: { to: "board" | "broker"; bytes: Uint8Array }[];
  /** Delivers what was held. */
  release: () => void;
  closed: boolean;
}

export class BrokerProxy {
  readonly counters = { connections: 0, resets: 0, partitions: 0, faults: 0 };
  private readonly relays = new Set<Relay>();
  private stalled = false;
  private stallTimer: TimerHandle | undefined;

  private constructor(
    private readonly server: Server,
    readonly host: string,
    readonly port: number,
    private readonly options: ProxyOptions,
  ) {
    server.on("connection", (socket) => this.accept(socket));
  }

  static async start(options: ProxyOptions): Promise<BrokerProxy> {
    const server = createServer();
    const port = await new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, options.host, () => {
        const address = server.address();
        resolve(typeof address === "object" && address ? address.port : 0);
      });
    });
    return new BrokerProxy(server, options.host, port, options);
  }

  get label(): string {
    return `${this.host.includes(":") ? `[${this.host}]` : this.host}:${this.port}`;
  }

  private net(event: "connect" | "close" | "reset" | "partition-start" | "partition-end", detail?: string): void {
    const { clock, trace, board } = this.options;
    trace.emit(detail === undefined ? { t: clock.now(), kind: "net", board, event } : { t: clock.now(), kind: "net", board, event, detail });
  }

  private accept(socket: Socket): void {
    const { clock, trace, board } = this.options;
    socket.setNoDelay(true);
    const relay: Relay = { board: socket, broker: undefined, held: [], release: () => {}, closed: false };
    this.relays.add(relay);
    this.counters.connections++;
    this.net("connect", `#${this.counters.connections} from ${socket.remoteAddress}:${socket.remotePort}`);
    const tap = createMqttTap(clock, trace, board);
    const toBroker = (bytes: Uint8Array): void => {
      tap("out", bytes);
      relay.broker?.write(bytes);
    };
    const toBoard = (bytes: Uint8Array): void => {
      tap("in", bytes);
      socket.write(bytes);
    };
    const forward = (to: "board" | "broker", bytes: Uint8Array): void => {
      if (this.stalled || relay.held.length > 0) relay.held.push({ to, bytes });
      else if (to === "broker") toBroker(bytes);
      else toBoard(bytes);
    };
    relay.release = () => {
      for (const { to, bytes } of relay.held.splice(0)) (to === "broker" ? toBroker : toBoard)(bytes);
    };
    const pendingFromBoard: Uint8Array[] = [];
    socket.on("data", (chunk: Buffer) => {
      const bytes = new Uint8Array(chunk);
      if (relay.broker) forward("broker", bytes);
      else pendingFromBoard.push(bytes);
    });
    const end = (): void => {
      if (relay.closed) return;
      relay.closed = true;
      this.relays.delete(relay);
      socket.destroy();
      relay.broker?.destroy();
      this.net("close");
    };
    socket.on("close", end);
    socket.on("error", end);
    this.options.dial().then(
      (broker) => {
        if (relay.closed) {
          broker.destroy();
          return;
        }
        relay.broker = broker;
        broker.on("data", (chunk: Uint8Array) => forward("board", new Uint8Array(chunk)));
        broker.on("close", end);
        broker.on("error", end);
        for (const bytes of pendingFromBoard.splice(0)) forward("broker", bytes);
      },
      (error: Error) => {
        trace.emit({ t: clock.now(), kind: "error", board, message: `the bench could not reach the broker for ${board}: ${error.message}` });
        end();
      },
    );
  }

  /** Resets every open connection of the board: its next read or write fails, the broker sees it vanish. */
  drop(): void {
    this.counters.faults++;
    for (const relay of [...this.relays]) {
      this.counters.resets++;
      relay.closed = true;
      this.relays.delete(relay);
      relay.board.resetAndDestroy();
      relay.broker?.destroy();
      this.net("reset", "dropped by the bench's proxy");
    }
  }

  /** Holds every byte both ways until `end()` or `durationMs` has passed. */
  stall(durationMs?: number): void {
    this.counters.faults++;
    if (!this.stalled) {
      this.stalled = true;
      this.counters.partitions++;
      this.net("partition-start");
    }
    this.stallTimer?.cancel();
    if (durationMs !== undefined) this.stallTimer = this.options.clock.setTimer(durationMs, () => this.unstall());
  }

  unstall(): void {
    this.stallTimer?.cancel();
    if (!this.stalled) return;
    this.stalled = false;
    this.net("partition-end");
    for (const relay of this.relays) relay.release();
  }

  get open(): number {
    return this.relays.size;
  }

  async close(): Promise<void> {
    this.stallTimer?.cancel();
    for (const relay of [...this.relays]) {
      relay.closed = true;
      relay.board.destroy();
      relay.broker?.destroy();
    }
    this.relays.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
