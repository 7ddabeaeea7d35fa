// A MicroPython-like garbage-collected heap, as an Allocator for the umqtt
// client. It models what makes a small heap hard: a fixed budget, 16-byte
// blocks (4 machine words), first-fit placement, objects that never move,
// garbage that stays allocated until a collection, and a collection only
// when an allocation fails. MemoryError comes only after that collection
// failed to make room. Fragmentation is real: the largest allocatable block
// depends on what was allocated before.
//
// Object model (explicit constants below; see docs/boards.md):
// - `alloc(n)` charges a bytes object of length n, as `sock.read(n)` creates
//   one: a data buffer of n + 1 bytes (MicroPython keeps a trailing NUL),
//   rounded up to whole blocks, allocated first; then the object header
//   (`mp_obj_str_t`: type, hash, length, data pointer = 4 words = 1 block).
//   Length 0 allocates nothing (b"" is a shared constant).
// - `allocRaw(n)` charges n bytes rounded up to whole blocks, no header (an
//   instance, a dict, loaded bytecode).
// On a 64-bit build a word is 8 bytes, so blocks are 32 bytes and headers
// twice as large; `wordSize: 8` reproduces figures measured there.

import { MemoryError } from "../../client/errors.ts";
import type { Allocator } from "../../client/alloc.ts";
import type { Clock } from "../clock/clock.ts";
import type { Trace } from "../trace.ts";

/** Words per GC block (MicroPython's BYTES_PER_BLOCK = 4 words). */
export const WORDS_PER_BLOCK = 4;
/** Words in a bytes object's header (mp_obj_str_t: base, hash, len, data). */
export const BYTES_HEADER_WORDS = 4;
/** Extra data bytes a bytes object keeps (the trailing NUL). */
export const BYTES_DATA_EXTRA = 1;

export interface HeapOptions {
  /** Bytes of heap free to firmware (the board file's heap.budget). Rounded down to whole blocks. */
  budget: number;
  /** 4 for 32-bit ports (default), 8 for 64-bit builds such as the unix port on x86-64. */
  wordSize?: 4 | 8;
  trace?: Trace;
  clock?: Clock;
  board?: string;
  /** Emit a heap trace event for every allocation too (default: only collect and oom). */
  traceAllocs?: boolean;
}

interface Record_ {
  what: string;
  /** First block and block count of the data part (count 0: none). */
  start: number;
  blocks: number;
  /** First block and block count of the header part (count 0: none). */
  hStart: number;
  hBlocks: number;
  garbage: boolean;
  pinned: boolean;
}

export interface HeapStats {
  budget: number;
  used: number;
  free: number;
  largestFree: number;
  peakUsed: number;
  collections: number;
  oom: number;
  liveObjects: number;
}

const FREE = 0;
const LIVE = 1;
const GARBAGE = 2;

export class Heap implements Allocator {
  readonly blockSize: number;
  readonly wordSize: 4 | 8;
  /** Total bytes (whole blocks). */
  readonly budget: number;
  /**
   * One byte per block: FREE, LIVE or GARBAGE. Garbage is marked here rather
   * than kept as a record, so host memory stays bounded by live objects
   * however long the heap goes without a collection.
   */
  private readonly map: Uint8Array;
  private readonly records = new Map<number, Record_>();
  private nextHandle = 1;
  private usedBlocks = 0;
  private peakBlocks = 0;
  /** No free block below this index (first-fit scan starts here). */
  private lowestFree = 0;
  private collectionCount = 0;
  private oomCount = 0;
  private readonly trace: Trace | undefined;
  private readonly clock: Clock | undefined;
  private readonly board: string;
  private readonly traceAllocs: boolean;

  constructor(options: HeapOptions) {
    this.wordSize = options.wordSize ?? 4;
    this.blockSize = WORDS_PER_BLOCK * this.wordSize;
    const blocks = Math.floor(options.budget / this.blockSize);
    if (!(blocks > 0)) throw new RangeError(`heap budget ${options.budget} is smaller than one block`);
    this.budget = blocks * this.blockSize;
    this.map = new Uint8Array(blocks);
    this.trace = options.trace;
    this.clock = options.clock;
    this.board = options.board ?? "board";
    this.traceAllocs = options.traceAllocs ?? false;
  }

