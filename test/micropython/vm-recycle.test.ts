// Kept VM workers (vm-recycle.ts): a board's VM boots in the worker of a
// board before it, and must run exactly as in a worker of its own. Real VMs
// in real worker threads throughout.

import { afterEach, describe, expect, it } from "vitest";
import { Board } from "../../src/emulator/board/board.ts";
import { createStreamPair } from "../../src/emulator/network/stream-pair.ts";
import { Trace } from "../../src/emulator/trace.ts";
import { VirtualClock } from "../../src/emulator/clock/virtual-clock.ts";
import { VmHost, type VmEnd } from "../../src/micropython/host/vm-host.ts";
import { setVmWorkerReuse, vmWorkerCounts } from "../../src/micropython/host/vm-recycle.ts";

const ALLOCATES = [
  "import gc, time",
  "from machine import Pin",
  "led = Pin(2, Pin.OUT)",
  "print('boot free', gc.mem_free())",
  "kept = []",
  "for i in range(6):",
  "    kept.append(bytearray(96 * (i + 1)))",
  "    led.value(i % 2)",
  "    time.sleep_ms(100)",
  "print('free', gc.mem_free(), 'at', time.ticks_ms())",
].join("\n");
const CRASHES = "import time\ntime.sleep_ms(50)\nx = [1, 2]\nprint(x[5])\n";
const SLEEPS_FOREVER = "import time\nn = 0\nwhile True:\n    n += 1\n    time.sleep_ms(100)\n";

/** What a run shows: its prints, LED changes, end, and the heap as the VM last reported it. */
async function runBoard(main: string, untilMs = 2_000, options: { runawayMs?: number } = {}) {
  const clock = new VirtualClock();
  const trace = new Trace();
  const board = new Board({ definition: "esp8266", clock, trace, name: "board1", dial: () => createStreamPair()[0] });
  let end: VmEnd | undefined;
  const vm = await VmHost.create({ board, files: { "main.py": main }, onEnd: (e) => (end = e), ...options });
  vm.start();
  await clock.runUntil(untilMs);
  await vm.stop();
  return {
    prints: trace.of("print").map((e) => e.text),
    led: trace.of("pin").map((e) => [e.t, e.value]),
    end,
    heap: vm.heap(),
    at: clock.now(),
  };
}

/** The worker handed back says "idle" a moment after stop(); wait for it (bounded). */
async function idleWorkers(count: number): Promise<number> {
  for (let i = 0; i < 200 && vmWorkerCounts().idle < count; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  return vmWorkerCounts().idle;
}

afterEach(() => setVmWorkerReuse(false));

describe("kept VM workers", () => {
  it("a board runs the same in a kept worker as in a worker of its own", async () => {
    const firmwares = [ALLOCATES, CRASHES, SLEEPS_FOREVER, ALLOCATES];
    const fresh = [];
    for (const main of firmwares) fresh.push(await runBoard(main));

    setVmWorkerReuse(true);
    const before = vmWorkerCounts();
    const kept = [];
    for (const main of firmwares) {
      kept.push(await runBoard(main));
      expect(await idleWorkers(1)).toBe(1);
    }
    const counts = vmWorkerCounts();
    // One worker started; every later board booted in it.
    expect(counts.started - before.started).toBe(1);
    expect(counts.reused - before.reused).toBe(firmwares.length - 1);

    expect(kept).toEqual(fresh);
    // The runs did something worth comparing: an exit, a crash, a board stopped while it slept.
    expect(fresh.map((r) => r.end?.how)).toEqual(["exit", "crash", undefined, "exit"]);
    expect(fresh[0]!.prints).toHaveLength(2);
    expect(fresh[0]!.led.length).toBeGreaterThan(3);
  }, 60_000);

  it("takes a worker back from a VM stopped while running Python, once it next waits", async () => {
    setVmWorkerReuse(true);
    const clock = new VirtualClock();
    const board = new Board({ definition: "esp8266", clock, trace: new Trace(), name: "board1", dial: () => createStreamPair()[0] });
    const vm = await VmHost.create({ board, files: { "main.py": "from machine import Pin\np = Pin(2, Pin.OUT)\nfor i in range(200000):\n    p.value(i % 2)\n" } });
    const before = vmWorkerCounts();
    // Stopped the moment it starts: the VM is running its firmware, between two calls to the host.
    vm.start();
    await vm.stop();
    expect(await idleWorkers(before.idle + 1)).toBe(before.idle + 1);
    // And the kept worker boots the next board.
    const next = await runBoard(ALLOCATES);
    expect(next.end).toEqual({ how: "exit" });
    expect(vmWorkerCounts().reused).toBe(before.reused + 1);
  }, 60_000);

  it("ends, and never keeps, the worker of a runaway VM", async () => {
    setVmWorkerReuse(false); // no idle worker from the tests before
    setVmWorkerReuse(true);
    const run = await runBoard("x = 0\nwhile True:\n    x += 1\n", 10_000, { runawayMs: 300 });
    expect(run.end?.how).toBe("runaway");
    // Give a wrongly kept worker time to say "idle": none does.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(vmWorkerCounts().idle).toBe(0);
  }, 60_000);

  it("keeps the worker of a firmware that does not compile", async () => {
    setVmWorkerReuse(true);
    const before = vmWorkerCounts();
    const clock = new VirtualClock();
    const board = new Board({ definition: "esp8266", clock, trace: new Trace(), name: "board1", dial: () => createStreamPair()[0] });
    await expect(VmHost.create({ board, files: { "main.py": "if x\n    pass\n" } })).rejects.toThrow(/SyntaxError/);
    expect(await idleWorkers(before.idle + 1)).toBe(before.idle + 1);
  }, 60_000);

  it("with reuse off (as in `run`), no worker is kept", async () => {
    const before = vmWorkerCounts();
    await runBoard(ALLOCATES);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(vmWorkerCounts().idle).toBe(0);
    expect(vmWorkerCounts().started).toBe(before.started + 1);
  }, 60_000);
});
