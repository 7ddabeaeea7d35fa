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

import type { Duplex } from "node:stream";
import { errno, OSError } from "../../client/errors.ts";
import { concat } from "../../client/bytes.ts";
import { ByteQueue } from "../../client/byte-queue.ts";
import type { Socket, SocketAddress, SslParams, Transport } from "../../client/socket.ts";
import type { Clock, TimerHandle } from "../clock/clock.ts";
import { getProfile, type NetProfile } from "./net-profiles.ts";
import { deriveSeed, exponentialMs, mulberry32, type Rng } from "../prng.ts";
import { connectionResetError } from "./stream-pair.ts";
import type { NetEventName, Trace } from "../trace.ts";

/** Opens the server side of a connection. Throwing or rejecting means "connection refused". */
export type Dial = (addr: SocketAddress, board: string) => Promise<Duplex> | Duplex;

/** Fault kinds for `injectFault` (the scenario format's FaultKind). */
export type FaultKind = "reset" | "partition" | "partition-end" | "wifi-down" | "wifi-up" | "dns-fail" | "dns-ok";

export interface FaultOptions {
  /** For partition, wifi-down, dns-fail: end the fault automatically after this long (virtual ms). */
  durationMs?: number;
  /** For reset: only this connection id (default: all open connections). */
  connection?: number;
  /** For wifi-down: leave the server side open (half-open, the broker only notices through keepalive). */
  halfOpen?: boolean;
}

export interface NetworkOptions {
  clock: Clock;
  /** A profile or a built-in profile name (default "ideal"). */
  profile?: NetProfile | string;
  /** Seed for every random choice (default 1). Ignored for a stream given in `rng`. */
  seed?: number;
  /** Use this PRNG for link delays instead of one derived from `seed`. */
  rng?: Rng;
  trace?: Trace;
  /** Board name for traces (default "board"). */
  board?: string;
  dial: Dial;
  /** Errno a failed getaddrinfo raises (the board file's dns_errno; default -2). */
  dnsErrno?: number;
  /** Name resolution: return null for unknown hosts. Default: every host resolves to itself. */
  resolve?: (host: string, port: number) => SocketAddress | null;
  /** Draw random faults from the profile's rates (default true). */
  randomFaults?: boolean;
  /**
   * Virtual time a non-blocking read that finds nothing costs (default 0.5 ms):
   * a firmware loop polling check_msg() without sleeping still lets time pass.
   */
  pollCostMs?: number;
  /** Called for bytes delivered on any connection (after the per-connection hook). */
  onBytes?: (dir: "out" | "in", bytes: Uint8Array, conn: NetConnection) => void;
}

/** What the bench sees of one connection. Set `onBytes` to tap its delivered bytes. */
export interface NetConnection {
  readonly id: number;
  readonly addr: SocketAddress;
  readonly board: string;
  /** "connecting" | "open" | "closed" (by the board, or after EOF) | "failed". */
  readonly status: ConnStatus;
  /** Called when bytes are delivered: "out" into the server stream, "in" into the board's receive buffer. */
  onBytes?: (dir: "out" | "in", bytes: Uint8Array) => void;
}

export interface NetCounters {
  connections: number;
  refused: number;
  resets: number;
  partitions: number;
  wifiDrops: number;
  dnsFailures: number;
  stalls: number;
  timeouts: number;
  /** Faults injected or drawn at random (resets, partitions, Wi-Fi drops, DNS outages). */
  faults: number;
  bytesOut: number;
  bytesIn: number;
}

export interface NetworkState {
  profile: string;
  latencyMs: number;
  jitterMs: number;
  bandwidthBps: number;
  loss: number;
  partitioned: boolean;
  wifiUp: boolean;
  dnsUp: boolean;
  /** Connections open or being opened. */
  openConnections: number;
  counters: NetCounters;
}

