// A MicroPython VM heap that behaves like the board's: a fixed budget that
// never grows, real collections when Python calls gc.collect(), when an
// allocation fails, and at the blocking points the VM's host calls collect()
// at, and MemoryError once a collection cannot make room. Call both functions
// in the VM's own thread. How and why it is safe: docs/architecture.md, "VM heap".

import { findCallDepthCounter } from "./call-depth.ts";
import { calibrate, EXPECTED_COLLECT_SHAPES } from "./calibration.ts";
import { mayBeSameActivation, wasmStack, type CallSiteAllowlist, type WasmStack } from "./call-sites.ts";
import { BYTES_PER_BLOCK, GcArea, type AreaSnapshot, type HeapFigures } from "./gc-area.ts";
import { armNextMicroPythonLoad, patchedVm, type PatchedVm } from "./load-hook.ts";
import type { LoadedVm, LoadMicroPythonOptions, MicroPythonInstance } from "./vm-types.ts";

export type { HeapFigures } from "./gc-area.ts";
export type { LoadMicroPythonOptions, MicroPythonInstance } from "./vm-types.ts";

export interface HeapBudget {
  /**
   * A real garbage collection, callable from inside a JS function that Python
   * called: at a blocking point (sleep, socket wait) it is skipped while little
   * was allocated since the last one; `{ always: true }` (the firmware's own
   * gc.collect()) collects regardless, as a device does.
   */
  collect(options?: { always?: boolean }): void;
  /** As gc would report them on the device: free and largest free block exactly, used counted from boot. */
  figures(): { budget: number; free: number; used: number; largestFree: number };
  /** Objects the firmware allocated (after boot), as micropython.mem_info() counts them: 1-block, 2-block, longest in blocks. */
  objectCounts(): { oneBlock: number; twoBlocks: number; longest: number };
}

/** Counters for benchmarks and tests. */
export interface HeapStats {
  /** Full collections (gc.collect(), failed allocations, the threshold, blocking points): only known-safe C functions on the stack. */
  collections: number;
  /**
   * Collections with a C function on the stack that may hold objects only in
   * locals: what the C stack points to, and everything allocated since the
   * last collection before that function was entered, was kept.
   */
  partial: number;
  /** collect() calls that did not collect: less than 1/16 of the budget allocated since the last collection. */
  unchanged: number;
  /** The innermost unknown call site (byte offset in the module) of the last partial collection, for diagnostics. */
  lastUnsafeSite: number | undefined;
}

/** The loaded heap: the budget's area plus room for the VM's own start-up and the host's glue. */
export function loadedHeapSize(budgetBytes: number): number {
  return Math.ceil((budgetBytes + 128 * 1024) / 1024) * 1024;
}

/**
 * Options to merge into `loadMicroPython({...})`. Arms a one-shot patch of the
 * next MicroPython binary this thread instantiates, so call it right before
 * loading (wasm-patch.ts).
 */
export function heapLoadOptions(budgetBytes: number): Partial<LoadMicroPythonOptions> {
  checkBudget(budgetBytes);
  armNextMicroPythonLoad();
  return { heapsize: loadedHeapSize(budgetBytes) };
}

function checkBudget(budgetBytes: number): void {
  if (!Number.isInteger(budgetBytes) || budgetBytes < 4096) {
    throw new Error(`VM heap: budget must be a whole number of bytes, at least 4096 (got ${budgetBytes})`);
  }
}

/** The budget and statistics of an installed heap (tests and benchmarks). */
export function heapStats(budget: HeapBudget): HeapStats {
  const stats = (budget as InstalledHeap).stats;
  if (!stats) throw new Error("VM heap: not a budget from installHeapBudget");
  return stats;
}

interface InstalledHeap extends HeapBudget {
  stats: HeapStats;
}

/**
 * Make the loaded VM's heap the board's budget: after this, gc.mem_free() is
 * `budgetBytes` (to 4 blocks) and the heap never grows. Call after loading
 * with heapLoadOptions(budgetBytes) and after the host's own glue is
 * imported, before boot.py runs.
 */
