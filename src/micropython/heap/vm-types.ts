// The parts of @micropython/micropython-webassembly-pyscript (pinned 1.29.0-6)
// the heap module uses, typed locally so they do not clash with the VM's own
// declaration of the package.

/** Options of `loadMicroPython` this module sets. */
export interface LoadMicroPythonOptions {
  heapsize: number;
  pystack: number;
}

/** What `loadMicroPython` resolves to, as callers declare it: the heap needs no more of them. */
export interface MicroPythonInstance {
  _module: { HEAPU8: Uint8Array };
  runPython(code: string): unknown;
  pyimport(name: string): any;
  registerJsModule(name: string, module: object): void;
  FS: { mkdirTree(path: string): void; writeFile(path: string, data: string): void };
}

/** The Emscripten module behind a loaded VM (`mp._module`), with the exports the package always has. */
export interface EmscriptenModule {
  HEAPU8: Uint8Array;
  _malloc(size: number): number;
  _free(ptr: number): void;
  /** proxy_c.c: call the Python object registered as `ref` with `nArgs` converted arguments; result in `out` (3 words). */
  _proxy_c_to_js_call(ref: number, nArgs: number, args: number, out: number): void;
}

/** The loaded VM as it is at run time. */
export interface LoadedVm extends MicroPythonInstance {
  _module: EmscriptenModule;
  runPythonAsync?(code: string): unknown;
  FS: MicroPythonInstance["FS"] & { unlink(path: string): void };
}
