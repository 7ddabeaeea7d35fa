// The real Transport: TCP (node:net) and TLS (node:tls) sockets with
// MicroPython stream semantics on top of Node's event-driven sockets.
// Incoming data is buffered; reads take from the buffer or wait for it.
// close() destroys the socket and clears every timer, so nothing leaks.
//
// Writes: umqtt writes one operation in several small writes (header, length,
// topic, payload). Each write is copied into a pending batch and resolves at
// once, as a board's send() returns once lwIP has the bytes; the batch goes to
// the kernel as one write when the current run of promise continuations ends
// (process.nextTick), so an operation leaves in one segment. TCP_NODELAY is
// on, so that segment is not held back waiting for the peer's delayed ACK.
// The bytes and their order are exactly what umqtt wrote. A write fails at
// once on a closed or reset socket; an error the kernel reports for an
// accepted batch fails the next read or write, as on a board.

import * as net from "node:net";
import * as tls from "node:tls";
import { lookup } from "node:dns/promises";
import { ByteQueue } from "./byte-queue.ts";
import { OSError, errno } from "./errors.ts";
import type { Socket, SocketAddress, SslContext, SslParams, Transport } from "./socket.ts";

/** ssl module constants (`cert_reqs`, `verify_mode`). */
export const CERT_NONE = 0;
export const CERT_OPTIONAL = 1;
export const CERT_REQUIRED = 2;

/** Node's error codes to MicroPython errno values; unknown codes become EIO. */
export function toOSError(e: unknown): OSError {
  if (e instanceof OSError) return e;
  const code = (e as { code?: unknown })?.code;
  const message = e instanceof Error ? e.message : String(e);
  if (typeof code === "string") {
    if (code in errno) return new OSError(errno[code as keyof typeof errno], message);
    // A write after the peer went away: lwIP on a board reports ECONNRESET.
    if (code === "ERR_STREAM_DESTROYED" || code === "ERR_STREAM_WRITE_AFTER_END") {
      return new OSError(errno.ECONNRESET, message);
    }
  }
  return new OSError(errno.EIO, message);
}

/** A read waiting for data, end, an error or its deadline. */
interface Waiter {
  resolve: (timedOut: boolean) => void;
  timer: NodeJS.Timeout | null;
}

export class NodeSocket implements Socket {
  private sock: net.Socket | null;
  private readonly rx = new ByteQueue();
  private eof = false;
  private error: OSError | null = null;
  private closed = false;
  private timeoutS: number | null = null;
  private readonly waiters = new Set<Waiter>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Copies of writes not yet handed to Node's socket. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private flushQueued = false;

  /** Wraps an already connected socket (used after a TLS handshake). */
  constructor(connected?: net.Socket) {
    this.sock = connected ?? null;
    if (connected) this.attach(connected);
  }

  settimeout(seconds: number | null): void {
    this.timeoutS = seconds;
  }

  setblocking(flag: boolean): void {
    this.timeoutS = flag ? null : 0;
  }

  /** The timeout as set by settimeout, for a socket that wraps this one. */
  gettimeout(): number | null {
    return this.timeoutS;
  }

