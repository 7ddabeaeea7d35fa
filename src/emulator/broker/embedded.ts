// The default broker: aedes in this process, reached through in-memory duplex
// pairs so every byte crosses the board's simulated network on the run's clock.

import { createServer, type Server } from "node:net";
import type { Duplex } from "node:stream";
import { Aedes } from "aedes";
import mqttPacket from "mqtt-packet";
import type { Clock } from "../clock/clock.ts";
import type { Trace } from "../trace.ts";
import { createStreamPair } from "../network/stream-pair.ts";
import { CONNECT_TIMEOUT_MS, KeepaliveWatch } from "./keepalive.ts";
import { BrokerError, type BrokerLink } from "./link.ts";

export interface EmbeddedBrokerOptions {
  clock: Clock;
  trace: Trace;
  /** Called whenever bytes reach the broker, so a virtual clock knows the host is busy. */
  onActivity?: () => void;
}

export class EmbeddedBroker implements BrokerLink {
  readonly label = "embedded aedes";
  readonly host = "broker.local";
  readonly port = 1883;
  private readonly watches = new Set<KeepaliveWatch>();
  private server: Server | undefined;

  private constructor(
    readonly aedes: Aedes,
    private readonly options: EmbeddedBrokerOptions,
  ) {}

  static async start(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
    // aedes writes packets with mqtt-packet, which by default builds 65,536
    // two-byte buffers (every packet id and length) on its first packet: 30-40 ms
    // and a few MB of heap in every run. Written as they come, the bytes are the same.
    (mqttPacket.writeToStream as { cacheNumbers?: boolean }).cacheNumbers = false;
    // Practically no $SYS heartbeat: it would publish on the wall clock into a
    // virtual-time run. aedes also arms a timer at 4x this, which must stay
    // below setTimeout's 2^31 ms limit.
    const aedes = await Aedes.createBroker({ heartbeatInterval: 500_000_000 });
    return new EmbeddedBroker(aedes, options);
  }

  async dial(_addr: unknown, board: string): Promise<Duplex> {
    const { clock, trace, onActivity } = this.options;
    const watch = new KeepaliveWatch(
      clock,
      (seconds) => {
        trace.emit({ t: clock.now(), kind: "net", board, event: "keepalive-expired", detail: `no packet for 1.5 x ${seconds}s` });
        brokerEnd.destroy();
      },
      () => {
        trace.emit({ t: clock.now(), kind: "net", board, event: "timeout", detail: `broker: no CONNECT within ${CONNECT_TIMEOUT_MS / 1000} s` });
        brokerEnd.destroy();
      },
    );
    this.watches.add(watch);
    const [boardEnd, brokerEnd] = createStreamPair((chunk) => {
      onActivity?.();
      watch.onClientBytes(chunk);
    });
    brokerEnd.once("close", () => {
      watch.stop();
      this.watches.delete(watch);
    });
    const client = this.aedes.handle(brokerEnd);
    // aedes starts each client's outgoing packet ids at a random number;
    // start them at 1 so the same seed gives the same trace (aedes is pinned for these internals).
    const internals = client as unknown as { _nextId: number; _connectTimer: ReturnType<typeof setTimeout> | null };
    internals._nextId = 1;
    // aedes waits for CONNECT on the wall clock (30 s); the watch above waits on the run's clock instead.
    if (internals._connectTimer) clearTimeout(internals._connectTimer);
    internals._connectTimer = null;
    return boardEnd;
  }

  /** Serve the same broker on a TCP port (for `umqtt-bench broker` and real boards). */
  async listen(port: number, host = "0.0.0.0"): Promise<number> {
    const server = createServer((socket) => this.aedes.handle(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", (error: NodeJS.ErrnoException) =>
        reject(new BrokerError(`cannot listen on ${host}:${port}: ${error.code ?? error.message}`)),
      );
      server.listen(port, host, () => resolve());
    });
    const address = server.address();
    return typeof address === "object" && address ? address.port : port;
  }

  async close(): Promise<void> {
    for (const watch of this.watches) watch.stop();
    this.watches.clear();
    // aedes first: it closes every client, which a server waits for before it closes.
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
