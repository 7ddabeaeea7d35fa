// Two connected in-memory Duplex streams: what one end writes, the other end
// reads. Used to attach a board's simulated network to the in-process broker
// without a TCP socket, so virtual time and faults apply to every byte.

import { Duplex } from "node:stream";

class PairEnd extends Duplex {
  peer: PairEnd | undefined;

  constructor(private readonly observe?: (chunk: Buffer) => void) {
    super({ allowHalfOpen: false });
  }

  override _read(): void {
    // Data is pushed by the peer's writes.
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.observe?.(chunk);
    if (this.peer && !this.peer.destroyed) this.peer.push(chunk);
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.peer && !this.peer.destroyed) this.peer.push(null);
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // A dropped link is dropped for both sides: the broker must see the board vanish.
    if (this.peer && !this.peer.destroyed) this.peer.destroy();
    callback(error);
  }
}

/**
 * Returns [clientEnd, serverEnd]. `observeClientWrites` sees every chunk the
 * client end writes (the broker link uses it to time keepalive).
 */
export function createDuplexPair(observeClientWrites?: (chunk: Buffer) => void): [Duplex, Duplex] {
  const client = new PairEnd(observeClientWrites);
  const server = new PairEnd();
  client.peer = server;
  server.peer = client;
  return [client, server];
}