type ConnStatus = "connecting" | "open" | "closed" | "failed";
type Marker = "syn" | "synack" | "refused" | "fin" | "rst";
type Item = Uint8Array | Marker;

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export class Network implements Transport {
  readonly board: string;
  private readonly clock: Clock;
  private readonly trace: Trace | undefined;
  private readonly dial: Dial;
  private readonly dnsErrno: number;
  private readonly resolver: ((host: string, port: number) => SocketAddress | null) | undefined;
  private readonly randomFaults: boolean;
  private readonly pollCostMs: number;
  private readonly globalTap: NetworkOptions["onBytes"];
  private prof: NetProfile;
  readonly rngLink: Rng;
  private readonly rngFault: Rng;
  private readonly rngDns: Rng;

  private partitionedFlag = false;
  private partitionGiveUp: TimerHandle | null = null;
  private partitionEndTimer: TimerHandle | null = null;
  private wifi = true;
  private wifiTimer: TimerHandle | null = null;
  private dns = true;
  private dnsTimer: TimerHandle | null = null;
  private readonly live = new Set<Conn>();
  private nextId = 1;
  private readonly listeners = new Set<(conn: NetConnection) => void>();
  private randomTimers: (TimerHandle | null)[] = [];
  private randomArmed = false;
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
    this.dnsErrno = options.dnsErrno ?? -2;
    this.resolver = options.resolve;
    this.randomFaults = options.randomFaults ?? true;
    this.pollCostMs = options.pollCostMs ?? 0.5;
    this.globalTap = options.onBytes;
    const p = options.profile ?? "ideal";
    this.prof = typeof p === "string" ? getProfile(p) : { ...p };
    const seed = options.seed ?? 1;
    this.rngLink = options.rng ?? mulberry32(deriveSeed(seed, `${this.board}/net/link`));
    this.rngFault = mulberry32(deriveSeed(seed, `${this.board}/net/fault`));
    this.rngDns = mulberry32(deriveSeed(seed, `${this.board}/net/dns`));
  }

  // ---- Transport -------------------------------------------------------

  async getaddrinfo(host: string, port: number): Promise<SocketAddress> {
    if (IPV4.test(host)) return { host, port };
    const fail = (why: string): never => {
      this.counters.dnsFailures++;
      this.emit("dns-fail", `${host}: ${why}`);
      throw new OSError(this.dnsErrno, String(this.dnsErrno));
    };
    if (!this.wifi) return fail("Wi-Fi is down");
    const random = this.prof.dnsFailRate > 0 && this.rngDns() < this.prof.dnsFailRate;
    if (this.prof.dnsMs > 0) await this.clock.sleep(this.prof.dnsMs);
    if (!this.wifi) return fail("Wi-Fi is down");
    if (!this.dns) return fail("DNS unavailable");
    if (random) return fail("lookup failed (random)");
    if (this.resolver) {
      const addr = this.resolver(host, port);
      if (addr === null) return fail("unknown host");
      return addr;
    }
    return { host, port };
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
    return this.partitionedFlag;
  }

  get wifiUp(): boolean {
    return this.wifi;
  }

  get state(): NetworkState {
    return {
      profile: this.prof.name,
      latencyMs: this.prof.latencyMs,
      jitterMs: this.prof.jitterMs,
      bandwidthBps: this.prof.bandwidthBps,
      loss: this.prof.loss,
      partitioned: this.partitionedFlag,
      wifiUp: this.wifi,
      dnsUp: this.dns,
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
    switch (kind) {
      case "reset":
        this.counters.faults++;
        for (const conn of [...this.live]) {
          if (options.connection !== undefined && conn.id !== options.connection) continue;
          if (conn.status === "open" || conn.status === "connecting") {
            this.counters.resets++;
            conn.fail(new OSError(errno.ECONNRESET), "reset", "connection reset", true);
          }
        }
        return;
      case "partition":
        this.startPartition(options.durationMs);
        return;
      case "partition-end":
        this.endPartition();
        return;
      case "wifi-down":
        this.wifiDown(options.durationMs, options.halfOpen ?? false);
        return;
      case "wifi-up":
        this.wifiUpNow();
        return;
      case "dns-fail":
        this.counters.faults++;
        this.dns = false;
        this.dnsTimer?.cancel();
        this.dnsTimer = options.durationMs === undefined ? null : this.clock.setTimer(options.durationMs, () => this.injectFault("dns-ok"));
        this.emit("dns-fail", options.durationMs === undefined ? "DNS down" : `DNS down for ${options.durationMs} ms`);
        return;
      case "dns-ok":
        this.dnsTimer?.cancel();
        this.dnsTimer = null;
        this.dns = true;
        return;
      default: {
        const never: never = kind;
        throw new Error(`unknown fault kind ${String(never)}`);
      }
    }
  }

  // ---- internals used by Conn/SimSocket ----------------------------------

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
    if (!this.wifi) throw new OSError(errno.EHOSTUNREACH);
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
    this.armRandomFaults();
  }

  /** The board closed `conn`; its FIN is still in flight until `drained`. */
  drainingConn(conn: Conn, on: boolean): void {
    if (on) this.draining.add(conn);
    else this.draining.delete(conn);
  }

  connGone(conn: Conn): void {
    this.live.delete(conn);
    if (this.live.size === 0) this.disarmRandomFaults();
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

  private startPartition(durationMs?: number): void {
    this.counters.faults++;
    if (!this.partitionedFlag) {
      this.partitionedFlag = true;
      this.counters.partitions++;
      this.emit("partition-start", durationMs === undefined ? undefined : `for ${Math.round(durationMs)} ms`);
      this.partitionGiveUp = this.clock.setTimer(this.prof.tcpGiveUpMs, () => {
        this.partitionGiveUp = null;
        for (const conn of [...this.live]) {
          if (conn.status === "open" || conn.status === "connecting") {
            this.counters.timeouts++;
            conn.fail(new OSError(errno.ETIMEDOUT), "timeout", `partition outlasted TCP give-up (${this.prof.tcpGiveUpMs} ms)`, true);
          }
        }
      });
    }
    this.partitionEndTimer?.cancel();
    this.partitionEndTimer = durationMs === undefined ? null : this.clock.setTimer(durationMs, () => this.endPartition());
  }

  private endPartition(): void {
    this.partitionEndTimer?.cancel();
    this.partitionEndTimer = null;
    if (!this.partitionedFlag) return;
    this.partitionedFlag = false;
    this.partitionGiveUp?.cancel();
    this.partitionGiveUp = null;
    this.emit("partition-end");
    const resumeAt = this.clock.now() + this.prof.latencyMs;
    for (const conn of [...this.live, ...this.draining]) {
      conn.out.resume(resumeAt);
      conn.in.resume(resumeAt);
    }
  }

  private wifiDown(durationMs: number | undefined, halfOpen: boolean): void {
    this.counters.faults++;
    this.wifiTimer?.cancel();
    this.wifiTimer = durationMs === undefined ? null : this.clock.setTimer(durationMs, () => this.wifiUpNow());
    if (!this.wifi) return;
    this.wifi = false;
    this.counters.wifiDrops++;
    this.emit("wifi-down", durationMs === undefined ? undefined : `for ${Math.round(durationMs)} ms`);
    for (const conn of [...this.live]) {
      if (conn.status === "open" || conn.status === "connecting") {
        conn.fail(new OSError(errno.ECONNABORTED), "close", "Wi-Fi lost", !halfOpen);
      }
    }
  }

  private wifiUpNow(): void {
    this.wifiTimer?.cancel();
    this.wifiTimer = null;
    if (this.wifi) return;
    this.wifi = true;
    this.emit("wifi-up");
  }

  // Random faults are drawn only while a connection is open, so a board that
  // has nothing in flight lets the clock go idle. Each kind has its own
  // exponential schedule, drawn from the fault PRNG when a connection opens.
  private armRandomFaults(): void {
    if (!this.randomFaults || this.randomArmed) return;
    this.randomArmed = true;
    const p = this.prof;
    const kinds: [number, () => void][] = [
      [p.resetRatePerMin, () => this.injectFault("reset")],
      [
        p.partitionRatePerMin,
        () => this.injectFault("partition", { durationMs: p.partitionMinMs + this.rngFault() * (p.partitionMaxMs - p.partitionMinMs) }),
      ],
      [p.wifiDropRatePerMin, () => this.injectFault("wifi-down", { durationMs: p.wifiDownMs })],
    ];
    kinds.forEach(([rate, fire], slot) => {
      const schedule = (): TimerHandle | null => {
        const wait = exponentialMs(this.rngFault, rate);
        if (!Number.isFinite(wait)) return null;
        return this.clock.setTimer(wait, () => {
          fire();
          if (this.randomArmed) this.randomTimers[slot] = schedule();
        });
      };
      this.randomTimers[slot] = schedule();
    });
  }

  private disarmRandomFaults(): void {
    this.randomArmed = false;
    for (const t of this.randomTimers) t?.cancel();
    this.randomTimers = [];
  }
}

