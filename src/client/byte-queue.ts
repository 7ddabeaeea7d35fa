// Received bytes waiting for a read: chunks are kept as they arrive and
// copied out only when read, so a large payload arriving in segments is not
// concatenated over and over.

export class ByteQueue {
  private chunks: Uint8Array[] = [];
  /** Bytes of chunks[0] already read. */
  private offset = 0;
  private size = 0;

  get length(): number {
    return this.size;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  /** Removes and returns up to `n` bytes, in a fresh array. */
  take(n: number): Uint8Array {
    const count = Math.max(0, Math.min(n, this.size));
    const out = new Uint8Array(count);
    let at = 0;
    while (at < count) {
      const chunk = this.chunks[0];
      const avail = chunk.length - this.offset;
      const k = Math.min(avail, count - at);
      out.set(chunk.subarray(this.offset, this.offset + k), at);
      at += k;
      if (k === avail) {
        this.chunks.shift();
        this.offset = 0;
      } else this.offset += k;
    }
    this.size -= count;
    return out;
  }

  clear(): void {
    this.chunks = [];
    this.offset = 0;
    this.size = 0;
  }
}
