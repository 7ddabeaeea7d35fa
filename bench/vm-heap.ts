// The MicroPython VM's heap budget (src/micropython/heap/): the cost of a
// collection at a blocking point, and host memory over a long allocating loop
// with the budget and, for contrast, with the package's own growing heap.
// Prints figures; not a test. One VM per process (the package keeps state on
// globalThis), so the unbudgeted run is a child process.
//
//   node --import tsx bench/vm-heap.ts [--budget 36000] [--iterations 200000]

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { heapLoadOptions, heapStats, installHeapBudget, type MicroPythonInstance } from "../src/micropython/heap/index.ts";
import { describeMachine, fixed, int, kib, numberArg } from "./lib.ts";

const PKG = "@micropython/micropython-webassembly-pyscript";

const budget = numberArg("budget", 36_000);
const iterations = numberArg("iterations", 200_000);
const unbudgeted = process.argv.includes("--unbudgeted");

interface MemoryPeak {
  rss: number;
  wasm: number;
}

async function load(): Promise<{ mp: MicroPythonInstance; collect: () => void; stats: () => ReturnType<typeof heapStats> | null }> {
  const { loadMicroPython } = (await import(PKG)) as { loadMicroPython(o: object): Promise<MicroPythonInstance> };
  if (unbudgeted) {
    const mp = await loadMicroPython({ heapsize: budget });
    return { mp, collect: () => {}, stats: () => null };
  }
  const mp = await loadMicroPython(heapLoadOptions(budget));
  const heap = installHeapBudget(mp, budget);
  return { mp, collect: () => heap.collect(), stats: () => heapStats(heap) };
}

const { mp, collect, stats } = await load();
const peak: MemoryPeak = { rss: process.memoryUsage().rss, wasm: mp._module.HEAPU8.length };
const start: MemoryPeak = { ...peak };
let blocks = 0;
mp.registerJsModule("host", {
  block: () => {
    collect();
    if (++blocks % 256 === 0) {
      peak.rss = Math.max(peak.rss, process.memoryUsage().rss);
      peak.wasm = Math.max(peak.wasm, mp._module.HEAPU8.length);
    }
  },
  noop: () => {},
});

function timed(code: string): number {
  const t0 = performance.now();
  mp.runPython(code);
  return performance.now() - t0;
}

// A long loop: about 2 KB of garbage per iteration (three allocations), a blocking call every 10; collections at the
// allocation threshold, at allocations that fail, and at blocking points.
const loopMs = timed(`
import host
for i in range(${iterations}):
    s = b"x" * 500 + b"y" * 500
    if i % 10 == 0:
        host.block()
`);
const end: MemoryPeak = { rss: process.memoryUsage().rss, wasm: mp._module.HEAPU8.length };
peak.rss = Math.max(peak.rss, end.rss);
peak.wasm = Math.max(peak.wasm, end.wasm);

if (unbudgeted) {
  process.stdout.write(JSON.stringify({ start, peak, end, loopMs }) + "\n");
  process.exit(0);
}

// Cost at a blocking point: a call that collects (1/16 of the budget allocated since the last), the same
// allocation with a plain call, a blocking call with too little allocated to collect, and a plain call.
const n = 5_000;
const chunk = Math.ceil(budget / 16);
mp.runPython("import gc\ngc.threshold(-1)"); // only the blocking point collects here
const collectingMs = timed(`for i in range(${n}):\n    s = bytes(${chunk})\n    host.block()`);
const allocOnlyMs = timed(`for i in range(${n}):\n    s = bytes(${chunk})\n    host.noop()`);
const unchangedMs = timed(`for i in range(${n}):\n    host.block()`);
const plainMs = timed(`for i in range(${n}):\n    host.noop()`);
const s = stats()!;

const child = spawnSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--unbudgeted", "--budget", String(budget), "--iterations", String(iterations)], {
  encoding: "utf8",
  timeout: 600_000,
});
const other = child.status === 0 ? (JSON.parse(child.stdout.trim().split("\n").at(-1)!) as { start: MemoryPeak; peak: MemoryPeak; loopMs: number }) : null;

console.log(`VM heap, budget ${int(budget)} B; ${describeMachine()}`);
console.log(
  `  collection at a blocking point: ${fixed(((collectingMs - allocOnlyMs) / n) * 1000)} us ` +
    `(${int(n / ((collectingMs - allocOnlyMs) / 1000))} collections/s); too little allocated to collect: ${fixed(((unchangedMs - plainMs) / n) * 1000)} us`,
);
console.log(
  `  long loop, ${int(iterations)} iterations x about 2 KB of garbage, blocking every 10: ${fixed(loopMs / 1000, 2)} s; ` +
    `VM memory ${kib(start.wasm)} -> peak ${kib(peak.wasm)}; RSS ${kib(start.rss)} -> peak ${kib(peak.rss)}`,
);
console.log(`  collections ${int(s.collections)} full, ${int(s.partial)} partial; ${int(s.unchanged)} blocking calls with too little allocated to collect`);
if (other) {
  console.log(
    `  same loop, package heap without the budget: ${fixed(other.loopMs / 1000, 2)} s; ` +
      `VM memory ${kib(other.start.wasm)} -> peak ${kib(other.peak.wasm)}; RSS ${kib(other.start.rss)} -> peak ${kib(other.peak.rss)}`,
  );
} else {
  console.log(`  unbudgeted run failed: ${child.stderr?.split("\n")[0] ?? child.error?.message}`);
}
