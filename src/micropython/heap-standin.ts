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

/** Figures read from the VM's own gc module against the board's budget. */
export function installHeapBudget(mp: LoadedVm, budgetBytes: number): HeapBudget {
  const gc = mp.pyimport("gc");
  const memAlloc = gc.mem_alloc as () => number;
  return {
    collect() {},
    figures() {
      const used = memAlloc();
      const free = Math.max(0, budgetBytes - used);
      return { budget: budgetBytes, used, free, largestFree: free };
    },
  };
}