function isPromise<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof (v as Promise<T>)?.then === "function";
}

/** One direction of a connection: an in-order queue of timed deliveries. */
class Link {
  private readonly items: Item[] = [];
  private readonly times: number[] = [];
  private head = 0;
  private lastAt = 0;
  private txFreeAt = 0;
  private floorAt = 0;
  private timer: TimerHandle | null = null;

  constructor(
    private readonly net: Network,
    private readonly conn: Conn,
    private readonly dir: "out" | "in",
    private readonly deliver: (item: Item) => void,
  ) {}

  /** Queue bytes or a marker; returns the virtual time the last byte leaves the sender. */
  send(item: Item): number {
    const now = this.net.now();
    if (typeof item === "string") {
      this.enqueue(item, Math.max(now, this.txFreeAt) + this.net.flightDelay(this.conn, this.dir, 0));
      return now;
    }
    const mss = this.net.mss;
    const bps = this.net.bandwidth;
    let txEnd = now;
    for (let off = 0; off < item.length; off += mss) {
      const seg = item.subarray(off, Math.min(item.length, off + mss));
      const txStart = Math.max(now, this.txFreeAt);
      txEnd = txStart + (bps > 0 ? (seg.length * 8000) / bps : 0);
      this.txFreeAt = txEnd;
      this.enqueue(seg, txEnd + this.net.flightDelay(this.conn, this.dir, seg.length));
    }
    return txEnd;
  }

