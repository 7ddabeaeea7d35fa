// Two in-place edits to the MicroPython WebAssembly binary, made before it is
// instantiated (see docs/architecture.md, "VM heap"):
//
// 1. `gc_get_max_new_split()` returns 0 instead of 128 MiB, so the GC's
//    split-heap-auto growth (`gc_try_add_heap`) gives up before it allocates
//    a new area: a failed allocation ends in MemoryError, as on a device.
// 2. `gc_collect()` (which in this build only sets a "pending" flag) calls the
//    `emscripten_resize_heap` import with 0, a size the runtime never asks
//    for, so the host learns of every collection the VM wants (gc.collect(),
//    an allocation that failed) and can run a real one when that is safe.
//
// Both functions are found by their exact bodies, not by index or address,
// and every edit keeps the body's length, so nothing else in the module moves.
// A binary that does not match exactly is refused with an error.

/** What the patch learnt about the binary, needed at run time. */
export interface WasmPatch {
  /** The patched binary. */
  bytes: Uint8Array;
  /** Address of the byte gc_collect() sets (`gc_collect_pending` in ports/webassembly/main.c). */
  pendingFlagAddr: number;
}

export class WasmPatchError extends Error {
  override name = "WasmPatchError";
}

interface Body {
  /** Offset of the body's first byte (after its size) in the module. */
  offset: number;
  size: number;
}

interface ParsedModule {
  functionImports: { module: string; name: string; typeIndex: number }[];
  types: { params: number[]; results: number[] }[];
  bodies: Body[];
}

const I32 = 0x7f;
/** i32.const 0x8000000 (128 MiB), as a 5-byte signed LEB128, then `end`: gc_get_max_new_split's whole body. */
const MAX_NEW_SPLIT_BODY = [0x00, 0x41, 0x80, 0x80, 0x80, 0xc0, 0x00, 0x0b];
/** The same body returning 0 (padded LEB128, same length). */
const ZERO_SPLIT_BODY = [0x00, 0x41, 0x80, 0x80, 0x80, 0x80, 0x00, 0x0b];

class Reader {
  constructor(
    private readonly b: Uint8Array,
    public p: number,
  ) {}
  byte(): number {
    if (this.p >= this.b.length) throw new WasmPatchError("truncated WebAssembly module");
    return this.b[this.p++];
  }
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const x = this.byte();
      result += (x & 0x7f) * 2 ** shift;
      if ((x & 0x80) === 0) return result;
      shift += 7;
      if (shift > 35) throw new WasmPatchError("bad LEB128 in WebAssembly module");
    }
  }
  name(): string {
    const n = this.u32();
    const s = new TextDecoder().decode(this.b.subarray(this.p, this.p + n));
    this.p += n;
    return s;
  }
  limits(): void {
    const flags = this.byte();
    this.u32();
    if (flags & 1) this.u32();
  }
}

function parseModule(b: Uint8Array): ParsedModule {
  if (b.length < 8 || b[0] !== 0 || b[1] !== 0x61 || b[2] !== 0x73 || b[3] !== 0x6d) {
    throw new WasmPatchError("not a WebAssembly module");
  }
  const out: ParsedModule = { functionImports: [], types: [], bodies: [] };
  const r = new Reader(b, 8);
  while (r.p < b.length) {
    const id = r.byte();
    const size = r.u32();
    const end = r.p + size;
    if (id === 1) {
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        if (r.byte() !== 0x60) throw new WasmPatchError("unexpected type form");
        const params = Array.from({ length: r.u32() }, () => r.byte());
        const results = Array.from({ length: r.u32() }, () => r.byte());
        out.types.push({ params, results });
      }
    } else if (id === 2) {
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        const module = r.name();
        const name = r.name();
        const kind = r.byte();
        if (kind === 0) out.functionImports.push({ module, name, typeIndex: r.u32() });
        else if (kind === 1) {
          r.byte();
          r.limits();
        } else if (kind === 2) r.limits();
        else if (kind === 3) {
          r.byte();
          r.byte();
        } else throw new WasmPatchError(`unknown import kind ${kind}`);
      }
    } else if (id === 10) {
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        const bodySize = r.u32();
        out.bodies.push({ offset: r.p, size: bodySize });
        r.p += bodySize;
      }
    }
    r.p = end;
  }
  return out;
}

function bodyEquals(b: Uint8Array, body: Body, expected: readonly number[]): boolean {
  if (body.size !== expected.length) return false;
  for (let i = 0; i < expected.length; i++) if (b[body.offset + i] !== expected[i]) return false;
  return true;
}

/**
 * gc_collect's body in this build: no locals, `i32.const 0; i32.const 1;
 * i32.store8 offset=FLAG`, end. Returns FLAG, or -1 when `body` is not that.
 */
function pendingStoreAddress(b: Uint8Array, body: Body): number {
  const s = b.subarray(body.offset, body.offset + body.size);
  if (s.length < 8 || s[0] !== 0x00 || s[1] !== 0x41 || s[2] !== 0x00 || s[3] !== 0x41 || s[4] !== 0x01 || s[5] !== 0x3a) return -1;
  const r = new Reader(s, 6);
  r.u32(); // alignment
  const offset = r.u32();
  if (r.p !== s.length - 1 || s[s.length - 1] !== 0x0b) return -1;
  return offset;
}

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let x = n & 0x7f;
    n >>>= 7;
    if (n !== 0) x |= 0x80;
    out.push(x);
  } while (n !== 0);
  return out;
}

/** Patch a copy of the MicroPython binary (any of the package's .wasm builds). */
export function patchMicroPythonWasm(input: Uint8Array): WasmPatch {
  const bytes = new Uint8Array(input);
  const mod = parseModule(bytes);

  const resizeIndex = mod.functionImports.findIndex((f) => f.module === "env" && f.name === "emscripten_resize_heap");
  if (resizeIndex < 0) throw new WasmPatchError("the binary imports no emscripten_resize_heap");
  const resizeType = mod.types[mod.functionImports[resizeIndex].typeIndex];
  if (resizeType.params.join() !== `${I32}` || resizeType.results.join() !== `${I32}`) {
    throw new WasmPatchError("emscripten_resize_heap is not (i32) -> i32");
  }

  const splitAt = mod.bodies.flatMap((body, i) => (bodyEquals(bytes, body, MAX_NEW_SPLIT_BODY) ? [i] : []));
  if (splitAt.length !== 1) {
    throw new WasmPatchError(`expected one gc_get_max_new_split body (return 128 MiB), found ${splitAt.length}`);
  }
  // gc_collect follows gc_get_max_new_split in ports/webassembly/main.c, and the linker keeps that order.
  const collectBody = mod.bodies[splitAt[0] + 1];
  const pendingFlagAddr = collectBody ? pendingStoreAddress(bytes, collectBody) : -1;
  if (pendingFlagAddr < 0) throw new WasmPatchError("the function after gc_get_max_new_split is not gc_collect (set the pending flag)");

  bytes.set(ZERO_SPLIT_BODY, mod.bodies[splitAt[0]].offset);

  // gc_collect: `i32.const 0; call emscripten_resize_heap; drop`, padded with nops to the old length.
  const call = [0x00, 0x41, 0x00, 0x10, ...uleb(resizeIndex), 0x1a];
  if (call.length + 1 > collectBody.size) throw new WasmPatchError("gc_collect's body is too short to patch");
  const replacement = [...call, ...new Array<number>(collectBody.size - call.length - 1).fill(0x01), 0x0b];
  bytes.set(replacement, collectBody.offset);

  return { bytes, pendingFlagAddr };
}
