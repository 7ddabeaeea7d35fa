// The VM heap is the board's budget: gc.mem_free() after boot, MemoryError
// beyond it with no growth, and fragmentation lowering the largest block.
// Real MicroPython VM.

import { readFileSync, readdirSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { HeapVm } from "./heap-vm.ts";

const BOARDS_DIR = new URL("../../boards/", import.meta.url);
const boards = readdirSync(BOARDS_DIR)
  .filter((f) => f.endsWith(".json"))
  .map((f) => JSON.parse(readFileSync(new URL(f, BOARDS_DIR), "utf8")) as { id: string; heap: { budget: number } });

let vm: HeapVm | undefined;
afterEach(async () => {
  await vm?.close();
  vm = undefined;
});

describe("the heap is the board's budget", () => {
  for (const board of boards) {
    it(`${board.id}: free after boot is the board's ${board.heap.budget} B, gc's free is the host's, and used + free is the budget`, async () => {
      vm = await HeapVm.start({ budget: board.heap.budget });
      expect(Math.abs(vm.boot.figures.free - board.heap.budget)).toBeLessThanOrEqual(32);
      expect(vm.boot.figures.largestFree).toBe(vm.boot.figures.free);
      const r = await vm.ok("import gc, host\nf = host.figures\na, b, c = gc.mem_free(), gc.mem_alloc(), f()\nprint(a, b, c)");
      const [free, alloc, figures] = [Number(r.out[0].split(" ")[0]), Number(r.out[0].split(" ")[1]), JSON.parse(r.out[0].split(" ").slice(2).join(" "))];
      expect(free).toBe(figures.free);
      expect(Math.abs(figures.used + figures.free - board.heap.budget)).toBeLessThanOrEqual(32);
      // The VM's own count includes the start-up objects, which are not the board's.
      expect(alloc).toBeGreaterThan(figures.used);
    });
  }

  it("esp8266: bytes(40000) raises MemoryError after a real collection, and the VM's memory does not grow", async () => {
    vm = await HeapVm.start({ budget: 36_000 });
    const r = await vm.ok(`
junk = [bytes(300) for i in range(60)]
junk = None
try:
    b = bytes(40000)
    print("allocated")
except MemoryError:
    print("MemoryError")
b = bytes(30000)
print(len(b))
`);
    expect(r.out).toEqual(["MemoryError", "30000"]);
    expect(r.stats.collections).toBeGreaterThanOrEqual(1);
    expect(r.wasmBytes).toBe(vm.boot.wasmBytes);
  });

  // The largest payload a board builds and publishes, and the largest it
  // receives, through our umqtt on a VM board: heap-limits.test.ts.

  it("fragmentation lowers the limit: kept objects between freed ones shrink the largest block", async () => {
    vm = await HeapVm.start({ budget: 36_000 });
    const r = await vm.ok(`
import gc, host, json
def largest_bytes():
    gc.collect()
    lo, hi = 0, 40000
    while lo < hi:
        mid = (lo + hi + 1) // 2
        try:
            b = bytes(mid)
            b = None
            lo = mid
        except MemoryError:
            hi = mid - 1
    return lo
before = largest_bytes()
free_before = gc.mem_free()
mixed = [bytes(i % 7 * 100 + 50) for i in range(60)]
keep = mixed[::6]
mixed = None
after = largest_bytes()
gc.collect()
print(before, after, free_before, gc.mem_free(), json.loads(host.figures())["largestFree"])
`);
    const [before, after, freeBefore, freeAfter, largestFree] = r.out[0].split(" ").map(Number);
    // The kept objects take a few KB; the largest block loses several times that.
    expect(before - after).toBeGreaterThan(3 * (freeBefore - freeAfter));
    expect(largestFree).toBeLessThan(freeAfter / 2);
  });
});