  async connect(addr: SocketAddress): Promise<void> {
    if (this.closed) throw new OSError(errno.EBADF);
    if (this.sock) throw new OSError(errno.EALREADY);
    // A non-blocking connect would raise EINPROGRESS on a board; umqtt never
    // does one, so a timeout of 0 connects like a blocking socket here.
    const s = net.connect({ host: addr.host, port: addr.port });
    this.sock = s;
    this.attach(s);
    await new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | null = null;
      const done = (err: OSError | null) => {
        s.off("connect", onConnect);
        s.off("error", onError);
        if (timer) this.clearTimer(timer);
        if (err) {
          s.destroy();
          reject(err);
        } else resolve();
      };
      const onConnect = () => done(null);
      const onError = (e: Error) => done(toOSError(e));
      s.once("connect", onConnect);
      s.once("error", onError);
      if (this.timeoutS) timer = this.setTimer(this.timeoutS, () => done(new OSError(errno.ETIMEDOUT)));
    });
    if (this.closed) throw new OSError(errno.EBADF);
  }

  private readonly onData = (d: Buffer) => {
    this.rx.push(d);
    this.wake();
  };
  private readonly onEnd = () => {
    this.eof = true;
    this.wake();
  };
  private readonly onError = (e: Error) => {
    this.error = toOSError(e);
    this.wake();
  };

  private attach(s: net.Socket): void {
    s.setNoDelay(true);
    s.on("data", this.onData);
    s.on("end", this.onEnd);
    s.on("close", this.onEnd);
    s.on("error", this.onError);
  }

  /** Hand the raw socket to a TLS layer; this wrapper is done afterwards. */
  detach(): net.Socket {
    const s = this.sock;
    if (!s || this.closed) throw new OSError(errno.ENOTCONN);
    this.flush();
    // Only our own listeners: Node keeps internal ones on the same events.
    s.off("data", this.onData);
    s.off("end", this.onEnd);
    s.off("close", this.onEnd);
    s.off("error", this.onError);
    if (this.rx.length > 0) s.unshift(Buffer.from(this.rx.take(this.rx.length)));
    this.sock = null;
    this.closed = true;
    this.wake();
    return s;
  }

  async read(n: number): Promise<Uint8Array | null> {
    if (n <= 0 || this.closed) return new Uint8Array(0);
    if (this.timeoutS === 0) {
      if (this.rx.length > 0) return this.rx.take(n);
      if (this.error) throw this.error;
      if (this.eof) return new Uint8Array(0);
      return null;
    }
    const deadline = this.timeoutS === null ? null : Date.now() + this.timeoutS * 1000;
    for (;;) {
      if (this.closed) return new Uint8Array(0);
      if (this.rx.length >= n) return this.rx.take(n);
      if (this.eof || this.error) {
        if (this.rx.length > 0) return this.rx.take(n);
        if (this.error) throw this.error;
        return new Uint8Array(0);
      }
      const timedOut = await this.waitEvent(deadline);
      if (timedOut) {
        if (this.rx.length > 0) return this.rx.take(n);
        throw new OSError(errno.ETIMEDOUT);
      }
    }
  }

  async write(data: Uint8Array): Promise<number> {
    const s = this.sock;
    if (this.closed || !s) throw new OSError(errno.EBADF);
    if (this.error) throw this.error;
    if (data.length === 0) return 0;
    if (s.destroyed || s.writableEnded) throw new OSError(errno.ECONNRESET);
    // A copy: umqtt may reuse its buffer (the publish header) after write returns.
    const copy = Buffer.allocUnsafe(data.length);
    copy.set(data);
    this.pending.push(copy);
    this.pendingBytes += data.length;
    if (!this.flushQueued) {
      this.flushQueued = true;
      process.nextTick(this.flushTick);
    }
    // Blocking semantics when the send buffer is full: wait for it to drain.
    if (s.writableLength + this.pendingBytes > s.writableHighWaterMark) {
      this.flush();
      // 'drain' comes only after a write Node could not take whole.
      if (s.writableNeedDrain) await this.drained(s);
      if (this.error) throw this.error;
    }
    return data.length;
  }

  private readonly flushTick = () => {
    this.flushQueued = false;
    this.flush();
  };

  /** Hands the pending batch to Node's socket as one write. */
  private flush(): void {
    const s = this.sock;
    if (this.pending.length === 0) return;
    const batch = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    if (!s || s.destroyed) return;
    s.write(batch, this.onWritten);
  }

  /** One callback for every batch (a closure per write cost a round trip's worth of CPU per thousand). */
  private readonly onWritten = (err?: Error | null): void => {
    if (err && !this.error) {
      this.error = toOSError(err);
      this.wake();
    }
  };

  /** Waits until Node's socket buffer drained; ETIMEDOUT after the socket's timeout. */
  private async drained(s: net.Socket): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | null = null;
      const finish = (err: OSError | null) => {
        s.off("drain", onDrain);
        s.off("close", onClose);
        if (timer) this.clearTimer(timer);
        if (err) reject(err);
        else resolve();
      };
      const onDrain = () => finish(null);
      const onClose = () => finish(this.error ?? new OSError(errno.ECONNRESET));
      s.on("drain", onDrain);
      s.on("close", onClose);
      if (this.timeoutS) timer = this.setTimer(this.timeoutS, () => finish(new OSError(errno.ETIMEDOUT)));
    });
    if (this.error) throw this.error;
  }

  close(): void {
    if (this.closed) return;
    // What umqtt wrote before close (DISCONNECT) still leaves, then the FIN.
    this.flush();
    this.flushQueued = false;
    const s = this.sock;
    this.closed = true;
    this.sock = null;
    if (s && s.writableLength > 0 && !s.destroyed) {
      const t = setTimeout(() => s.destroy(), 2000);
      t.unref();
      s.end(() => {
        clearTimeout(t);
        s.destroy();
      });
    } else s?.destroy();
    this.rx.clear();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.wake();
  }

  /** Resolves true on timeout, false on any socket event. */
  private waitEvent(deadline: number | null): Promise<boolean> {
    return new Promise((resolve) => {
      const waiter: Waiter = { resolve, timer: null };
      this.waiters.add(waiter);
      if (deadline !== null) {
        waiter.timer = this.setTimer(Math.max(0, deadline - Date.now()) / 1000, () => {
          this.waiters.delete(waiter);
          resolve(true);
        });
      }
    });
  }

  /** Wakes every waiting read (each wait is one object, not a closure: this runs for every incoming chunk). */
  private wake(): void {
    if (this.waiters.size === 0) return;
    const woken = [...this.waiters];
    this.waiters.clear();
    for (const w of woken) {
      if (w.timer) this.clearTimer(w.timer);
      w.resolve(false);
    }
  }

  private setTimer(seconds: number, f: () => void): NodeJS.Timeout {
    const t = setTimeout(() => {
      this.timers.delete(t);
      f();
    }, seconds * 1000);
    this.timers.add(t);
    return t;
  }

  private clearTimer(t: NodeJS.Timeout): void {
    clearTimeout(t);
    this.timers.delete(t);
  }
}

