// A simulated network between one board and its servers, behind the
// client's Transport/Socket interfaces with MicroPython semantics.
//
// Each connection has two one-way links (board -> server "out", server ->
// board "in"). A link carries data segments (at most `mss` bytes) and
// control markers (SYN, SYN-ACK, refusal, FIN, RST) in order:
//   serialisation  a segment occupies the link for size*8/bandwidth
//   latency        + latencyMs + uniform [0, jitterMs) per segment
//   loss           a lost segment is retransmitted after an RTO that doubles
//                  with each further loss; it and everything behind it wait
//                  (head-of-line blocking): bytes are never reordered or
//                  dropped while the connection lives
//   partition      nothing is delivered while partitioned; delivery resumes
//                  one latency after the partition ends
// The server side is a Node Duplex from `dial`; bytes the board writes are
// written into it on delivery, bytes the server writes travel the "in" link
// into the socket's receive buffer.
//
// Every random draw comes from PRNGs seeded from the network's seed, one
// for link delays, one for fault times, one for DNS, so the same seed gives
// the same schedule.

//
// This file is the hub; the parts live beside it: link.ts (links and
// segments), connection.ts and sim-socket.ts (sockets), faults.ts (faults),
// dns.ts (name resolution), types.ts (public types).

import type { Duplex } from "node:stream";
import { errno, OSError } from "../../client/errors.ts";
import type { Socket, SocketAddress, SslParams, Transport } from "../../client/socket.ts";
import type { Clock } from "../clock/clock.ts";
import { getProfile, type NetProfile } from "./net-profiles.ts";
import { deriveSeed, mulberry32, type Rng } from "../prng.ts";
import type { NetEventName, Trace } from "../trace.ts";
import { Conn } from "./connection.ts";
import { Dns } from "./dns.ts";
import { Faults } from "./faults.ts";
import { SimSocket } from "./sim-socket.ts";
import type { Dial, FaultKind, FaultOptions, NetConnection, NetCounters, NetworkOptions, NetworkState } from "./types.ts";

export type * from "./types.ts";
export { SimSocket } from "./sim-socket.ts";

export class Network implements Transport {
  readonly board: string;
  private readonly clock: Clock;
  private readonly trace: Trace | undefined;
  private readonly dial: Dial;
  private readonly pollCostMs: number;
  private readonly globalTap: NetworkOptions["onBytes"];
  private prof: NetProfile;
  readonly rngLink: Rng;
  private readonly faults: Faults;
  private readonly dns: Dns;
  private readonly live = new Set<Conn>();
  private nextId = 1;
  private readonly listeners = new Set<(conn: NetConnection) => void>();
  /** Connections the board closed whose last bytes and FIN are still in flight. */
  private readonly draining = new Set<Conn>();
  readonly counters: NetCounters = {
    connections: 0,
    refused: 0,
    resets: 0,
    partitions: 0,
    wifiDrops: 0,
    dnsFailures: 0,
    stalls: 0,
    timeouts: 0,
    faults: 0,
    bytesOut: 0,
    bytesIn: 0,
  };

  constructor(options: NetworkOptions) {
    this.clock = options.clock;
    this.trace = options.trace;
    this.board = options.board ?? "board";
    this.dial = options.dial;
    this.pollCostMs = options.pollCostMs ?? 0.5;
    this.globalTap = options.onBytes;
    const p = options.profile ?? "ideal";
    this.prof = typeof p === "string" ? getProfile(p) : { ...p };
    const seed = options.seed ?? 1;
    this.rngLink = options.rng ?? mulberry32(deriveSeed(seed, `${this.board}/net/link`));
    this.faults = new Faults(this, mulberry32(deriveSeed(seed, `${this.board}/net/fault`)), options.randomFaults ?? true);
    this.dns = new Dns(this, this.faults, mulberry32(deriveSeed(seed, `${this.board}/net/dns`)), options.dnsErrno ?? -2, options.resolve);
  }

  // ---- Transport -------------------------------------------------------

  getaddrinfo(host: string, port: number): Promise<SocketAddress> {
    return this.dns.getaddrinfo(host, port);
  }

  socket(): Socket {
    return new SimSocket(this);
  }

  async wrapSocket(_sock: Socket, _params: SslParams): Promise<Socket> {
    throw new OSError(errno.EOPNOTSUPP, "TLS is not emulated on the simulated network");
  }

  // ---- bench controls --------------------------------------------------

  get profile(): Readonly<NetProfile> {
    return this.prof;
  }

  /** Change profile fields at run time (applies to segments sent from now on). */
  updateProfile(patch: Partial<NetProfile>): void {
    this.prof = { ...this.prof, ...patch };
  }

  get partitioned(): boolean {
    return this.faults.partitioned;
  }

  get wifiUp(): boolean {
    return this.faults.wifi;
  }

  get state(): NetworkState {
    return {
      profile: this.prof.name,
      latencyMs: this.prof.latencyMs,
      jitterMs: this.prof.jitterMs,
      bandwidthBps: this.prof.bandwidthBps,
      loss: this.prof.loss,
      partitioned: this.faults.partitioned,
      wifiUp: this.faults.wifi,
      dnsUp: this.faults.dns,
      openConnections: this.live.size,
      counters: { ...this.counters },
    };
  }

  /** Connections open or being opened. */
  get connections(): readonly NetConnection[] {
    return [...this.live];
  }

