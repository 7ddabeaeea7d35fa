import { describe, expect, it } from "vitest";
import { ByteQueue } from "../../src/client/byte-queue.ts";

describe("ByteQueue", () => {
  it("takes across chunk boundaries, in order, and never more than it holds", () => {
    const q = new ByteQueue();
    q.push(Uint8Array.of(1, 2, 3));
    q.push(new Uint8Array(0));
    q.push(Uint8Array.of(4, 5));
    expect(q.length).toBe(5);
    expect([...q.take(2)]).toEqual([1, 2]);
    expect([...q.take(2)]).toEqual([3, 4]);
    expect(q.length).toBe(1);
    expect([...q.take(10)]).toEqual([5]);
    expect(q.take(1)).toHaveLength(0);
  });

  it("returns copies, so later pushes or clears do not change what was read", () => {
    const q = new ByteQueue();
    const chunk = Uint8Array.of(9, 8, 7);
    q.push(chunk);
    const got = q.take(3);
    chunk[0] = 0;
    q.clear();
    expect([...got]).toEqual([9, 8, 7]);
    expect(q.length).toBe(0);
  });
});
