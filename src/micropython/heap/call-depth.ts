// Finds `external_call_depth` (ports/webassembly/main.c): the static counter
// of nested calls from JavaScript into the VM. The VM collects garbage only
// when it drops back to 0, so a nested collection sets it to 0 for the length
// of one call. Its address differs between builds, so it is found by watching
// which word of the VM's static memory follows the call depth 0, 1, 2, 3.

import type { LoadedVm as MicroPythonInstance } from "./vm-types.ts";

const PROBE = "_heapdepth";

/** Address of the call-depth counter; throws when no single word behaves like it. */
export function findCallDepthCounter(mp: MicroPythonInstance, limit: number): number {
  const snapshots: { depth: number; words: Uint32Array }[] = [];
  const snap = (depth: number): void => {
    const heap = mp._module.HEAPU8;
    snapshots.push({ depth, words: new Uint32Array(heap.buffer.slice(0, Math.min(limit, heap.length) & ~3)) });
  };
  mp.registerJsModule(PROBE, { snap, nest: (fn: () => void) => fn() });
  snap(0);
  mp.runPython(
    [
      `import ${PROBE} as _p`,
      "_p.snap(1)",
      "_p.nest(lambda: _p.snap(2))",
      "_p.nest(lambda: _p.nest(lambda: _p.snap(3)))",
      "_p.snap(1)",
      "import sys",
      `del sys.modules["${PROBE}"], _p, sys`,
    ].join("\n"),
  );
  snap(0);

  const n = Math.min(...snapshots.map((s) => s.words.length));
  // One tight pass over the first two snapshots (0 then 1) leaves a handful of words; the rest check those.
  const [first, second] = [snapshots[0].words, snapshots[1].words];
  const candidates: number[] = [];
  for (let i = 0; i < n; i++) {
    if (first[i] === 0 && second[i] === 1 && snapshots.every((s) => s.words[i] === s.depth)) candidates.push(i * 4);
  }
  if (candidates.length !== 1) {
    throw new Error(`VM heap: cannot find the VM's call-depth counter (${candidates.length} candidates); this MicroPython build is not supported`);
  }
  return candidates[0];
}
