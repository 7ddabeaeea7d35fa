// The parts of @micropython/micropython-webassembly-pyscript (pinned 1.29.0-6)
// the heap module uses, typed locally so they do not clash with the VM's own
// declaration of the package.

/** Options of `loadMicroPython` this module sets. */
export interface LoadMicroPythonOptions {
  heapsize: number;
  pystack: number;
}

/** The Emscripten module behind a loaded VM (`mp._module`). */
export interface EmscriptenModule {
  HEAPU8: Uint8Array;
  _malloc(size: number): number;
  _free(ptr: number): void;
  /** proxy_c.c: call the Python object registered as `ref` with `nArgs` converted arguments; result in `out` (3 words). */
  _proxy_c_to_js_call(ref: number, nArgs: number, args: number, out: number): void;
}

/** What `loadMicroPython` resolves to, as far as the heap needs it. */
export interface MicroPythonInstance {
  _module: EmscriptenModule;
  runPython(code: string): unknown;
  runPythonAsync?(code: string): unknown;
  pyimport(name: string): any;
  registerJsModule(name: string, module: object): void;
  FS: { mkdirTree(path: string): void; writeFile(path: string, data: string): void; unlink(path: string): void };
}
