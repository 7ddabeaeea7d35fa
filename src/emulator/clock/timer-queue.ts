// A binary min-heap of timers ordered by (due time, insertion sequence), so
// timers due at the same instant fire in the order they were scheduled.
// Cancelled timers are dropped lazily when they reach the top, and the heap
// is compacted when they pile up (socket timeouts are cancelled constantly).

export class Timer {
  /** Index in the heap array while queued; -1 once popped. */
  index = -1;
  constructor(
    readonly due: number,
    readonly seq: number,
    public fn: (() => void) | null,
    private readonly owner: TimerQueue,
  ) {}

  get cancelled(): boolean {
    return this.fn === null;
  }

  cancel(): void {
    if (this.fn === null) return;
    this.fn = null;
    if (this.index >= 0) this.owner.noteCancelled();
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}

export class TimerQueue {
  private heap: Timer[] = [];
  private seq = 0;
  private cancelledCount = 0;

  /** Timers queued and not cancelled. */
  get live(): number {
    return this.heap.length - this.cancelledCount;
  }

  push(due: number, fn: () => void): Timer {
    const timer = new Timer(due, this.seq++, fn, this);
    timer.index = this.heap.length;
    this.heap.push(timer);
    this.up(timer.index);
    return timer;
  }

  /** The earliest live timer, or undefined. */
  peek(): Timer | undefined {
    this.dropCancelledTop();
    return this.heap[0];
  }

  /** Remove and return the earliest live timer. */
  pop(): Timer | undefined {
    this.dropCancelledTop();
    return this.removeTop();
  }

  noteCancelled(): void {
    this.cancelledCount++;
    if (this.cancelledCount > 1024 && this.cancelledCount * 2 > this.heap.length) this.compact();
  }

  private removeTop(): Timer | undefined {
    const heap = this.heap;
    const top = heap[0];
    if (top === undefined) return undefined;
    const last = heap.pop()!;
    if (last !== top) {
      heap[0] = last;
      last.index = 0;
      this.down(0);
    }
    top.index = -1;
    return top;
  }

  private dropCancelledTop(): void {
    while (this.heap.length > 0 && this.heap[0]!.fn === null) {
      this.removeTop();
      this.cancelledCount--;
    }
  }

  private compact(): void {
    const kept = this.heap.filter((t) => {
      if (t.fn === null) t.index = -1;
      return t.fn !== null;
    });
    this.heap = kept;
    this.cancelledCount = 0;
    for (let i = 0; i < kept.length; i++) kept[i]!.index = i;
    for (let i = (kept.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  private up(i: number): void {
    const heap = this.heap;
    const item = heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (!before(item, p)) break;
      heap[i] = p;
      p.index = i;
      i = parent;
    }
    heap[i] = item;
    item.index = i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const item = heap[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && before(heap[r]!, heap[l]!) ? r : l;
      const child = heap[c]!;
      if (!before(child, item)) break;
      heap[i] = child;
      child.index = i;
      i = c;
    }
    heap[i] = item;
    item.index = i;
  }
}