export interface TlsOptions {
  cert?: string | Uint8Array;
  key?: string | Uint8Array;
  ca?: string | Uint8Array;
  servername?: string;
  verify: boolean;
}

/** TLS handshake over a connected NodeSocket; failures become OSError like mbedTLS errors on a board. */
export async function tlsWrap(sock: Socket, o: TlsOptions): Promise<Socket> {
  if (!(sock instanceof NodeSocket)) throw new OSError(errno.EOPNOTSUPP, "TLS needs a NodeSocket");
  const timeout = sock.gettimeout();
  const raw = sock.detach();
  const buf = (x: string | Uint8Array | undefined) => (x === undefined ? undefined : Buffer.from(x));
  let t: tls.TLSSocket | null = null;
  try {
    const sock = tls.connect({
      socket: raw,
      // SNI takes host names only.
      servername: o.servername && !net.isIP(o.servername) ? o.servername : undefined,
      cert: buf(o.cert),
      key: buf(o.key),
      ca: buf(o.ca),
      rejectUnauthorized: o.verify,
      // Without a name to check (or without verification) skip the host name check.
      ...(o.verify && o.servername ? {} : { checkServerIdentity: () => undefined }),
    });
    t = sock;
    await new Promise<void>((resolve, reject) => {
      sock.once("secureConnect", () => resolve());
      sock.once("error", (e) => reject(e));
    });
  } catch (e) {
    t?.destroy();
    raw.destroy();
    throw e instanceof OSError ? e : new OSError(errno.EIO, `TLS handshake failed: ${(e as Error).message}`);
  }
  const wrapped = new NodeSocket(t);
  wrapped.settimeout(timeout);
  return wrapped;
}

/** ssl_params values as PEM; a Uint8Array is taken as file contents. */
function pem(x: unknown): string | Uint8Array | undefined {
  return typeof x === "string" || x instanceof Uint8Array ? x : undefined;
}

/** A MicroPython-style `ssl.SSLContext` for `ssl=<context>`. */
export class NodeSslContext implements SslContext {
  verify_mode = CERT_NONE;
  private cert?: string | Uint8Array;
  private key?: string | Uint8Array;
  private ca?: string | Uint8Array;

  load_cert_chain(cert: string | Uint8Array, key?: string | Uint8Array): void {
    this.cert = cert;
    this.key = key;
  }

  load_verify_locations(opts: { cadata?: string | Uint8Array; cafile?: string | Uint8Array }): void {
    this.ca = opts.cadata ?? opts.cafile;
  }

  wrap_socket(sock: Socket, options: { server_hostname: string }): Promise<Socket> {
    return tlsWrap(sock, {
      cert: this.cert,
      key: this.key,
      ca: this.ca,
      servername: options.server_hostname,
      verify: this.verify_mode === CERT_REQUIRED,
    });
  }
}

export class NodeTransport implements Transport {
  async getaddrinfo(host: string, port: number): Promise<SocketAddress> {
    try {
      const r = await lookup(host, { family: 4 });
      return { host: r.address, port };
    } catch {
      // lwIP-based ports report a failed lookup as OSError(-2).
      throw new OSError(-2);
    }
  }

  socket(): Socket {
    return new NodeSocket();
  }

  wrapSocket(sock: Socket, params: SslParams): Promise<Socket> {
    return tlsWrap(sock, {
      cert: pem(params.cert),
      key: pem(params.key),
      ca: pem(params.ca) ?? pem(params.cadata),
      servername: params.server_hostname,
      verify: params.cert_reqs === CERT_REQUIRED,
    });
  }
}