  /** After a partition: nothing queued is delivered before `at`. */
  resume(at: number): void {
    this.floorAt = Math.max(this.floorAt, at);
    this.arm();
  }

  clear(): void {
    this.items.length = 0;
    this.times.length = 0;
    this.head = 0;
    this.timer?.cancel();
    this.timer = null;
  }

  private enqueue(item: Item, at: number): void {
    // In order: nothing overtakes a segment ahead of it.
    const t = Math.max(at, this.lastAt);
    this.lastAt = t;
    this.items.push(item);
    this.times.push(t);
    this.arm();
  }

  private arm(): void {
    if (this.timer !== null || this.head >= this.items.length || this.net.partitioned) return;
    const at = Math.max(this.times[this.head]!, this.floorAt);
    this.timer = this.net.clk.setTimer(at - this.net.now(), () => this.pump());
  }

  private pump(): void {
    this.timer = null;
    if (this.net.partitioned) return; // resumed by resume() when the partition ends
    const now = this.net.now();
    while (this.head < this.items.length && Math.max(this.times[this.head]!, this.floorAt) <= now) {
      const item = this.items[this.head]!;
      this.head++;
      // Coalesce consecutive due data segments into one delivery.
      if (typeof item !== "string") {
        let end = this.head;
        while (end < this.items.length && typeof this.items[end] !== "string" && this.times[end]! <= now) end++;
        if (end > this.head) {
          const parts = [item, ...(this.items.slice(this.head, end) as Uint8Array[])];
          this.head = end;
          this.deliver(concat(parts));
        } else this.deliver(item);
      } else this.deliver(item);
      if (this.items.length === 0) break; // cleared by a failure during delivery
    }
    if (this.head === this.items.length) {
      // All delivered (the usual case): release the segments now instead of
      // holding up to 64 delivered ones per link (host heap with many boards).
      this.items.length = 0;
      this.times.length = 0;
      this.head = 0;
    } else if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.times.splice(0, this.head);
      this.head = 0;
    }
    this.net.activity();
    this.arm();
  }
}

