// One TCP connection: its two links, the server stream, the board's receive
// buffer and blocked read, and what each delivered item does.

import type { Duplex } from "node:stream";
import { errno, OSError } from "../../client/errors.ts";
import { ByteQueue } from "../../client/byte-queue.ts";
import type { SocketAddress } from "../../client/socket.ts";
import type { TimerHandle } from "../clock/clock.ts";
import type { NetEventName } from "../trace.ts";
import { connectionResetError } from "./stream-pair.ts";
import { Link } from "./link.ts";
import type { Network } from "./network.ts";
import type { SimSocket } from "./sim-socket.ts";
import type { ConnStatus, Item, NetConnection } from "./types.ts";

export interface PendingRead {
  n: number;
  resolve: (v: Uint8Array) => void;
  reject: (e: unknown) => void;
  timer: TimerHandle | null;
  timeoutMs: number | null;
}

/** One TCP connection's state, shared by the board's socket and the server stream. */
export class Conn implements NetConnection {
  status: ConnStatus = "connecting";
  onBytes?: (dir: "out" | "in", bytes: Uint8Array) => void;
  /** Told after anything a poll() could see changed: bytes or EOF arrived, the connection opened or failed. */
  onChange?: () => void;
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
    stream.on("end", () => this.serverClosed("fin"));
    stream.on("error", (err: NodeJS.ErrnoException) => this.serverClosed(err?.code === "ECONNRESET" || err?.code === "EPIPE" ? "rst" : "fin"));
    stream.on("close", () => this.serverClosed("fin"));
    this.in.send("synack");
    for (const data of this.earlyOut) this.writeStream(data);
    this.earlyOut = [];
  }

  /** The server stream ended or broke: FIN or RST travels to the board after the data before it. */
  private serverClosed(marker: "fin" | "rst"): void {
    if (this.streamDone) return;
    this.streamDone = true;
    if (this.status === "failed") return;
    this.net.activity();
    this.in.send(marker);
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
    this.onChange?.();
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
        this.onChange?.();
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
    this.onChange?.();
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

