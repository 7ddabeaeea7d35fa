// Links and segments: one direction of a connection, an in-order queue of
// timed deliveries (serialisation, latency, loss stalls, partitions).

import { concat } from "../../client/bytes.ts";
import type { TimerHandle } from "../clock/clock.ts";
import type { Item } from "./types.ts";
import type { Network } from "./network.ts";
import type { Conn } from "./connection.ts";

/** A queued item; a data segment that several writes joined holds their bytes as parts until delivery. */
type Queued = Item | Uint8Array[];

function addParts(parts: Uint8Array[], data: Uint8Array | Uint8Array[]): void {
  if (Array.isArray(data)) for (const part of data) parts.push(part);
  else parts.push(data);
}

/** One direction of a connection: an in-order queue of timed deliveries. */
export class Link {
  private readonly items: Queued[] = [];
  private readonly times: number[] = [];
  private head = 0;
  private lastAt = 0;
  private txFreeAt = 0;
  private floorAt = 0;
  private timer: TimerHandle | null = null;
  /** The data segment queued last, while more bytes sent in the same instant may join it (-1: none). */
  private openIndex = -1;
  private openAt = -1;
  private openLength = 0;

  constructor(
    private readonly net: Network,
    private readonly conn: Conn,
    private readonly dir: "out" | "in",
    private readonly deliver: (item: Item) => void,
  ) {}

  /**
   * Queue bytes or a marker; returns the virtual time the last byte queued
   * so far leaves the sender. Bytes sent in the same virtual instant as the
   * last data segment still queued join that segment, up to a full one: a
   * TCP stack sends what the application handed it in one go as one
   * segment (umqtt writes a PUBLISH in four small writes).
   */
  send(item: Item): number {
    const now = this.net.now();
    if (typeof item === "string") {
      this.openIndex = -1;
      this.enqueue(item, Math.max(now, this.txFreeAt) + this.net.flightDelay(this.conn, this.dir, 0));
      return now;
    }
    const mss = this.net.mss;
    const bps = this.net.bandwidth;
    let off = this.joinOpenSegment(item, now, mss, bps);
    for (; off < item.length; off += mss) {
      const seg = item.subarray(off, Math.min(item.length, off + mss));
      const txStart = Math.max(now, this.txFreeAt);
      const txEnd = txStart + (bps > 0 ? (seg.length * 8000) / bps : 0);
      this.txFreeAt = txEnd;
      this.enqueue(seg, txEnd + this.net.flightDelay(this.conn, this.dir, seg.length));
      this.openIndex = this.items.length - 1;
      this.openAt = now;
      this.openLength = seg.length;
    }
    return Math.max(now, this.txFreeAt);
  }

  /** Append what fits of `bytes` to the segment opened in this instant, if any; returns how many bytes it took. */
  private joinOpenSegment(bytes: Uint8Array, now: number, mss: number, bps: number): number {
    const i = this.openIndex;
    if (i < this.head || i !== this.items.length - 1 || this.openAt !== now) return 0;
    const take = Math.min(mss - this.openLength, bytes.length);
    if (take <= 0) return 0;
    // Parts, joined once at delivery: one copy per segment, not one per write.
    const part = take === bytes.length ? bytes : bytes.subarray(0, take);
    const queued = this.items[i] as Uint8Array | Uint8Array[];
    if (Array.isArray(queued)) queued.push(part);
    else this.items[i] = [queued, part];
    this.openLength += take;
    // The joined bytes lengthen the segment's time on the wire; its flight delay stays the one drawn for it.
    const serialisation = bps > 0 ? (take * 8000) / bps : 0;
    if (serialisation > 0) {
      this.txFreeAt += serialisation;
      this.times[i] = this.times[i]! + serialisation;
      this.lastAt = Math.max(this.lastAt, this.times[i]!);
      if (i === this.head && this.timer !== null) {
        this.timer.cancel();
        this.timer = null;
        this.arm();
      }
    }
    return take;
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
      this.deliver(Array.isArray(item) ? concat(item) : item);
    }
    this.items.length = 0;
    this.times.length = 0;
    this.head = 0;
    this.openIndex = -1;
  }

  clear(): void {
    this.items.length = 0;
    this.times.length = 0;
    this.head = 0;
    this.openIndex = -1;
    this.timer?.cancel();
    this.timer = null;
  }

  private enqueue(item: Queued, at: number): void {
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
        if (end > this.head || Array.isArray(item)) {
          const parts: Uint8Array[] = [];
          addParts(parts, item);
          for (let k = this.head; k < end; k++) addParts(parts, this.items[k] as Uint8Array | Uint8Array[]);
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
      this.openIndex = -1;
    } else if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.times.splice(0, this.head);
      this.openIndex -= this.head;
      this.head = 0;
    }
    this.net.activity();
    this.arm();
  }
}

