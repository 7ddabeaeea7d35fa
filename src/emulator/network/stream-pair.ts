// Two cross-wired in-memory Duplex streams, a light stand-in for a TCP
// connection: bytes written to one end are read from the other. end() on
// one side delivers EOF to the other; destroy(err) on one side destroys the
// other with the same error (a reset is seen by both), destroy() without an
// error closes the other side as a dropped connection.

import { Duplex } from "node:stream";

class PairEnd extends Duplex {
  peer: PairEnd | null = null;

  constructor(private readonly observe?: (chunk: Buffer) => void) {
    // allowHalfOpen false: once this side has read EOF it ends its own writable side too, as TCP sockets do by default.
    super({ allowHalfOpen: false });
  }

  override _read(): void {
    // Data arrives through the peer's writes.
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.observe?.(chunk);
    const peer = this.peer;
    if (peer && !peer.destroyed && !peer.readableEnded) peer.push(chunk);
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    const peer = this.peer;
    if (peer && !peer.destroyed) peer.push(null);
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const peer = this.peer;
    this.peer = null;
    if (peer && !peer.destroyed) {
      peer.peer = null;
      if (error) peer.destroy(error);
      else peer.destroy();
    }
    callback(error);
  }
}

/**
 * An in-memory connection: returns [a, b]; give one end to the server (e.g.
 * aedes) and dial with the other. `observeA` sees every chunk written to `a`
 * (the broker link times keepalive with it).
 */
export function createStreamPair(observeA?: (chunk: Buffer) => void): [Duplex, Duplex] {
  const a = new PairEnd(observeA);
  const b = new PairEnd();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

/** An error shaped like Node's for a reset TCP connection. */
export function connectionResetError(): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error("read ECONNRESET");
  err.code = "ECONNRESET";
  return err;
}
