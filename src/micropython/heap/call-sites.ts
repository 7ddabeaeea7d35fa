// Which C functions of the VM are active right now, read from a JavaScript
// stack trace: V8 lists every WebAssembly frame as `wasm-function[index]:0xoffset`,
// the offset being the call instruction the frame is paused at. A collection
// is safe only when every such call site is one known to hold no heap object
// in a C local (docs/architecture.md, "VM heap").

const FRAME = /wasm-function\[(\d+)\]:(0x[0-9a-f]+)/g;

/** The WebAssembly call sites on the current stack, innermost first. */
export function wasmCallSites(): string[] {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = Infinity;
  const stack = new Error().stack ?? "";
  Error.stackTraceLimit = limit;
  const sites: string[] = [];
  for (const m of stack.matchAll(FRAME)) sites.push(`${m[1]}:${m[2]}`);
  return sites;
}

/** Call sites seen while running code known to be safe to collect in. */
export class CallSiteAllowlist {
  private readonly known = new Set<string>();

  add(sites: readonly string[]): void {
    for (const site of sites) this.known.add(site);
  }

  get size(): number {
    return this.known.size;
  }

  /** The first call site that is not known, or undefined when all are. */
  unknownIn(sites: readonly string[]): string | undefined {
    return sites.find((site) => !this.known.has(site));
  }

  /**
   * Whether an unknown call site lies below (outside) the innermost frame of
   * `fn`: a C function that called back into Python and stays on the stack
   * across later collections (sorted(key=...), list(generator), print -> __str__).
   */
  unknownBelow(sites: readonly string[], fn: number): boolean {
    const prefix = `${fn}:`;
    const boundary = sites.findIndex((site) => site.startsWith(prefix));
    if (boundary < 0) return false;
    return sites.slice(boundary).some((site) => !this.known.has(site));
  }
}