interface PendingRead {
  n: number;
  resolve: (v: Uint8Array) => void;
  reject: (e: unknown) => void;
  timer: TimerHandle | null;
  timeoutMs: number | null;
}

/** One TCP connection's state, shared by the board's socket and the server stream. */
class Conn implements NetConnection {
  status: ConnStatus = "connecting";
  onBytes?: (dir: "out" | "in", bytes: Uint8Array) => void;
  readonly out: Link;
  readonly in: Link;
  readonly board: string;
  error: OSError | null = null;
  stream: Duplex | null = null;
  private streamDone = false;
  /** Bytes delivered to the board, not yet read. */
  readonly rx = new ByteQueue();
  rxEof = false;
  pending: PendingRead | null = null;
  /** Resolves when the connection opens; rejects when it fails first. */
  readonly opened: Promise<void>;
  private settleOpen!: (err?: OSError) => void;
  /** Writes from the board that arrived before the server stream was attached. */
  private earlyOut: Uint8Array[] = [];

  constructor(
    private readonly net: Network,
    readonly id: number,
    readonly addr: SocketAddress,
    readonly socket: SimSocket,
  ) {
    this.board = net.board;
    this.out = new Link(net, this, "out", (item) => this.deliverOut(item));
    this.in = new Link(net, this, "in", (item) => this.deliverIn(item));
    this.opened = new Promise<void>((resolve, reject) => {
      this.settleOpen = (err) => (err ? reject(err) : resolve());
    });
    this.opened.catch(() => {}); // observed by connect()/write() when they care
  }

