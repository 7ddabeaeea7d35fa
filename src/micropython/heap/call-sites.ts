// Which C functions of the VM are active right now, read from V8's stack
// trace: for a WebAssembly frame, the call instruction it is paused at (its
// byte offset in the module) and the start of its function. A collection is
// safe only when every such call site is one known to hold no heap object in
// a C local (docs/architecture.md, "VM heap").

interface V8CallSite {
  getScriptNameOrSourceURL(): string | null;
  getPosition(): number;
  getEnclosingColumnNumber?(): number | null;
}

/** WebAssembly frames on the current stack, innermost first: call offsets, and their functions' start offsets. */
export interface WasmStack {
  sites: number[];
  functions: number[];
}

const holder: { stack?: unknown } = {};
/** Frames looked at; a deeper stack ends in UNSEEN, a call site never known, so it is never taken as safe. */
const MAX_FRAMES = 256;
const UNSEEN = -1;
/** Whether this thread's engine hands over V8's own frames (decided on first use). */
let structured: boolean | undefined;
const FRAME = /wasm-function\[(\d+)\]:0x([0-9a-f]+)/g;

/**
 * The structured frames when V8 hands them over as they are; some tools
 * (source-map support) wrap them, and then the formatted stack is parsed.
 */
export function wasmStack(): WasmStack {
  const limit = Error.stackTraceLimit;
  const out: WasmStack = { sites: [], functions: [] };
  if (structured === false) {
    Error.stackTraceLimit = MAX_FRAMES;
    const text = new Error().stack ?? "";
    Error.stackTraceLimit = limit;
    for (const m of text.matchAll(FRAME)) {
      out.sites.push(parseInt(m[2], 16));
      out.functions.push(-2 - Number(m[1])); // a function index, kept apart from start offsets and UNSEEN
    }
    if (text.split("\n").length > MAX_FRAMES) {
      out.sites.push(UNSEEN);
      out.functions.push(UNSEEN);
    }
    return out;
  }
  const prepare = Error.prepareStackTrace;
  Error.prepareStackTrace = (_error, frames) => frames;
  Error.stackTraceLimit = MAX_FRAMES;
  let frames: unknown;
  try {
    Error.captureStackTrace(holder, wasmStack);
    frames = holder.stack; // formatted on first read, so read before the formatter is restored
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
    holder.stack = undefined;
  }
  structured ??= Array.isArray(frames) && frames.every((f: V8CallSite) => typeof f.getEnclosingColumnNumber === "function" && typeof f.getPosition === "function");
  if (!structured) return wasmStack();
  for (const frame of frames as V8CallSite[]) {
    if (!frame.getScriptNameOrSourceURL()?.startsWith("wasm://")) continue;
    out.sites.push(frame.getPosition());
    out.functions.push(frame.getEnclosingColumnNumber!()!);
  }
  if ((frames as V8CallSite[]).length >= MAX_FRAMES) {
    out.sites.push(UNSEEN);
    out.functions.push(UNSEEN);
  }
  return out;
}

/**
 * Whether the frame `depth` levels from the outermost one in `now` may be
 * the same activation as in `then`: the same functions from the outermost
 * frame down to it. When not, it was entered after `then` was taken.
 */
export function mayBeSameActivation(then: WasmStack, now: WasmStack, depth: number): boolean {
  const a = then.functions.length;
  const b = now.functions.length;
  if (depth >= a || depth >= b) return false;
  for (let i = 0; i <= depth; i++) if (then.functions[a - 1 - i] !== now.functions[b - 1 - i]) return false;
  return true;
}

/** Call sites seen while running code known to be safe to collect in. */
export class CallSiteAllowlist {
  private readonly known = new Set<number>();

  add(stack: WasmStack): void {
    for (const site of stack.sites) this.known.add(site);
  }

  get size(): number {
    return this.known.size;
  }

  /** The innermost call site that is not known, or undefined when all are. */
  unknownIn(stack: WasmStack): number | undefined {
    return stack.sites.find((site) => !this.known.has(site));
  }

  /**
   * Whether an unknown call site lies at or below (outside) the innermost
   * frame of function `fn`: a C function that called back into Python and
   * stays on the stack across later collections (sorted(key=...),
   * list(generator), print -> __str__).
   */
  unknownBelow(stack: WasmStack, fn: number): boolean {
    return this.outermostUnknownBelow(stack, fn) >= 0;
  }

  /**
   * The outermost such unknown frame, as its depth counted from the
   * outermost frame (0), or -1 when there is none.
   */
  outermostUnknownBelow(stack: WasmStack, fn: number): number {
    const boundary = stack.functions.indexOf(fn);
    if (boundary < 0) return -1;
    for (let i = stack.sites.length - 1; i >= boundary; i--) {
      if (!this.known.has(stack.sites[i])) return stack.sites.length - 1 - i;
    }
    return -1;
  }
}
