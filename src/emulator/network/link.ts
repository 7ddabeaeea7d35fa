// Links and segments: one direction of a connection, an in-order queue of
// timed deliveries (serialisation, latency, loss stalls, partitions).

import { concat } from "../../client/bytes.ts";
import type { TimerHandle } from "../clock/clock.ts";
import type { Item } from "./types.ts";
import type { Network } from "./network.ts";
import type { Conn } from "./connection.ts";

/** One direction of a connection: an in-order queue of timed deliveries. */
export class Link {
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

  /**
   * Deliver everything queued now, in order, whatever its due time (the run
   * is ending: bytes the board wrote reach the wire and the trace). Nothing
   * moves while partitioned, as on a device.
   */
  flush(): void {
    if (this.net.partitioned) return;
    this.timer?.cancel();
    this.timer = null;
    while (this.head < this.items.length) {
      const item = this.items[this.head]!;
      this.head++;
      this.deliver(item);
    }
    this.items.length = 0;
    this.times.length = 0;
    this.head = 0;
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

