// socket / usocket on the board's simulated network: the same SimSocket the
// TypeScript client uses, so connects, delays, faults, errnos and the MQTT
// tap apply to a firmware's own protocol code byte for byte. Readiness
// (recv, select.poll) is waited for on the virtual clock through the
// connection's change hook, never by polling.

import type { Board } from "../../emulator/board/board.ts";
import type { Conn } from "../../emulator/network/connection.ts";
import type { SimSocket } from "../../emulator/network/sim-socket.ts";
import type { TimerHandle } from "../../emulator/clock/clock.ts";
import { errno, OSError } from "../../client/errors.ts";
import type { Value } from "../protocol.ts";
import { int, type HostModule, type VmContext } from "./context.ts";
import { UnreadSocket } from "./unread-socket.ts";

export const POLLIN = 1;
export const POLLOUT = 4;
export const POLLERR = 8;
export const POLLHUP = 16;

const IPV4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** A socket the VM holds by handle. */
export class VmSocket {
  /** Seconds; null blocks, 0 is non-blocking (kept here too: SimSocket's is private). */
  timeout: number | null = null;
  closed = false;
  /** Reads go through it, so bytes the VM could not allocate can be given back (socket.unread). */
  readonly reader: UnreadSocket;
  /** What the last read or recv returned. */
  lastRead: Uint8Array | null = null;
  constructor(
    readonly board: Board,
    readonly sim: SimSocket,
  ) {
    this.reader = new UnreadSocket(sim);
  }

  /** Bytes to read: given back, or in the connection's receive buffer. */
  hasBytes(conn: Conn): boolean {
    return this.reader.buffered > 0 || conn.rx.length > 0;
  }

  get conn(): Conn | null {
    return this.sim.connection as Conn | null;
  }

  /** poll() events for this socket now. */
  events(): number {
    const c = this.conn;
    if (this.closed) return POLLHUP;
    if (c === null) return POLLOUT | POLLHUP;
    if (c.error) return POLLIN | POLLERR | POLLHUP;
    let ev = 0;
    if (this.hasBytes(c) || c.rxEof) ev |= POLLIN;
    if (c.status === "open") ev |= POLLOUT;
    return ev;
  }
}

/** Per board: callbacks to run when any of its connections changes. */
const watchers = new WeakMap<Board, Set<() => void>>();

function watch(board: Board, conn: Conn): void {
  conn.onChange = () => {
    for (const w of [...(watchers.get(board) ?? [])]) w();
  };
}

/**
 * Resolves true once `ready()` holds, false after `timeoutMs` (null: never
 * times out). Checked now, then at every change of the board's connections.
 */
export function waitUntil(board: Board, ready: () => boolean, timeoutMs: number | null): Promise<boolean> {
  if (ready()) return Promise.resolve(true);
  if (timeoutMs !== null && timeoutMs <= 0) return Promise.resolve(false);
  let set = watchers.get(board);
  if (!set) watchers.set(board, (set = new Set()));
  const group = set;
  return new Promise((resolve) => {
    let timer: TimerHandle | null = null;
    const finish = (ok: boolean) => {
      group.delete(check);
      timer?.cancel();
      resolve(ok);
    };
    const check = () => {
      if (ready()) finish(true);
    };
    group.add(check);
    if (timeoutMs !== null) timer = board.clock.setTimer(timeoutMs, () => finish(false));
  });
}

export function vmSocket(ctx: VmContext, h: Value | undefined): VmSocket {
  return ctx.handles.get<VmSocket>(h ?? null, "socket");
}

function open(s: VmSocket): Conn {
  if (s.closed) throw new OSError(errno.EBADF);
  const c = s.conn;
  if (c === null) throw new OSError(errno.ENOTCONN);
  return c;
}

function timedOut(s: VmSocket, conn: Conn, what: string): OSError {
  const net = s.board.network;
  net.counters.timeouts++;
  net.emit("timeout", `#${conn.id} ${what} timed out after ${(s.timeout ?? 0) * 1000} ms`);
  return new OSError(errno.ETIMEDOUT);
}

/** Waits until `conn` has bytes, EOF or an error, as the socket's timeout allows; raises EAGAIN / ETIMEDOUT. */
async function readable(s: VmSocket, conn: Conn, what: string): Promise<void> {
  const ok = await waitUntil(s.board, () => s.hasBytes(conn) || conn.rxEof || conn.error !== null, s.timeout === null ? null : s.timeout * 1000);
  if (ok) return;
  if (s.timeout === 0) throw new OSError(errno.EAGAIN);
  throw timedOut(s, conn, what);
}

