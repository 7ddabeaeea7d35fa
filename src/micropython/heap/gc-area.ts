// The VM's GC heap area (py/gc.c, mp_state_mem_area_t) read and resized from
// JavaScript: figures as gc.mem_free() and micropython.mem_info() compute
// them, the size that makes the heap the board's budget, and the marking a
// partial collection needs.

/** 16-byte GC blocks, 4 blocks per allocation-table byte (2 bits each), as in py/gc.c. */
export const BYTES_PER_BLOCK = 16;
const BLOCKS_PER_ATB = 4;
const AT_FREE = 0;
const AT_HEAD = 1;
const AT_TAIL = 2;
const AT_MARK = 3;

export interface HeapFigures {
  budget: number;
  free: number;
  used: number;
  largestFree: number;
  /** The most ever in use (as `used` counts it): what was in use just before a collection, or now. */
  peakUsed?: number;
}

/** The area as it was after a collection: its allocation table and pool, copied. */
export interface AreaSnapshot {
  table: Uint8Array;
  pool: Uint32Array;
}

/** Byte addresses of the mp_state_mem_area_t fields this module reads or writes. */
interface AreaLayout {
  atbStartField: number;
  atbLenField: number;
  poolStartField: number;
  poolEndField: number;
  lastFreeAtbField: number;
}

export class GcArea {
  private constructor(
    private readonly memory: () => Uint8Array,
    private readonly layout: AreaLayout,
  ) {}

  /**
   * Find the first GC area's struct in memory below `limit` by its shape:
   * `next` = NULL, then the allocation table's start and length, then (after
   * the finaliser/weakref tables' pointers) the pool's start and end, where
   * the pool holds 64 bytes per table byte and the whole area is the
   * `heapsize` that was asked for.
   */
  static find(memory: () => Uint8Array, heapsize: number, limit: number): GcArea {
    const heap = memory();
    const w = new Uint32Array(heap.buffer, 0, Math.floor(Math.min(limit, heap.length) / 4));
    const found: AreaLayout[] = [];
    for (let i = 1; i + 8 < w.length; i++) {
      if (w[i - 1] !== 0 || w[i] === 0 || w[i + 1] === 0) continue;
      const atb = w[i];
      const len = w[i + 1];
      for (let k = 2; k <= 4; k++) {
        const poolStart = w[i + k];
        const poolEnd = w[i + k + 1];
        if (poolEnd - poolStart !== len * BLOCKS_PER_ATB * BYTES_PER_BLOCK) continue;
        if (poolStart <= atb || poolEnd - atb > heapsize || poolEnd - atb < heapsize - BYTES_PER_BLOCK) continue;
        found.push({
          atbStartField: i * 4,
          atbLenField: (i + 1) * 4,
          poolStartField: (i + k) * 4,
          poolEndField: (i + k + 1) * 4,
          lastFreeAtbField: (i + k + 2) * 4,
        });
      }
    }
    if (found.length !== 1) {
      throw new Error(`VM heap: expected one GC area of ${heapsize} bytes in the VM's memory, found ${found.length}; this MicroPython build is not supported`);
    }
    return new GcArea(memory, found[0]);
  }

  private word(field: number): number {
    return new DataView(this.memory().buffer).getUint32(field, true);
  }

  private setWord(field: number, value: number): void {
    new DataView(this.memory().buffer).setUint32(field, value, true);
  }

  get poolStart(): number {
    return this.word(this.layout.poolStartField);
  }

  /** Blocks the allocator may use. */
  get blocks(): number {
    return this.word(this.layout.atbLenField) * BLOCKS_PER_ATB;
  }

  /** The allocation table in place (2 bits a block, block 0 in the low bits of byte 0). */
  private tableView(): Uint8Array {
    const start = this.word(this.layout.atbStartField);
    return this.memory().subarray(start, start + this.word(this.layout.atbLenField));
  }

  /** A copy of the area as it is now. */
  snapshot(): AreaSnapshot {
    const table = this.tableView().slice();
    const heap = this.memory();
    const pool = new Uint32Array(heap.buffer.slice(this.poolStart, this.poolStart + table.length * BLOCKS_PER_ATB * BYTES_PER_BLOCK));
    return { table, pool };
  }

