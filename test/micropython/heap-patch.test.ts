// The two edits to the MicroPython binary (src/micropython/heap/wasm-patch.ts)
// on every .wasm build the pinned package ships, and refusal of a binary that
// does not match. Reads the real binaries; no VM is started.

import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { patchMicroPythonWasm, WasmPatchError } from "../../src/micropython/heap/wasm-patch.ts";
import { heapLoadOptions, installHeapBudget, type MicroPythonInstance } from "../../src/micropython/heap/index.ts";

const PKG_DIR = dirname(createRequire(import.meta.url).resolve("@micropython/micropython-webassembly-pyscript/package.json"));
const BUILDS = readdirSync(PKG_DIR).filter((f) => f.endsWith(".wasm"));

function differingBytes(a: Uint8Array, b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

describe("patching the MicroPython binary", () => {
  it("the package ships the builds this module knows", () => {
    expect(BUILDS).toEqual(expect.arrayContaining(["micropython.wasm", "micropython-settrace.wasm"]));
  });

  for (const build of BUILDS) {
    it(`${build}: both edits apply in place, and the result is a valid module`, () => {
      const original = new Uint8Array(readFileSync(join(PKG_DIR, build)));
      const patch = patchMicroPythonWasm(original);
      expect(patch.bytes.length).toBe(original.length);
      // 128 MiB -> 0 changes one byte; gc_collect's body changes a handful.
      const changed = differingBytes(original, patch.bytes);
      expect(changed).toBeGreaterThan(1);
      expect(changed).toBeLessThan(16);
      expect(patch.pendingFlagAddr).toBeGreaterThan(0);
      expect(WebAssembly.validate(patch.bytes as Uint8Array<ArrayBuffer>)).toBe(true);
    });
  }

  it("refuses a binary whose functions do not match", () => {
    const original = new Uint8Array(readFileSync(join(PKG_DIR, "micropython.wasm")));
    const once = patchMicroPythonWasm(original).bytes;
    expect(() => patchMicroPythonWasm(once)).toThrow(WasmPatchError);
    expect(() => patchMicroPythonWasm(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))).toThrow(/not a WebAssembly module/);
  });

  it("installHeapBudget refuses a VM loaded without heapLoadOptions, and a budget below 4 KB", () => {
    const fake = { _module: { HEAPU8: new Uint8Array(16) } } as unknown as MicroPythonInstance;
    expect(() => installHeapBudget(fake, 36_000)).toThrow(/heapLoadOptions/);
    expect(() => heapLoadOptions(100)).toThrow(/at least 4096/);
  });
});
