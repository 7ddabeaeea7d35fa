// The parts of @micropython/micropython-webassembly-pyscript (pinned 1.29.0-6) we use.
declare module "@micropython/micropython-webassembly-pyscript" {
  export interface EmscriptenModule {
    HEAPU8: Uint8Array;
    setValue(ptr: number, value: number, type: string): void;
    getValue(ptr: number, type: string): number;
    ccall(name: string, ret: string | null, argTypes: string[], args: unknown[]): unknown;
    _stdoutBuffer?: number[];
  }
  export interface EmscriptenFs {
    mkdirTree(path: string): void;
    writeFile(path: string, data: string | Uint8Array): void;
    readdir(path: string): string[];
    readFile(path: string): Uint8Array;
    stat(path: string): { mode: number };
    isDir(mode: number): boolean;
  }
  export interface MicroPython {
    _module: EmscriptenModule;
    FS: EmscriptenFs;
    runPython(code: string): any;
    pyimport(name: string): any;
    registerJsModule(name: string, module: object): void;
  }
  export interface LoadOptions {
    heapsize?: number;
    pystack?: number;
    url?: string;
    linebuffer?: boolean;
    stdout?: (line: string) => void;
    stderr?: (line: string) => void;
  }
  export function loadMicroPython(options?: LoadOptions): Promise<MicroPython>;
}
