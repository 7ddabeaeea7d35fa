// Stand-in for the VM heap module (src/micropython/heap/, built separately):
// the same interface, with no cap and no real collection. The worker calls
// `collect()` at every blocking point and reports `figures()` to the host, so
// swapping in the real module changes no caller.

import type { HeapFigures } from "./protocol.ts";

export interface HeapBudget {
  /** A real garbage collection; callable from inside a JS function Python called. */
  collect(): void;
  figures(): HeapFigures;
}

/** The VM as loadMicroPython returns it, as far as the heap needs it. */
export interface LoadedVm {
  pyimport(name: string): any;
}

/** Options merged into loadMicroPython's (the stand-in needs none). */
export function heapLoadOptions(_budgetBytes: number): Record<string, unknown> {
  return {};
}

/** Figures read from the VM's own gc module against the board's budget, counting from what was allocated at install. */
export function installHeapBudget(mp: LoadedVm, budgetBytes: number): HeapBudget {
  // `gc` may already be our own module (py/bench_gc.py), which asks this budget: use the VM's.
  const gc = mp.pyimport("gc");
  const vmGc = "_vm_gc" in gc ? gc._vm_gc : gc;
  const memAlloc = vmGc.mem_alloc as () => number;
  const atBoot = memAlloc();
  return {
    collect() {},
    figures() {
      const used = Math.max(0, memAlloc() - atBoot);
      const free = Math.max(0, budgetBytes - used);
      return { budget: budgetBytes, used, free, largestFree: free };
    },
  };
}