/** recv(n): what is there (at least one byte, or b"" at EOF). */
async function recv(s: VmSocket, n: number): Promise<Uint8Array> {
  const conn = open(s);
  await readable(s, conn, "recv");
  if (s.reader.buffered > 0) return (await s.reader.read(Math.min(n, s.reader.buffered)))!;
  if (conn.rx.length > 0) return conn.rx.take(n);
  if (conn.error) throw conn.error;
  return new Uint8Array(0);
}

/** read() with no size: everything until EOF; None when non-blocking and nothing came. */
async function readAll(s: VmSocket): Promise<Uint8Array | null> {
  const conn = open(s);
  const parts: Uint8Array[] = [];
  for (;;) {
    try {
      await readable(s, conn, "read");
    } catch (error) {
      if (parts.length > 0 || !(error instanceof OSError) || error.errno !== errno.EAGAIN) {
        if (parts.length > 0) break;
        throw error;
      }
      return null;
    }
    if (s.reader.buffered > 0) parts.push((await s.reader.read(s.reader.buffered))!);
    else if (conn.rx.length > 0) parts.push(conn.rx.take(conn.rx.length));
    else if (conn.error) throw conn.error;
    else break;
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const bytesArg = (v: Value | undefined): Uint8Array => {
  if (v instanceof Uint8Array) return v;
  if (typeof v === "string") return new TextEncoder().encode(v);
  throw new TypeError("object with buffer protocol required");
};

export const socketModule: HostModule = {
  glue: ["socket.py", "usocket.py"],
  ops: {
    /** "port host" of the address `host` resolves to on the board's network (its DNS, faults and errnos). */
    "socket.getaddrinfo": async (ctx, [host, port]) => {
      const a = await ctx.board.network.getaddrinfo(String(host), int(port, "port"));
      return `${a.port} ${a.host}`;
    },
    "socket.new": (ctx, [type]) => {
      if (type !== 1) throw new OSError(errno.EOPNOTSUPP, "only SOCK_STREAM sockets are emulated");
      return ctx.handles.add(new VmSocket(ctx.board, ctx.board.network.socket() as SimSocket));
    },
    "socket.connect": async (ctx, [h, host, port]) => {
      const s = vmSocket(ctx, h);
      let addr = { host: String(host), port: int(port, "port") };
      // ESP32's connect() resolves a name itself.
      if (!IPV4.test(addr.host)) addr = await ctx.board.network.getaddrinfo(addr.host, addr.port);
      const connecting = s.sim.connect(addr);
      if (s.conn) watch(ctx.board, s.conn);
      await connecting;
    },
    "socket.settimeout": (ctx, [h, t]) => {
      const s = vmSocket(ctx, h);
      const seconds = t === null ? null : typeof t === "number" ? t : NaN;
      s.sim.settimeout(seconds); // EINVAL for a negative or non-number timeout
      s.timeout = seconds;
    },
    "socket.setblocking": (ctx, [h, flag]) => {
      const s = vmSocket(ctx, h);
      const on = flag === true || flag === 1;
      s.sim.setblocking(on);
      s.timeout = on ? null : 0;
    },
    /** read(n): blocking, n bytes or fewer at EOF; non-blocking, what is there or None. n < 0: until EOF. */
    "socket.read": async (ctx, [h, n]) => {
      const s = vmSocket(ctx, h);
      const size = int(n, "size");
      if (size < 0) return readAll(s);
      open(s);
      s.lastRead = await s.reader.read(size);
      return s.lastRead;
    },
    "socket.recv": async (ctx, [h, n]) => {
      const s = vmSocket(ctx, h);
      s.lastRead = await recv(s, int(n, "bufsize"));
      return s.lastRead;
    },
    /**
     * The VM could not allocate what the last read or recv returned: a device
     * allocates its buffer before reading, so those bytes are still to be read.
     */
    "socket.unread": (ctx, [h]) => {
      const s = vmSocket(ctx, h);
      if (s.lastRead && s.lastRead.length > 0) s.reader.putBack(s.lastRead);
      s.lastRead = null;
    },
    "socket.write": async (ctx, [h, data]) => {
      const s = vmSocket(ctx, h);
      open(s);
      return s.sim.write(bytesArg(data));
    },
    "socket.close": (ctx, [h]) => {
      const s = vmSocket(ctx, h);
      s.closed = true;
      s.reader.close();
    },
  },
  reset(ctx) {
    // A reboot drops the VM's connections, as a device's reset does.
    for (const o of ctx.handles.values()) if (o instanceof VmSocket) o.sim.close();
  },
};