  /** The dial produced the server stream: listen to it and answer the SYN. */
  attach(stream: Duplex): void {
    if (this.status === "failed" || this.status === "closed") {
      stream.destroy();
      return;
    }
    this.stream = stream;
    stream.on("data", (chunk: Buffer | string) => {
      if (this.status === "failed") return;
      const bytes = typeof chunk === "string" ? new TextEncoder().encode(chunk) : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength).slice();
      this.net.activity();
      this.in.send(bytes);
    });
    const closed = (marker: "fin" | "rst") => {
      if (this.streamDone) return;
      this.streamDone = true;
      if (this.status === "failed") return;
      this.net.activity();
      this.in.send(marker);
    };
    stream.on("end", () => closed("fin"));
    stream.on("error", (err: NodeJS.ErrnoException) => closed(err?.code === "ECONNRESET" || err?.code === "EPIPE" ? "rst" : "fin"));
    stream.on("close", () => closed("fin"));
    this.in.send("synack");
    for (const data of this.earlyOut) this.writeStream(data);
    this.earlyOut = [];
  }

  /** Fail the connection now: the board sees `err`; optionally the server stream is destroyed. */
  fail(err: OSError, event: NetEventName, detail: string, destroyServer: boolean): void {
    if (this.status === "failed" || this.status === "closed") return;
    const wasConnecting = this.status === "connecting";
    this.status = "failed";
    this.error = err;
    this.out.clear();
    this.in.clear();
    this.net.emit(event, `#${this.id} ${detail}`);
    if (wasConnecting) this.settleOpen(err);
    const p = this.pending;
    if (p) {
      this.pending = null;
      p.timer?.cancel();
      p.reject(err);
    }
    if (destroyServer && this.stream && !this.stream.destroyed) {
      this.streamDone = true;
      const s = this.stream as Duplex & { resetAndDestroy?: () => void };
      if (typeof s.resetAndDestroy === "function") s.resetAndDestroy();
      else s.destroy(connectionResetError());
    }
    this.net.connGone(this);
    this.net.activity();
  }

  /** Fail after `ms` unless the connection ended meanwhile. */
  failAt(ms: number, err: OSError, event: NetEventName, detail: string): void {
    this.net.clk.setTimer(ms, () => {
      if (this.status === "open" || this.status === "connecting") {
        this.net.counters.timeouts++;
        this.fail(err, event, detail, true);
      }
    });
  }

  /** The board closed its socket: FIN travels after any data still queued. */
  closeFromBoard(): void {
    const p = this.pending;
    if (p) {
      this.pending = null;
      p.timer?.cancel();
      p.resolve(this.rx.take(this.rx.length));
    }
    if (this.status === "failed" || this.status === "closed") return;
    const wasOpen = this.status === "open";
    this.status = "closed";
    this.in.clear();
    if (wasOpen) {
      this.net.drainingConn(this, true);
      this.out.send("fin");
    }
    else {
      this.out.clear();
      this.settleOpen(new OSError(errno.ECONNABORTED));
      if (this.stream && !this.stream.destroyed) this.stream.destroy();
    }
    this.net.emit("close", `#${this.id} closed by board`);
    this.net.connGone(this);
  }

  // ---- deliveries --------------------------------------------------------

  private deliverOut(item: Item): void {
    if (item === "syn") {
      this.net.accept(this);
      return;
    }
    if (item === "fin") {
      this.net.drainingConn(this, false);
      const s = this.stream;
      if (s && !s.destroyed && !s.writableEnded) s.end();
      return;
    }
    if (typeof item === "string") return;
    this.net.tap(this, "out", item);
    if (this.stream === null) this.earlyOut.push(item);
    else this.writeStream(item);
  }

  private writeStream(data: Uint8Array): void {
    const s = this.stream!;
    if (s.destroyed || s.writableEnded || this.streamDone) {
      // Writing to a connection the server has closed: its TCP answers with RST.
      if (this.status === "open") this.in.send("rst");
      return;
    }
    s.write(data);
  }

  private deliverIn(item: Item): void {
    if (this.status === "failed" || this.status === "closed") return;
    switch (item) {
      case "synack":
        if (this.status !== "connecting") return;
        this.status = "open";
        this.settleOpen();
        this.net.connOpened(this);
        this.servePending();
        return;
      case "refused":
        this.net.counters.refused++;
        this.status = "failed";
        this.error = new OSError(errno.ECONNREFUSED);
        this.net.emit("close", `#${this.id} connection refused by ${this.addr.host}:${this.addr.port}`);
        this.settleOpen(this.error);
        this.net.connGone(this);
        return;
      case "fin":
        this.rxEof = true;
        this.net.emit("close", `#${this.id} closed by server`);
        this.servePending();
        return;
      case "rst":
        this.net.counters.resets++;
        this.fail(new OSError(errno.ECONNRESET), "reset", "reset by server", false);
        return;
      case "syn":
        return;
      default:
        this.net.tap(this, "in", item);
        this.rx.push(item);
        this.servePending();
    }
  }

  // ---- receive buffer ----------------------------------------------------

  /** Complete the blocked read if it can be: n bytes, EOF, or a re-armed timeout. */
  servePending(): void {
    const p = this.pending;
    if (!p) return;
    if (this.rx.length >= p.n || this.rxEof) {
      this.pending = null;
      p.timer?.cancel();
      p.resolve(this.rx.take(p.n));
      return;
    }
    // A blocking stream read waits up to the timeout for each underlying recv.
    if (p.timeoutMs !== null && p.timer !== null) {
      p.timer.cancel();
      p.timer = this.net.clk.setTimer(p.timeoutMs, () => this.readTimedOut(p));
    }
  }

  readTimedOut(p: PendingRead): void {
    if (this.pending !== p) return;
    this.pending = null;
    if (this.rx.length > 0) {
      p.resolve(this.rx.take(this.rx.length));
      return;
    }
    this.net.counters.timeouts++;
    this.net.emit("timeout", `#${this.id} read timed out after ${p.timeoutMs} ms`);
    p.reject(new OSError(errno.ETIMEDOUT));
  }
}

