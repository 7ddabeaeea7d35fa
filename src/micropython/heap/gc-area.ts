// The VM's GC heap area (py/gc.c, mp_state_mem_area_t) read and resized from
// JavaScript: figures as gc.mem_free() and micropython.mem_info() compute
// them, and the size that makes the heap the board's budget.

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
}

/** Word offsets inside mp_state_mem_area_t that this module reads or writes. */
interface AreaLayout {
  /** Byte address of the struct's `gc_alloc_table_start` field. */
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
      if (w[i - 1] !== 0) continue;
      const atb = w[i];
      const len = w[i + 1];
      if (atb === 0 || len === 0) continue;
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

  get poolEnd(): number {
    return this.word(this.layout.poolEndField);
  }

  /** Blocks the allocator may use now. */
  get blocks(): number {
    return this.word(this.layout.atbLenField) * BLOCKS_PER_ATB;
  }

  /** A copy of the allocation table (2 bits a block), to notice whether anything changed. */
  table(): Uint8Array {
    const start = this.word(this.layout.atbStartField);
    return this.memory().slice(start, start + this.word(this.layout.atbLenField));
  }

  /** Kind of each block: 0 free, 1 head, 2 tail, 3 marked. */
  private kinds(): Uint8Array {
    const table = this.table();
    const out = new Uint8Array(table.length * BLOCKS_PER_ATB);
    for (let i = 0; i < table.length; i++) {
      const b = table[i];
      out[i * 4] = b & 3;
      out[i * 4 + 1] = (b >> 2) & 3;
      out[i * 4 + 2] = (b >> 4) & 3;
      out[i * 4 + 3] = (b >> 6) & 3;
    }
    return out;
  }

  /**
   * Used and free bytes and the longest free run, as gc_info() counts them,
   * against the budget's area: blocks lent past it (see lend()) count as used
   * when occupied and never as free.
   */
  figures(budget: number): HeapFigures {
    const kinds = this.kinds();
    const window = Math.min(kinds.length, this.budgetBlocks ?? kinds.length);
    let free = 0;
    let used = 0;
    let run = 0;
    let longest = 0;
    for (let i = 0; i < kinds.length; i++) {
      if (kinds[i] !== AT_FREE) {
        used++;
        run = 0;
      } else if (i < window) {
        free++;
        run++;
        if (run > longest) longest = run;
      }
    }
    return { budget, free: free * BYTES_PER_BLOCK, used: used * BYTES_PER_BLOCK, largestFree: longest * BYTES_PER_BLOCK };
  }

  /** Size in blocks of the lowest run of free blocks below the highest block in use, or 0. */
  lowestHole(): number {
    const kinds = this.kinds();
    let top = kinds.length;
    while (top > 0 && kinds[top - 1] === AT_FREE) top--;
    for (let i = 0; i < top; i++) {
      if (kinds[i] !== AT_FREE) continue;
      let j = i;
      while (kinds[j] === AT_FREE) j++;
      return j - i;
    }
    return 0;
  }

  /** One past the highest block in use. */
  private highWater(): number {
    const kinds = this.kinds();
    for (let i = kinds.length - 1; i >= 0; i--) if (kinds[i] !== AT_FREE) return i + 1;
    return 0;
  }

  /** Blocks of the budget's area (set by shrinkToFree), or undefined before. */
  private budgetBlocks: number | undefined;

  private setLen(len: number): void {
    this.setWord(this.layout.atbLenField, len);
    this.setWord(this.layout.poolEndField, this.poolStart + len * BLOCKS_PER_ATB * BYTES_PER_BLOCK);
    if (this.word(this.layout.lastFreeAtbField) > len) this.setWord(this.layout.lastFreeAtbField, 0);
  }

  /**
   * Shrink the area so that `freeBytes` are free (to the nearest table byte,
   * 4 blocks): this is the budget's area from now on. Blocks past the new end
   * must be free; a collection just before leaves live objects low in the
   * heap, where first-fit put them.
   */
  shrinkToFree(freeBytes: number): void {
    const used = this.figures(0).used / BYTES_PER_BLOCK;
    const len = Math.round((used + freeBytes / BYTES_PER_BLOCK) / BLOCKS_PER_ATB);
    const current = this.word(this.layout.atbLenField);
    if (len > current) {
      throw new Error(`VM heap: ${freeBytes} B free needs a heap of ${len * 64} B, more than the ${current * 64} B loaded; load with heapLoadOptions()`);
    }
    if (this.highWater() > len * BLOCKS_PER_ATB) {
      throw new Error("VM heap: live objects lie past the budget's end; call installHeapBudget right after loading");
    }
    this.budgetBlocks = len * BLOCKS_PER_ATB;
    this.setLen(len);
  }

  /** Who occupies each block now: a head's length in blocks and its first two words (0 length: not a head). */
  identity(): BlockIdentity {
    const kinds = this.kinds();
    const words = new Uint32Array(this.memory().buffer, this.poolStart, kinds.length * 4);
    const length = new Uint32Array(kinds.length);
    const first = new Uint32Array(kinds.length);
    const second = new Uint32Array(kinds.length);
    for (let b = 0; b < kinds.length; b++) {
      if (kinds[b] !== AT_HEAD) continue;
      let n = 1;
      while (b + n < kinds.length && kinds[b + n] === AT_TAIL) n++;
      length[b] = n;
      first[b] = words[b * 4];
      second[b] = words[b * 4 + 1];
    }
    return { length, first, second };
  }

  /**
   * Mark, in the allocation table, every object that is new since `before`
   * (a head where there was none, or a different one), every object a word in
   * memory[from, to) points to, and everything those point to: the collection
   * that follows keeps them. Returns the number of objects marked.
   */
  markNewAndRange(before: BlockIdentity, from: number, to: number): number {
    const heap = this.memory();
    const atbStart = this.word(this.layout.atbStartField);
    const blocks = this.blocks;
    const poolStart = this.poolStart;
    const words = new Uint32Array(heap.buffer, poolStart, blocks * 4);
    const kindOf = (b: number): number => (heap[atbStart + (b >> 2)] >> ((b & 3) * 2)) & 3;
    const stack: number[] = [];
    let marked = 0;
    const mark = (b: number): void => {
      if (kindOf(b) !== AT_HEAD) return;
      heap[atbStart + (b >> 2)] |= AT_MARK << ((b & 3) * 2);
      stack.push(b);
      marked++;
    };
    const markPointer = (p: number): void => {
      if (p < poolStart || (p - poolStart) % BYTES_PER_BLOCK !== 0) return;
      const b = (p - poolStart) / BYTES_PER_BLOCK;
      if (b < blocks) mark(b);
    };
    const now = this.identity();
    for (let b = 0; b < blocks; b++) {
      const n = now.length[b];
      if (n !== 0 && (before.length[b] !== n || before.first[b] !== now.first[b] || before.second[b] !== now.second[b])) mark(b);
    }
    const range = new Uint32Array(heap.buffer, from & ~3, Math.max(0, (to - (from & ~3)) >> 2));
    for (const p of range) markPointer(p);
    while (stack.length > 0) {
      const b = stack.pop()!;
      let end = b + 1;
      while (end < blocks && kindOf(end) === AT_TAIL) end++;
      for (let i = b * 4; i < end * 4; i++) markPointer(words[i]);
    }
    return marked;
  }
}

export interface BlockIdentity {
  length: Uint32Array;
  first: Uint32Array;
  second: Uint32Array;
}
