// Sockets: the MicroPython-style socket firmware uses on the simulated network.

import { errno, OSError } from "../../client/errors.ts";
import type { Socket, SocketAddress } from "../../client/socket.ts";
import type { TimerHandle } from "../clock/clock.ts";
import type { Conn, PendingRead } from "./connection.ts";
import type { Network } from "./network.ts";
import type { NetConnection } from "./types.ts";

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
    const bytes = data.slice();
    // Traced as the board writes them (a capture on the device): whatever the
    // bytes cause at the broker and beyond comes after them in the trace.
    this.net.tap(conn, "out", bytes);
    const txEnd = conn.out.send(bytes);
    // write() returns once the bytes are in the stack's send buffer, as on
    // lwIP; it blocks only while more than the buffer holds waits to go out.
    const bps = this.net.bandwidth;
    const bufferedMs = bps > 0 ? (this.net.sendBuffer * 8000) / bps : Infinity;
    const wait = txEnd - this.net.now() - bufferedMs;
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
