import { describe, expect, it } from "vitest";
import { Heap } from "../../src/emulator/board/heap.ts";
import { BOARD_CHARGES_32, UNIX64, type UmqttLoad } from "../../src/emulator/board/heap-calibration.ts";
import { MemoryError } from "../../src/client/errors.ts";
import { Trace } from "../../src/emulator/trace.ts";
import { VirtualClock } from "../../src/emulator/clock/virtual-clock.ts";

/**
 * What umqtt.simple's wait_msg() allocates to receive one PUBLISH (QoS 0):
 * the 1-byte type read (live until wait_msg returns), up to 3 one-byte reads
 * of the remaining length (garbage), the 2-byte topic length (garbage), the
 * topic, then the payload. Throws MemoryError when the payload does not fit.
 */
function receivePublish(heap: Heap, topic: string, payload: number): void {
  const res = heap.alloc(1, "read");
  for (let i = 0; i < 3; i++) heap.release(heap.alloc(1, "recv_len"));
  heap.release(heap.alloc(2, "topic_len"));
  const t = heap.alloc(topic.length, "publish.topic");
  const m = heap.alloc(payload, "publish.msg");
  for (const h of [res, t, m]) heap.release(h);
}

function largestReceivable(fits: (n: number) => boolean, hi = 200_000): number {
  let lo = 0;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function unix64Fits(load: Exclude<UmqttLoad, "none">, payload: number): boolean {
  const heap = new Heap({ budget: UNIX64.heapBytes, wordSize: 8 });
  heap.reserve(UNIX64.runtimeBytes, "runtime");
  heap.reserve(load === "frozen" ? UNIX64.umqttFrozenBytes : UNIX64.umqttMpyBytes, `umqtt ${load}`);
  heap.reserve(UNIX64.clientBytes, "client");
  try {
    receivePublish(heap, "test/big", payload);
    return true;
  } catch (err) {
    if (err instanceof MemoryError) return false;
    throw err;
  }
}

describe("heap calibration against 64-bit unix MicroPython measurements", () => {
  // Stated tolerance: half a KiB either way ("about 33 KB" / "about 29 KB").
  const TOLERANCE = 512;

  it("38 KB heap, umqtt frozen: largest payload about 33 KB", () => {
    const max = largestReceivable((n) => unix64Fits("frozen", n));
    expect(Math.abs(max - UNIX64.measuredMaxPayload.frozen)).toBeLessThanOrEqual(TOLERANCE);
  });

  it("38 KB heap, umqtt as .mpy: largest payload about 29 KB", () => {
    const max = largestReceivable((n) => unix64Fits("mpy", n));
    expect(Math.abs(max - UNIX64.measuredMaxPayload.mpy)).toBeLessThanOrEqual(TOLERANCE);
  });

  it("a 64-bit block is 32 bytes and the client object costs about 400 bytes", () => {
    const heap = new Heap({ budget: UNIX64.heapBytes, wordSize: 8 });
    expect(heap.blockSize).toBe(32);
    const before = heap.mem_alloc();
    heap.reserve(UNIX64.clientBytes, "client");
    expect(heap.mem_alloc() - before).toBeGreaterThanOrEqual(400);
    expect(heap.mem_alloc() - before).toBeLessThan(400 + 32);
  });

  it("on a 32-bit ESP8266-sized heap the .mpy load costs a few KB of payload", () => {
    const fits = (load: UmqttLoad) => (n: number) => {
      const heap = new Heap({ budget: 36_000 });
      heap.reserve(BOARD_CHARGES_32.firmwareBytes, "firmware");
      heap.reserve(BOARD_CHARGES_32.umqtt[load], "umqtt");
      heap.alloc(128, "client");
      try {
        receivePublish(heap, "led", n);
        return true;
      } catch {
        return false;
      }
    };
    const frozen = largestReceivable(fits("frozen"));
    const mpy = largestReceivable(fits("mpy"));
    expect(frozen - mpy).toBeGreaterThan(2500);
    expect(frozen - mpy).toBeLessThan(4500);
    expect(frozen).toBeLessThan(36_000 - BOARD_CHARGES_32.firmwareBytes);
  });
});

describe("Heap", () => {
  it("charges bytes objects as header + (n+1) rounded to 16-byte blocks on 32-bit", () => {
    const heap = new Heap({ budget: 1024 });
    expect(heap.budget).toBe(1024);
    heap.alloc(15, "a"); // 16 bytes of data = 1 block, + 1 header block
    expect(heap.mem_alloc()).toBe(32);
    heap.alloc(16, "b"); // 17 bytes = 2 blocks + header
    expect(heap.mem_alloc()).toBe(32 + 48);
    heap.alloc(0, "empty"); // b"" is a shared constant
    expect(heap.mem_alloc()).toBe(80);
    expect(heap.mem_free()).toBe(1024 - 80);
  });

  it("keeps garbage allocated until a collection, and peakUsed remembers the high mark", () => {
    const heap = new Heap({ budget: 4096 });
    const h = heap.alloc(1000, "x");
    heap.release(h);
    expect(heap.mem_alloc()).toBe(1008 + 16); // ceil(1001 / 16) = 63 data blocks + 1 header block
    expect(heap.collect()).toBe(1024);
    expect(heap.mem_alloc()).toBe(0);
    expect(heap.peakUsed).toBe(1024);
  });

  it("collects only when an allocation fails, and throws MemoryError only after the collection failed", () => {
    const trace = new Trace();
    const clock = new VirtualClock();
    const heap = new Heap({ budget: 4096, trace, clock, board: "b1" });
    // Fill the heap with garbage: the next allocation must trigger exactly one collection and succeed.
    for (let i = 0; i < 7; i++) heap.release(heap.alloc(500, "garbage"));
    expect(heap.collections).toBe(0);
    const big = heap.alloc(2000, "fits after gc");
    expect(heap.collections).toBe(1);
    expect(trace.of("heap").map((e) => e.op)).toEqual(["collect"]);
    // Now the heap holds live data only: nothing can be reclaimed.
    heap.alloc(1500, "live");
    expect(() => heap.alloc(1000, "too big")).toThrow(MemoryError);
    expect(heap.collections).toBe(2);
    const ops = trace.of("heap").map((e) => e.op);
    expect(ops).toEqual(["collect", "collect", "oom"]);
    const oom = trace.of("heap").at(-1)!;
    expect(oom).toMatchObject({ board: "b1", what: "too big", bytes: 1000 });
    heap.release(big);
    expect(() => heap.alloc(1000, "fits now")).not.toThrow();
  });

  it("fragmentation: long-lived objects interleaved with garbage shrink the largest block", () => {
    const fresh = new Heap({ budget: 16 * 1024 });
    const fragmented = new Heap({ budget: 16 * 1024 });
    // The same live data in both heaps: 10 small long-lived objects.
    for (let i = 0; i < 10; i++) fresh.reserve(64, "live");
    for (let i = 0; i < 10; i++) {
      fragmented.reserve(64, "live");
      fragmented.release(fragmented.alloc(1400, "garbage"));
    }
    fragmented.collect();
    expect(fragmented.mem_free()).toBe(fresh.mem_free());
    expect(fragmented.largestFree()).toBeLessThan(fresh.largestFree() / 2);
    // A payload that fits the fresh heap fails on the fragmented one even though enough bytes are free in total.
    const payload = 6000;
    expect(fragmented.mem_free()).toBeGreaterThan(payload * 2);
    expect(() => fresh.alloc(payload, "msg")).not.toThrow();
    expect(() => fragmented.alloc(payload, "msg")).toThrow(MemoryError);
  });

  it("first fit reuses the lowest hole and never moves objects", () => {
    const heap = new Heap({ budget: 1024 });
    const a = heap.allocRaw(64, "a");
    const b = heap.allocRaw(64, "b");
    heap.allocRaw(64, "c");
    heap.release(a);
    heap.release(b);
    heap.collect();
    heap.allocRaw(32, "d");
    expect(heap.render().slice(0, 12)).toBe("##......####");
  });

  it("pinned objects survive release and collection until unpinned", () => {
    const heap = new Heap({ budget: 1024 });
    const h = heap.reserve(100, "module");
    heap.release(h);
    heap.collect();
    expect(heap.mem_alloc()).toBe(112);
    heap.unpin(h);
    heap.collect();
    expect(heap.mem_alloc()).toBe(0);
  });

  it("emits alloc events only when asked", () => {
    const trace = new Trace();
    new Heap({ budget: 1024, trace }).alloc(10, "x");
    expect(trace.of("heap")).toHaveLength(0);
    new Heap({ budget: 1024, trace, traceAllocs: true }).alloc(10, "x");
    expect(trace.of("heap")).toMatchObject([{ op: "alloc", what: "x", bytes: 10, used: 32 }]);
  });
});