  /** Whether anything was allocated or freed since `snapshot`. */
  changedSince(snapshot: AreaSnapshot): boolean {
    const table = this.tableView();
    if (table.length !== snapshot.table.length) return true;
    for (let i = 0; i < table.length; i++) if (table[i] !== snapshot.table[i]) return true;
    return false;
  }

  /** Used and free bytes and the longest free run, as gc_info() counts them. */
  figures(budget: number): HeapFigures {
    const table = this.tableView();
    let free = 0;
    let run = 0;
    let longest = 0;
    for (let i = 0; i < table.length; i++) {
      const b = table[i];
      if (b === 0) {
        free += 4;
        run += 4;
        continue;
      }
      for (let k = 0; k < 8; k += 2) {
        if (((b >> k) & 3) === AT_FREE) {
          free++;
          run++;
        } else {
          if (run > longest) longest = run;
          run = 0;
        }
      }
    }
    if (run > longest) longest = run;
    const blocks = table.length * BLOCKS_PER_ATB;
    return { budget, free: free * BYTES_PER_BLOCK, used: (blocks - free) * BYTES_PER_BLOCK, largestFree: longest * BYTES_PER_BLOCK };
  }

  /**
   * Objects whose head block is at or after block `from`, as gc_info() counts
   * them for micropython.mem_info(): how many take 1 block, how many 2, and
   * the longest in blocks.
   */
  objectCounts(from: number): { oneBlock: number; twoBlocks: number; longest: number } {
    const table = this.tableView();
    const kind = (block: number) => (table[block >> 2] >> ((block & 3) * 2)) & 3;
    const blocks = table.length * BLOCKS_PER_ATB;
    let oneBlock = 0;
    let twoBlocks = 0;
    let longest = 0;
    for (let block = Math.max(0, from); block < blocks; ) {
      const k = kind(block);
      if (k !== AT_HEAD && k !== AT_MARK) {
        block++;
        continue;
      }
      let length = 1;
      while (block + length < blocks && kind(block + length) === AT_TAIL) length++;
      if (length === 1) oneBlock++;
      else if (length === 2) twoBlocks++;
      if (length > longest) longest = length;
      block += length;
    }
    return { oneBlock, twoBlocks, longest };
  }

  /** Size in blocks of the lowest run of free blocks below the highest block in use, or 0. */
  lowestHole(): number {
    const table = this.tableView();
    const kind = (b: number): number => (table[b >> 2] >> ((b & 3) * 2)) & 3;
    // Called once per object start-up packing makes: whole table bytes are skipped
    // where they can be (0: four free blocks; no 2-bit field 0: none free).
    let topByte = table.length;
    while (topByte > 0 && table[topByte - 1] === 0) topByte--;
    let top = topByte * BLOCKS_PER_ATB;
    while (top > 0 && kind(top - 1) === AT_FREE) top--;
    let i = 0;
    while (i < top && (table[i >> 2] & 0x03) !== 0 && (table[i >> 2] & 0x0c) !== 0 && (table[i >> 2] & 0x30) !== 0 && (table[i >> 2] & 0xc0) !== 0) i += BLOCKS_PER_ATB;
    for (; i < top; i++) {
      if (kind(i) !== AT_FREE) continue;
      let j = i;
      while (kind(j) === AT_FREE) j++;
      return j - i;
    }
    return 0;
  }

  /** One past the highest block in use. */
  private highWater(): number {
    const table = this.tableView();
    for (let b = table.length * BLOCKS_PER_ATB - 1; b >= 0; b--) if (((table[b >> 2] >> ((b & 3) * 2)) & 3) !== AT_FREE) return b + 1;
    return 0;
  }

