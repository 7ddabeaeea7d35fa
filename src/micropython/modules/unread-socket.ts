// The socket under a VM board's umqtt client, able to give bytes back.
//
// On a device, umqtt's `msg = self.sock.read(sz)` allocates the bytes object
// before reading anything, so a MemoryError leaves the payload in the socket
// and the firmware's next wait_msg() reads it as if it were packets. Our host
// client reads the payload first; the VM allocates it when the callback is
// invoked. When that allocation fails (before the callback runs), the reads
// that produced the unallocated bytes are put back here, so what the socket
// holds afterwards is what the device's would hold.

import type { Socket, SocketAddress, SslParams, Transport } from "../../client/socket.ts";
import { errno, OSError } from "../../client/errors.ts";

const EMPTY = new Uint8Array(0);
/** Reads remembered for unread(): a PUBLISH's topic, packet id and payload are the last three. */
const RECENT_READS = 4;

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

export class UnreadSocket implements Socket {
  /** Bytes given back, served before the connection's. */
  private pending: Uint8Array = EMPTY;
  /** The last reads' results, oldest first: unread() finds a result by identity. */
  private readonly recent: Uint8Array[] = [];

  /** `beforeRead(n)` runs before each read of the connection and may reject it (nothing is read then). */
  constructor(
    private readonly inner: Socket,
    private readonly beforeRead?: (n: number) => Promise<void> | void,
  ) {}

  connect(addr: SocketAddress): Promise<void> {
    return this.inner.connect(addr);
  }

  settimeout(seconds: number | null): void {
    this.inner.settimeout(seconds);
  }

  setblocking(flag: boolean): void {
    this.inner.setblocking(flag);
  }

  write(data: Uint8Array): Promise<number> {
    return this.inner.write(data);
  }

  close(): void {
    this.pending = EMPTY;
    this.recent.length = 0;
    this.inner.close();
  }

  async read(n: number): Promise<Uint8Array | null> {
    await this.beforeRead?.(n);
    const got = await this.readThrough(n);
    if (got !== null && got.length > 0) {
      this.recent.push(got);
      if (this.recent.length > RECENT_READS) this.recent.shift();
    }
    return got;
  }

  /** Bytes given back and not read again yet. */
  get buffered(): number {
    return this.pending.length;
  }

  /** Puts `data` back in front of whatever the next read returns. */
  putBack(data: Uint8Array): void {
    this.pending = concat(data, this.pending);
  }

  /**
   * Gives back the bytes of the read that returned `data` (the very array)
   * and of every read after it, in order. False, changing nothing, when
   * `data` is not one of the last reads.
   */
  unread(data: Uint8Array): boolean {
    const at = this.recent.indexOf(data);
    if (at < 0) return false;
    let back: Uint8Array = EMPTY;
    for (const r of this.recent.splice(at)) back = concat(back, r);
    this.putBack(back);
    return true;
  }

  private async readThrough(n: number): Promise<Uint8Array | null> {
    const head = this.pending;
    if (head.length === 0) return this.inner.read(n);
    if (head.length >= n) {
      this.pending = head.slice(n);
      return head.slice(0, n);
    }
    this.pending = EMPTY;
    let rest: Uint8Array | null;
    try {
      rest = await this.inner.read(n - head.length);
    } catch (error) {
      // Nothing more arrived: a timeout after a partial read returns it; other errors keep the bytes for later.
      if (error instanceof OSError && error.errno === errno.ETIMEDOUT) return head;
      this.pending = concat(head, this.pending);
      throw error;
    }
    return rest === null ? head : concat(head, rest);
  }
}

/** `transport` with every socket it makes an UnreadSocket (with `beforeRead`). */
export function unreadTransport(transport: Transport, beforeRead?: (n: number) => Promise<void> | void): Transport {
  return {
    getaddrinfo: (host: string, port: number) => transport.getaddrinfo(host, port),
    socket: () => new UnreadSocket(transport.socket(), beforeRead),
    wrapSocket: (sock: Socket, params: SslParams) => transport.wrapSocket(sock, params),
  };
}