export function installHeapBudget(vmInstance: MicroPythonInstance, budgetBytes: number): HeapBudget {
  checkBudget(budgetBytes);
  const mp = vmInstance as LoadedVm;
  const vm = patchedVm();
  if (!vm || vm.memory.buffer !== mp._module.HEAPU8.buffer) {
    throw new Error("VM heap: this VM was not loaded with heapLoadOptions(); merge them into loadMicroPython's options");
  }
  const heap = (): Uint8Array => mp._module.HEAPU8;
  // The area's struct is static data, like the flag gc_collect() sets: look near it first.
  const near = Math.min(heap().length, vm.pendingFlagAddr * 2 + 65536);
  let area: GcArea;
  try {
    area = GcArea.find(heap, loadedHeapSize(budgetBytes), near);
  } catch {
    area = GcArea.find(heap, loadedHeapSize(budgetBytes), heap().length);
  }
  // The host's glue may have put its own `gc` in sys.modules; start-up needs the VM's.
  mp.runPython('import sys\n__heap_host_gc = sys.modules.pop("gc", None)\ndel sys');
  let collector: NestedCollector;
  let calibration: ReturnType<typeof calibrate>;
  const startUp: unknown[] = [];
  try {
    collector = new NestedCollector(mp, vm, findCallDepthCounter(mp, area.poolStart));
    // Sized by the largest free block, not all free space: the shapes need two 2/5 blocks side by side, which
    // the start-up objects' layout may not leave in all free space (it did not in the settrace build).
    calibration = calibrate(mp, (hook) => (vm.onGcCollect = hook), area.figures(0).largestFree);
    if (calibration.collectShapesSeen !== EXPECTED_COLLECT_SHAPES) {
      throw new Error(`VM heap: gc_collect() was reached ${calibration.collectShapesSeen} times in calibration, expected ${EXPECTED_COLLECT_SHAPES}`);
    }
    // Collect every 1/8 of the budget allocated, so that what a partial collection must keep stays recent.
    mp.runPython(`import gc\ngc.threshold(${Math.floor(budgetBytes / 8)})\ndel gc`);
  } finally {
    mp.runPython('import sys\nif __heap_host_gc is not None:\n    sys.modules["gc"] = __heap_host_gc\ndel __heap_host_gc, sys');
  }
  for (let round = 0; round < 4; round++) {
    collector.collect();
    if (area.lowestHole() === 0) break;
    startUp.push(packStartUpObjects(mp, area));
  }
  if (area.lowestHole() !== 0) throw new Error("VM heap: could not pack the start-up objects");
  area.shrinkToFree(budgetBytes);
  const { allowlist, bytecodeFunction } = calibration;
  const installed = new BudgetedHeap(budgetBytes, area, allowlist, bytecodeFunction, collector, vm, startUp);
  vm.onGcCollect = () => installed.onVmCollect();
  return installed;
}

/**
 * Start-up (the VM's own objects, the host's glue, calibration) leaves live
 * objects scattered among the holes its garbage left. A freshly booted board
 * has its free heap in one piece, so the holes below the highest live block
 * are filled with bytes objects kept for the VM's lifetime: they count as
 * used, as the board's own start-up objects do. Returns what keeps them.
 */
function packStartUpObjects(mp: LoadedVm, area: GcArea): unknown {
  let kept: unknown = null;
  mp.registerJsModule("_heapfill", {
    hole: () => area.lowestHole(),
    keep: (list: unknown) => {
      kept = list;
    },
  });
  mp.runPython(
    [
      "import _heapfill, sys",
      "_k = []",
      "for _i in range(100000):",
      "    _n = _heapfill.hole()",
      "    if not _n:",
      "        break",
      "    _k.append(bytes(_n * 16 - 1))",
      "_heapfill.keep(_k)",
      'del sys.modules["_heapfill"], _heapfill, sys, _k, _i, _n',
    ].join("\n"),
  );
  return kept;
}

/**
 * Runs the VM's own collection from inside a call into JavaScript: the
 * call-depth counter reads 0 for one nested call, so the VM collects as it
 * does at top level (roots: its root pointers and the Python stack).
 */
class NestedCollector {
  private readonly out: number;
  private readonly ref: number;
  /** Keeps the callable's proxy (and its slot in the VM's proxy table) alive. */
  private readonly callable: { _ref: number };

  constructor(
    private readonly mp: LoadedVm,
    private readonly vm: PatchedVm,
    private readonly depthAddr: number,
  ) {
    // Any call returning a non-heap object without allocating will do; gc.isenabled() is one.
    this.callable = mp.pyimport("gc").isenabled;
    this.ref = this.callable._ref;
    this.out = mp._module._malloc(12);
  }

  collect(): void {
    const m = this.mp._module;
    const view = new DataView(m.HEAPU8.buffer);
    const depth = view.getUint32(this.depthAddr, true);
    view.setUint32(this.depthAddr, 0, true);
    m.HEAPU8[this.vm.pendingFlagAddr] = 1;
    try {
      m._proxy_c_to_js_call(this.ref, 0, 0, this.out);
    } finally {
      new DataView(m.HEAPU8.buffer).setUint32(this.depthAddr, depth, true);
    }
    const result = new DataView(m.HEAPU8.buffer);
    if (result.getInt32(this.out, true) === -1) m._free(result.getUint32(this.out + 8, true)); // an exception's text
  }
}

/** Partial collections remembered as baselines (each holds a copy of the area). */
const MAX_HISTORY = 8;

