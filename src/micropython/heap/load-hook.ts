// Patches the next MicroPython binary instantiated in this thread (see
// wasm-patch.ts) and routes its gc_collect() calls to the heap budget.
// One VM per thread: the package keeps its state on globalThis anyway.

import { patchMicroPythonWasm } from "./wasm-patch.ts";
import { shareWasmMemory } from "../vm-interrupt.ts";

/** The patched VM of this thread, once instantiated. */
export interface PatchedVm {
  memory: WebAssembly.Memory;
  pendingFlagAddr: number;
  /** Called from inside the VM's gc_collect(); must not throw. Set by installHeapBudget. */
  onGcCollect: (() => void) | null;
  /** A failure inside onGcCollect, kept because nothing may be thrown into the VM. */
  hookError: unknown;
  /** The C (shadow) stack's current top and its base, which it grows down from. */
  stackCurrent: () => number;
  stackBase: () => number;
}

let current: PatchedVm | null = null;
let armed = false;

/** The VM the last armed load produced, or null when none was. */
export function patchedVm(): PatchedVm | null {
  return current;
}

type Imports = Record<string, Record<string, unknown>>;

function binaryOf(source: unknown): Uint8Array | null {
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  return null;
}

function isMicroPythonImports(imports: unknown): imports is Imports {
  return typeof (imports as Imports | undefined)?.env?.emscripten_resize_heap === "function";
}

interface Precompiled {
  input: Uint8Array;
  pendingFlagAddr: number;
  module: Promise<WebAssembly.Module>;
}
let precompiled: Precompiled | undefined;

/**
 * Patch and compile this binary now (a VM worker waiting for its board), so
 * the next load of the same bytes only instantiates it. Any other binary
 * (the settrace build for --coverage) is patched and compiled as it loads,
 * and then kept in its place for the loads after it.
 */
export function precompileMicroPython(input: Uint8Array): void {
  const patch = patchMicroPythonWasm(input);
  shareWasmMemory(patch.bytes);
  const module = WebAssembly.compile(patch.bytes as Uint8Array<ArrayBuffer>);
  // A failure shows when the load uses it; until then it is nobody's unhandled rejection.
  module.catch(() => {});
  precompiled = { input, pendingFlagAddr: patch.pendingFlagAddr, module };
}

function samePrecompiled(view: Uint8Array): Precompiled | undefined {
  const p = precompiled;
  if (!p || p.input.length !== view.length) return undefined;
  return Buffer.from(p.input.buffer, p.input.byteOffset, p.input.byteLength).equals(Buffer.from(view.buffer, view.byteOffset, view.byteLength)) ? p : undefined;
}

/** Patch the next `WebAssembly.instantiate` of a MicroPython binary in this thread (one shot). */
export function armNextMicroPythonLoad(): void {
  if (armed) return;
  armed = true;
  current = null;
  const original = WebAssembly.instantiate;
  const patched = function (this: unknown, source: unknown, imports?: unknown): Promise<unknown> {
    const view = binaryOf(source);
    if (!view || !isMicroPythonImports(imports)) return (original as (...a: unknown[]) => Promise<unknown>).call(WebAssembly, source, imports);
    WebAssembly.instantiate = original;
    armed = false;
    // Kept for the next load of the same binary: a worker that serves board after board (vm-recycle.ts) only instantiates it again.
    const ready = samePrecompiled(view);
    const patch = ready ? { bytes: null, pendingFlagAddr: ready.pendingFlagAddr } : patchMicroPythonWasm(view);
    // Shared memory lets another thread interrupt a VM spinning in pure Python (vm-interrupt.ts).
    if (patch.bytes) shareWasmMemory(patch.bytes);
    const vm: PatchedVm = {
      memory: null as unknown as WebAssembly.Memory,
      pendingFlagAddr: patch.pendingFlagAddr,
      onGcCollect: null,
      hookError: null,
      stackCurrent: () => 0,
      stackBase: () => 0,
    };
    const resize = imports.env.emscripten_resize_heap as (size: number) => number;
    const env = {
      ...imports.env,
      // Size 0 is gc_collect() (wasm-patch.ts); the runtime only ever asks for more than it has.
      emscripten_resize_heap: (size: number): number => {
        if (size !== 0) return resize(size);
        new Uint8Array(vm.memory.buffer)[vm.pendingFlagAddr] = 1; // what gc_collect() did before the patch
        try {
          vm.onGcCollect?.();
        } catch (error) {
          vm.hookError ??= error;
        }
        return 0;
      },
    };
    const patchedImports = { ...imports, env } as WebAssembly.Imports;
    const instantiated = ready
      ? ready.module.then(async (module) => ({ module, instance: await WebAssembly.instantiate(module, patchedImports) }))
      : WebAssembly.instantiate(patch.bytes as Uint8Array<ArrayBuffer>, patchedImports);
    return instantiated.then((result) => {
      if (!ready) precompiled = { input: view, pendingFlagAddr: patch.pendingFlagAddr, module: Promise.resolve(result.module) };
      const exports = result.instance.exports;
      vm.memory = exports.memory as WebAssembly.Memory;
      vm.stackCurrent = exports.emscripten_stack_get_current as () => number;
      vm.stackBase = exports.emscripten_stack_get_base as () => number;
      if (typeof vm.stackCurrent !== "function" || typeof vm.stackBase !== "function") throw new Error("VM heap: the binary exports no C stack bounds");
      current = vm;
      return result;
    });
  };
  WebAssembly.instantiate = patched as typeof WebAssembly.instantiate;
}