  /** Called for every new connection (before any byte moves): set `conn.onBytes` there to tap it. */
  onConnection(listener: (conn: NetConnection) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The run is ending: deliver every byte and marker still in flight on every link now. */
  flush(): void {
    for (const conn of [...this.live, ...this.draining]) {
      conn.out.flush();
      conn.in.flush();
    }
  }

  /**
   * Inject a fault:
   * - "reset": open connections are reset; the board's next read/write raises
   *   ECONNRESET and the server stream is destroyed (the broker sees a dropped client)
   * - "partition" / "partition-end": nothing is delivered meanwhile; longer
   *   than tcpGiveUpMs aborts open connections with ETIMEDOUT
   * - "wifi-down" / "wifi-up": connections drop with ECONNABORTED; connects
   *   fail with EHOSTUNREACH and lookups with the DNS errno until Wi-Fi returns
   * - "dns-fail" / "dns-ok": getaddrinfo raises the board's DNS errno
   * `durationMs` ends partition, wifi-down and dns-fail automatically.
   */
  injectFault(kind: FaultKind, options: FaultOptions = {}): void {
    this.faults.inject(kind, options);
  }

  // ---- internals used by the parts in this folder ----------------------

  /** Connections open or being opened. */
  get liveConns(): ReadonlySet<Conn> {
    return this.live;
  }

  /** Connections the board closed whose last bytes and FIN are still in flight. */
  get drainingConns(): ReadonlySet<Conn> {
    return this.draining;
  }

  now(): number {
    return this.clock.now();
  }

  get clk(): Clock {
    return this.clock;
  }

  get pollCost(): number {
    return this.pollCostMs;
  }

  activity(): void {
    this.clock.markActivity?.();
  }

  emit(event: NetEventName, detail?: string): void {
    this.trace?.emit(
      detail === undefined
        ? { t: this.clock.now(), kind: "net", board: this.board, event }
        : { t: this.clock.now(), kind: "net", board: this.board, event, detail },
    );
  }

  /** Start opening a connection for a socket; the SYN travels the out link. */
  open(socket: SimSocket, addr: SocketAddress): Conn {
    if (!this.faults.wifi) throw new OSError(errno.EHOSTUNREACH);
    const conn = new Conn(this, this.nextId++, addr, socket);
    this.live.add(conn);
    for (const l of this.listeners) l(conn);
    conn.out.send("syn");
    return conn;
  }

  /** Server side of a SYN: dial, then answer SYN-ACK or a refusal on the in link. */
  accept(conn: Conn): void {
    let result: Promise<Duplex> | Duplex;
    try {
      result = this.dial(conn.addr, this.board);
    } catch (err) {
      conn.in.send("refused");
      return;
    }
    if (isPromise(result)) {
      const release = this.clock.hold?.("dial") ?? (() => {});
      result.then(
        (stream) => {
          release();
          conn.attach(stream);
        },
        () => {
          release();
          conn.in.send("refused");
        },
      );
    } else conn.attach(result);
  }

  connOpened(conn: Conn): void {
    this.counters.connections++;
    this.emit("connect", `#${conn.id} ${conn.addr.host}:${conn.addr.port}`);
    this.faults.armRandom();
  }

  /** The board closed `conn`; its FIN is still in flight until `drained`. */
  drainingConn(conn: Conn, on: boolean): void {
    if (on) this.draining.add(conn);
    else this.draining.delete(conn);
  }

  connGone(conn: Conn): void {
    this.live.delete(conn);
    if (this.live.size === 0) this.faults.disarmRandom();
  }

  tap(conn: Conn, dir: "out" | "in", bytes: Uint8Array): void {
    if (dir === "out") this.counters.bytesOut += bytes.length;
    else this.counters.bytesIn += bytes.length;
    conn.onBytes?.(dir, bytes);
    this.globalTap?.(dir, bytes, conn);
  }

  /** Delay of one segment: serialisation is handled by the link; this is latency, jitter and loss. */
  flightDelay(conn: Conn, dir: "out" | "in", size: number): number {
    const p = this.prof;
    let delay = p.latencyMs + (p.jitterMs > 0 ? this.rngLink() * p.jitterMs : 0);
    if (p.loss > 0) {
      let rto = p.rtoMs;
      let stalled = 0;
      while (this.rngLink() < p.loss) {
        stalled += rto;
        this.counters.stalls++;
        if (stalled >= p.tcpGiveUpMs) {
          // Retransmissions exhausted: TCP gives up on the connection.
          conn.failAt(p.tcpGiveUpMs, new OSError(errno.ETIMEDOUT), "timeout", "retransmissions exhausted");
          break;
        }
        rto = Math.min(rto * 2, p.rtoMaxMs);
      }
      if (stalled > 0) {
        delay += stalled;
        this.emit("stall", `#${conn.id} ${dir} ${size ? `${size}-byte segment` : "control segment"} lost, delivered ${stalled} ms late`);
      }
    }
    return delay;
  }

  get latency(): number {
    return this.prof.latencyMs;
  }

  get bandwidth(): number {
    return this.prof.bandwidthBps;
  }

  get mss(): number {
    return this.prof.mss;
  }

  /** Bytes a socket's send buffer holds: lwIP's default TCP_SND_BUF, two segments. */
  get sendBuffer(): number {
    return 2 * this.prof.mss;
  }

}

function isPromise<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof (v as Promise<T>)?.then === "function";
}