class BudgetedHeap implements InstalledHeap {
  readonly stats: HeapStats = { collections: 0, partial: 0, unchanged: 0, lastUnsafeSite: undefined };
  private collecting = false;
  /**
   * The area after each collection since the last full one (that one first),
   * with the stack it ran on: the baselines a partial collection chooses from.
   */
  private history: { stack: WasmStack; after: AreaSnapshot }[];
  private afterCollection: AreaSnapshot;
  private usedAfterCollection: number;
  /** Bytes in use when the budget was installed (less what of it died since and was trimmed off). */
  private startUpBytes: number;
  private peakUsed = 0;

  constructor(
    private readonly budget: number,
    private readonly area: GcArea,
    private readonly allowlist: CallSiteAllowlist,
    private readonly bytecodeFunction: number,
    private readonly collector: NestedCollector,
    private readonly vm: PatchedVm,
    /** The objects filling start-up's holes (packStartUpObjects), held for the VM's lifetime. */
    readonly startUpFill: unknown,
  ) {
    this.afterCollection = area.snapshot();
    this.history = [{ stack: { sites: [], functions: [] }, after: this.afterCollection }];
    this.usedAfterCollection = area.figures(budget).used;
    this.startUpBytes = this.usedAfterCollection;
  }

  /**
   * At a blocking point. Deciding whether a collection is safe costs a stack
   * trace (tens of microseconds), so it is run once at least 1/16 of the
   * budget was allocated since the last collection, or the heap is three
   * quarters full; a failed allocation collects regardless (onVmCollect).
   */
  collect(options: { always?: boolean } = {}): void {
    if (this.collecting) return;
    const figures = this.area.figures(this.budget);
    if (!options.always && figures.used - this.usedAfterCollection < this.budget / 16 && figures.free > this.budget / 4) {
      this.stats.unchanged++;
      return;
    }
    this.collectHere(wasmStack());
  }

  /**
   * The VM's gc_collect(): gc.collect(), an allocation that found no room, or
   * the allocation threshold (every 1/8 of the budget allocated). Whatever
   * calls, the VM will not call again for this allocation, so a collection
   * runs: full, or partial where that is not safe.
   */
  onVmCollect(): void {
    if (!this.collecting) this.collectHere(wasmStack());
  }

  /**
   * Free and largest free block as gc_info() counts them; used is what was
   * allocated after boot (the VM's and the host's start-up objects are not
   * the board's), so used + free is the budget.
   */
  figures(): HeapFigures {
    const f = this.area.figures(this.budget);
    const used = Math.max(0, f.used - this.startUpBytes);
    return { ...f, used, peakUsed: Math.max(this.peakUsed, used) };
  }

  objectCounts(): { oneBlock: number; twoBlocks: number; longest: number } {
    // Start-up objects were packed into the area's first blocks (installHeapBudget).
    return this.area.objectCounts(this.startUpBytes / BYTES_PER_BLOCK);
  }

  /** The area to count "new" objects from, for a partial collection on `stack`. */
  private baselineFor(stack: WasmStack): AreaSnapshot {
    const depth = this.allowlist.outermostUnknownBelow(stack, this.bytecodeFunction);
    if (depth < 0) return this.afterCollection;
    // The last full collection ran with no unknown function on the stack, so this one was entered after it.
    for (let i = this.history.length - 1; i > 0; i--) {
      if (!mayBeSameActivation(this.history[i].stack, stack, depth)) return this.history[i].after;
    }
    return this.history[0].after;
  }

  /**
   * A full collection when every C function on the stack is a known-safe call
   * site. Otherwise a partial one, which first marks what the C stack points
   * to and what is new since the last collection, so that no object a C
   * function holds only in a local is freed under it. When the unknown C
   * function lies below the innermost Python frame, it called back into
   * Python and may have held its objects across collections: "new" is then
   * counted from the last collection that ran before it was entered.
   */
  private collectHere(stack: WasmStack): void {
    // Used only falls here: the heap's peak is what was in use just before a collection.
    this.peakUsed = Math.max(this.peakUsed, this.area.figures(this.budget).used - this.startUpBytes);
    const unsafe = this.allowlist.unknownIn(stack);
    this.collecting = true;
    try {
      if (unsafe !== undefined) {
        this.area.markNewAndRange(this.baselineFor(stack), this.vm.stackCurrent(), this.vm.stackBase());
        this.stats.partial++;
        this.stats.lastUnsafeSite = unsafe;
      }
      this.collector.collect();
      if (unsafe === undefined) this.stats.collections++;
      // Objects live at start-up that died (a proxy JavaScript released) must not make the heap larger than the budget.
      if (this.area.figures(this.budget).free > this.budget) this.startUpBytes -= this.area.trimToFree(this.budget);
    } finally {
      this.collecting = false;
    }
    this.afterCollection = this.area.snapshot();
    const entry = { stack, after: this.afterCollection };
    if (unsafe === undefined) this.history = [entry];
    else {
      this.history.push(entry);
      // Forgetting a middle entry only makes a later baseline older: more is kept, never less.
      if (this.history.length > MAX_HISTORY) this.history.splice(1, 1);
    }
    this.usedAfterCollection = this.area.figures(this.budget).used;
  }
}
