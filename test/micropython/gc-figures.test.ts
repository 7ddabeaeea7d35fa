// gc and micropython figures on a VM board read as a device's: gc.threshold()
// is -1 until the firmware sets it, and micropython.mem_info() prints the
// board's heap (the figures gc.mem_free() and gc.mem_alloc() give) in the
// device's shape.
import { describe, expect, it } from "vitest";
import { runVm, py } from "./fixtures/run-vm.ts";

describe("gc and micropython figures", () => {
  it("gc.threshold() reads -1 until set, then the amount in whole blocks; -1 turns it off again", async () => {
    const { printed, end } = await runVm(
      py("import gc", "print(gc.threshold())", "gc.threshold(4100)", "print(gc.threshold())", "gc.threshold(0)", "print(gc.threshold())", "gc.threshold(-1)", "print(gc.threshold())"),
      { board: "esp8266" },
    );
    expect(end).toEqual({ how: "exit" });
    expect(printed).toEqual(["-1", "4096", "0", "-1"]);
  });

  it("a firmware's low threshold and -1 leave the heap collected: 200 KB of garbage on a 36,000 B board, no MemoryError", async () => {
    const { printed, end } = await runVm(
      py("import gc", "gc.threshold(-1)", "for i in range(200):", "    b = bytes(1000)", "gc.threshold(2000)", "for i in range(200):", "    b = bytes(1000)", "print('ok')"),
      { board: "esp8266" },
    );
    expect(end).toEqual({ how: "exit" });
    expect(printed).toEqual(["ok"]);
  });

  it("micropython.mem_info() prints the board's heap in a device's shape, consistent with gc.mem_free() and gc.mem_alloc()", async () => {
    const { printed, end } = await runVm(
      py("import gc, micropython", "gc.collect()", "keep = [bytearray(100) for i in range(10)]", "a, f = gc.mem_alloc(), gc.mem_free()", "micropython.mem_info()", "print(a, f)"),
      { board: "esp8266" },
    );
    expect(end).toEqual({ how: "exit" });
    expect(printed).toHaveLength(4);
    expect(printed[0]).toMatch(/^stack: \d+ out of \d+$/);
    const gcLine = /^GC: total: (\d+), used: (\d+), free: (\d+)$/.exec(printed[1]);
    expect(gcLine, printed[1]).not.toBeNull();
    const [total, used, free] = gcLine!.slice(1).map(Number);
    expect(total).toBe(used + free);
    expect(Math.abs(total - 36_000)).toBeLessThanOrEqual(32); // the board's budget, to two blocks
    const [alloc, memFree] = printed[3].split(" ").map(Number);
    expect(Math.abs(used - alloc)).toBeLessThan(512); // printing the first line allocates a little
    expect(Math.abs(free - memFree)).toBeLessThan(512);
    const blocks = /^ No\. of 1-blocks: (\d+), 2-blocks: (\d+), max blk sz: (\d+), max free sz: (\d+)$/.exec(printed[2]);
    expect(blocks, printed[2]).not.toBeNull();
    // The ten bytearray(100) (128 B: 8 blocks each) are among the firmware's objects; the largest free run fits in the free heap.
    expect(Number(blocks![3])).toBeGreaterThanOrEqual(8);
    expect(Number(blocks![4]) * 16).toBeLessThanOrEqual(free);
    expect(Number(blocks![4]) * 16).toBeGreaterThan(free / 2);
  });
});