  // ---- Allocator -------------------------------------------------------

  /** Charge a bytes object of `bytes` length. Throws MemoryError when it does not fit after a collection. */
  alloc(bytes: number, what: string): number {
    const n = Math.max(0, Math.floor(bytes));
    if (n === 0) return this.record(what, -1, 0, -1, 0);
    const dataBlocks = Math.ceil((n + BYTES_DATA_EXTRA) / this.blockSize);
    const headerBlocks = Math.ceil((BYTES_HEADER_WORDS * this.wordSize) / this.blockSize);
    const start = this.take(dataBlocks, n, what);
    let hStart: number;
    try {
      hStart = this.take(headerBlocks, n, what);
    } catch (err) {
      // The data buffer became garbage; it is reclaimed at the next collection.
      this.release(this.record(what, start, dataBlocks, -1, 0));
      throw err;
    }
    const handle = this.record(what, start, dataBlocks, hStart, headerBlocks);
    if (this.traceAllocs) this.emit("alloc", what, n);
    return handle;
  }

  /** The object became garbage: its blocks stay in use until the next collection. */
  release(handle: number): void {
    const rec = this.records.get(handle);
    if (!rec) return;
    rec.garbage = true;
    if (!rec.pinned) this.toGarbage(handle, rec);
  }

  // ---- more of the heap ------------------------------------------------

  /** Charge `bytes` rounded up to whole blocks, with no object header (instances, dicts, bytecode). */
  allocRaw(bytes: number, what: string): number {
    const blocks = Math.max(1, Math.ceil(bytes / this.blockSize));
    const start = this.take(blocks, bytes, what);
    const handle = this.record(what, start, blocks, -1, 0);
    if (this.traceAllocs) this.emit("alloc", what, bytes);
    return handle;
  }

  /** A long-lived raw allocation that collections never reclaim (a loaded module, the firmware's globals). */
  reserve(bytes: number, what: string): number {
    const handle = this.allocRaw(bytes, what);
    this.pin(handle);
    return handle;
  }

  /**
   * A pinned raw object at block `at` (which must be free), for laying out a
   * freshly booted heap: boot leaves long-lived objects between free holes.
   */
  pinAt(at: number, bytes: number, what: string): number {
    const blocks = Math.max(1, Math.ceil(bytes / this.blockSize));
    if (at < 0 || at + blocks > this.map.length || this.map.subarray(at, at + blocks).some((b) => b !== FREE)) {
      throw new RangeError(`pinAt: blocks ${at}..${at + blocks - 1} are not free`);
    }
    this.map.fill(LIVE, at, at + blocks);
    this.usedBlocks += blocks;
    if (this.usedBlocks > this.peakBlocks) this.peakBlocks = this.usedBlocks;
    if (at === this.lowestFree) this.advanceLowestFree();
    const handle = this.record(what, at, blocks, -1, 0);
    this.pin(handle);
    return handle;
  }

  /** Index of the lowest free block (the heap's length when full). */
  get firstFreeBlock(): number {
    return this.lowestFree;
  }

  /** Number of blocks. */
  get blockCount(): number {
    return this.map.length;
  }

  /** Keep an object alive regardless of `release` (a GC root) until `unpin`. */
  pin(handle: number): void {
    const rec = this.records.get(handle);
    if (rec) rec.pinned = true;
  }

  unpin(handle: number): void {
    const rec = this.records.get(handle);
    if (!rec) return;
    rec.pinned = false;
    if (rec.garbage) this.toGarbage(handle, rec);
  }

  /** gc.collect(): reclaim every released, unpinned object. Returns the bytes reclaimed. */
  collect(): number {
    const map = this.map;
    let freed = 0;
    for (let i = 0; i < map.length; i++) {
      if (map[i] !== GARBAGE) continue;
      map[i] = FREE;
      freed++;
      if (i < this.lowestFree) this.lowestFree = i;
    }
    this.usedBlocks -= freed;
    this.collectionCount++;
    this.emit("collect", undefined, freed * this.blockSize);
    return freed * this.blockSize;
  }

  /** gc.mem_free(): bytes in free blocks (garbage counts as allocated until collected). */
  mem_free(): number {
    return (this.map.length - this.usedBlocks) * this.blockSize;
  }