/** A MicroPython-style socket on the simulated network. */
export class SimSocket implements Socket {
  private conn: Conn | null = null;
  private closed = false;
  /** Seconds; null blocks forever, 0 is non-blocking. */
  private timeout: number | null = null;

  constructor(private readonly net: Network) {}

  /** The connection behind this socket, once connect() started. */
  get connection(): NetConnection | null {
    return this.conn;
  }

  settimeout(seconds: number | null): void {
    if (seconds !== null && (!(seconds >= 0) || !Number.isFinite(seconds))) throw new OSError(errno.EINVAL);
    this.timeout = seconds;
  }

  setblocking(flag: boolean): void {
    this.timeout = flag ? null : 0;
  }

  async connect(addr: SocketAddress): Promise<void> {
    if (this.closed) throw new OSError(errno.EBADF);
    if (this.conn) throw new OSError(errno.EALREADY);
    const conn = this.net.open(this, addr); // EHOSTUNREACH without Wi-Fi
    this.conn = conn;
    if (this.timeout === 0) throw new OSError(errno.EINPROGRESS);
    if (this.timeout === null) return conn.opened;
    const timeoutMs = this.timeout * 1000;
    let timer: TimerHandle | null = null;
    const timedOut = new Promise<never>((_, reject) => {
      timer = this.net.clk.setTimer(timeoutMs, () => {
        const err = new OSError(errno.ETIMEDOUT);
        this.net.counters.timeouts++;
        conn.fail(err, "timeout", `connect timed out after ${timeoutMs} ms`, true);
        reject(err);
      });
    });
    try {
      await Promise.race([conn.opened, timedOut]);
    } finally {
      (timer as TimerHandle | null)?.cancel();
    }
  }

  async read(n: number): Promise<Uint8Array | null> {
    const conn = this.conn;
    if (this.closed) return new Uint8Array(0);
    if (conn === null) throw new OSError(errno.ENOTCONN);
    if (conn.error) throw conn.error;
    if (conn.pending) throw new OSError(errno.EALREADY, "another read is already waiting on this socket");
    if (n <= 0) return new Uint8Array(0);
    if (this.timeout === 0) {
      if (conn.rx.length > 0) return conn.rx.take(n);
      if (conn.rxEof) return new Uint8Array(0);
      if (this.net.pollCost > 0) await this.net.clk.sleep(this.net.pollCost);
      if (conn.error) throw conn.error;
      return null;
    }
    if (conn.rx.length >= n || conn.rxEof) return conn.rx.take(n);
    const timeoutMs = this.timeout === null ? null : this.timeout * 1000;
    return new Promise<Uint8Array>((resolve, reject) => {
      const p: PendingRead = { n, resolve, reject, timer: null, timeoutMs };
      if (timeoutMs !== null) p.timer = this.net.clk.setTimer(timeoutMs, () => conn.readTimedOut(p));
      conn.pending = p;
    });
  }

  async write(data: Uint8Array): Promise<number> {
    if (this.closed) throw new OSError(errno.EBADF);
    const conn = this.conn;
    if (conn === null) throw new OSError(errno.ENOTCONN);
    if (conn.error) throw conn.error;
    if (conn.status === "connecting") await conn.opened;
    if (conn.error) throw conn.error;
    if (data.length === 0) return 0;
    const txEnd = conn.out.send(data.slice());
    const wait = txEnd - this.net.now();
    if (wait > 0) {
      await this.net.clk.sleep(wait);
      if (conn.error) throw conn.error;
    }
    return data.length;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.conn?.closeFromBoard();
  }
}