  /**
   * Shrink the area so that `freeBytes` are free (rounded down to a table
   * byte, 4 blocks: never more than the budget, as a device's free heap).
   * Blocks past the new end must be free; a collection
   * just before leaves live objects low in the heap, where first-fit put them.
   */
  shrinkToFree(freeBytes: number): void {
    const used = this.figures(0).used / BYTES_PER_BLOCK;
    const len = Math.floor((used + freeBytes / BYTES_PER_BLOCK) / BLOCKS_PER_ATB);
    const current = this.word(this.layout.atbLenField);
    if (len > current) {
      throw new Error(`VM heap: ${freeBytes} B free needs a heap of ${len * 64} B, more than the ${current * 64} B loaded; load with heapLoadOptions()`);
    }
    if (this.highWater() > len * BLOCKS_PER_ATB) {
      throw new Error("VM heap: live objects lie past the budget's end; call installHeapBudget right after loading");
    }
    this.setWord(this.layout.atbLenField, len);
    this.setWord(this.layout.poolEndField, this.poolStart + len * BLOCKS_PER_ATB * BYTES_PER_BLOCK);
    if (this.word(this.layout.lastFreeAtbField) > len) this.setWord(this.layout.lastFreeAtbField, 0);
  }

  /**
   * Lower the area's end again when more than `freeBytes` are free (objects
   * that were live when the budget was installed have died since), as far as
   * the highest live block allows. Returns the bytes the area lost.
   */
  trimToFree(freeBytes: number): number {
    const used = this.figures(0).used / BYTES_PER_BLOCK;
    const current = this.word(this.layout.atbLenField);
    const len = Math.max(Math.floor((used + freeBytes / BYTES_PER_BLOCK) / BLOCKS_PER_ATB), Math.ceil(this.highWater() / BLOCKS_PER_ATB));
    if (len >= current) return 0;
    this.setWord(this.layout.atbLenField, len);
    this.setWord(this.layout.poolEndField, this.poolStart + len * BLOCKS_PER_ATB * BYTES_PER_BLOCK);
    if (this.word(this.layout.lastFreeAtbField) > len) this.setWord(this.layout.lastFreeAtbField, 0);
    return (current - len) * BLOCKS_PER_ATB * BYTES_PER_BLOCK;
  }

  /**
   * Mark, in the allocation table, every object that is new since `before`
   * (a head where there was none, or one of another length or whose first
   * two words differ), every object a word in memory[from, to) points to, and
   * everything those point to, as py/gc.c marks (a pointer to a head block):
   * the collection that follows keeps them. Returns the number marked.
   */
  markNewAndRange(before: AreaSnapshot, from: number, to: number): number {
    const heap = this.memory();
    const table = this.tableView();
    const blocks = table.length * BLOCKS_PER_ATB;
    const poolStart = this.poolStart;
    const words = new Uint32Array(heap.buffer, poolStart, blocks * 4);
    const kind = (t: Uint8Array, b: number): number => (t[b >> 2] >> ((b & 3) * 2)) & 3;
    const length = (t: Uint8Array, b: number): number => {
      let n = 1;
      while (b + n < t.length * BLOCKS_PER_ATB && kind(t, b + n) === AT_TAIL) n++;
      return n;
    };
    const stack: number[] = [];
    let marked = 0;
    const mark = (b: number): void => {
      if (kind(table, b) !== AT_HEAD) return;
      table[b >> 2] |= AT_MARK << ((b & 3) * 2);
      stack.push(b);
      marked++;
    };
    const markPointer = (p: number): void => {
      if (p < poolStart || (p - poolStart) % BYTES_PER_BLOCK !== 0) return;
      const b = (p - poolStart) / BYTES_PER_BLOCK;
      if (b < blocks) mark(b);
    };

    const old = before.table;
    const oldBlocks = old.length * BLOCKS_PER_ATB;
    for (let b = 0; b < blocks; b++) {
      if (kind(table, b) !== AT_HEAD) continue;
      const same =
        b < oldBlocks &&
        kind(old, b) === AT_HEAD &&
        before.pool[b * 4] === words[b * 4] &&
        before.pool[b * 4 + 1] === words[b * 4 + 1] &&
        length(old, b) === length(table, b);
      if (!same) mark(b);
    }
    const range = new Uint32Array(heap.buffer, from & ~3, Math.max(0, (to - (from & ~3)) >> 2));
    for (let i = 0; i < range.length; i++) markPointer(range[i]);
    while (stack.length > 0) {
      const b = stack.pop()!;
      let end = b + 1;
      while (end < blocks && kind(table, end) === AT_TAIL) end++;
      for (let i = b * 4; i < end * 4; i++) markPointer(words[i]);
    }
    return marked;
  }
}