  /** gc.mem_alloc(): bytes in allocated blocks, garbage included. */
  mem_alloc(): number {
    return this.usedBlocks * this.blockSize;
  }

  /** Bytes in the longest run of free blocks. */
  largestFree(): number {
    const map = this.map;
    let best = 0;
    let run = 0;
    for (let i = this.lowestFree; i < map.length; i++) {
      if (map[i] === FREE) {
        run++;
        if (run > best) best = run;
      } else run = 0;
    }
    return best * this.blockSize;
  }

  /** The largest bytes object that `alloc` could place right now without a collection. */
  largestBytesObject(): number {
    const blocks = this.largestFree() / this.blockSize;
    return Math.max(0, blocks * this.blockSize - BYTES_DATA_EXTRA);
  }

  get peakUsed(): number {
    return this.peakBlocks * this.blockSize;
  }

  get collections(): number {
    return this.collectionCount;
  }

  get oomCountTotal(): number {
    return this.oomCount;
  }

  stats(): HeapStats {
    return {
      budget: this.budget,
      used: this.mem_alloc(),
      free: this.mem_free(),
      largestFree: this.largestFree(),
      peakUsed: this.peakUsed,
      collections: this.collectionCount,
      oom: this.oomCount,
      liveObjects: [...this.records.values()].filter((r) => !r.garbage || r.pinned).length,
    };
  }

  /** The block map as a string, one character per block: '.' free, '#' live, 'g' garbage, 'p' pinned. */
  render(): string {
    const chars = Array.from(this.map, (b): string => (b === FREE ? "." : b === GARBAGE ? "g" : "#"));
    for (const rec of this.records.values()) {
      if (!rec.pinned) continue;
      for (let i = 0; i < rec.blocks; i++) chars[rec.start + i] = "p";
      for (let i = 0; i < rec.hBlocks; i++) chars[rec.hStart + i] = "p";
    }
    return chars.join("");
  }

  // ---- internals -------------------------------------------------------

  /** First fit; on failure collect and retry; then MemoryError. */
  private take(blocks: number, requested: number, what: string): number {
    let start = this.findRun(blocks);
    if (start < 0) {
      this.collect();
      start = this.findRun(blocks);
      if (start < 0) {
        this.oomCount++;
        this.emit("oom", what, requested);
        throw new MemoryError(requested);
      }
    }
    this.map.fill(LIVE, start, start + blocks);
    this.usedBlocks += blocks;
    if (this.usedBlocks > this.peakBlocks) this.peakBlocks = this.usedBlocks;
    if (start === this.lowestFree) this.advanceLowestFree();
    return start;
  }

  private findRun(blocks: number): number {
    const map = this.map;
    const n = map.length;
    let runStart = -1;
    for (let i = this.lowestFree; i < n; i++) {
      if (map[i] === FREE) {
        if (runStart < 0) runStart = i;
        if (i - runStart + 1 >= blocks) return runStart;
      } else runStart = -1;
    }
    return -1;
  }

  /** An unreachable object: its blocks stay in use, marked for the next collection; its record goes. */
  private toGarbage(handle: number, rec: Record_): void {
    if (rec.blocks > 0) this.map.fill(GARBAGE, rec.start, rec.start + rec.blocks);
    if (rec.hBlocks > 0) this.map.fill(GARBAGE, rec.hStart, rec.hStart + rec.hBlocks);
    this.records.delete(handle);
  }

  private advanceLowestFree(): void {
    const map = this.map;
    let i = this.lowestFree;
    while (i < map.length && map[i] !== FREE) i++;
    this.lowestFree = i;
  }

  private record(what: string, start: number, blocks: number, hStart: number, hBlocks: number): number {
    const handle = this.nextHandle++;
    this.records.set(handle, { what, start, blocks, hStart, hBlocks, garbage: false, pinned: false });
    return handle;
  }

  private emit(op: "alloc" | "collect" | "oom", what: string | undefined, bytes: number): void {
    if (!this.trace) return;
    const event = {
      t: this.clock?.now() ?? 0,
      kind: "heap" as const,
      board: this.board,
      op,
      bytes,
      used: this.mem_alloc(),
      free: this.mem_free(),
      largestFree: this.largestFree(),
      ...(what === undefined ? {} : { what }),
    };
    this.trace.emit(event);
  }
}
