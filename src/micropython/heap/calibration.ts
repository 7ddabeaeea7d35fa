// Runs, once per VM and before any firmware, Python code in the shapes in
// which a collection is known to be safe, and records the WebAssembly call
// sites on the stack at each point: a blocking call (a JS function called from
// Python in every usual calling form, including from generators resumed by
// for, next(), send(), yield from, all(), any() and enumerate()),
// gc.collect(), and an allocation that
// fails as the first allocation of its operation (bytes(n), repetition,
// concatenation), also when the allocation threshold is what calls. Only those call sites are trusted later. The shapes, and
// why each is safe, are in docs/architecture.md ("VM heap").

import { wasmStack, CallSiteAllowlist, type WasmStack } from "./call-sites.ts";
import type { LoadedVm as MicroPythonInstance } from "./vm-types.ts";

const PROBE = "_heapcal";
const MODULE = "_heapcal_mod";

/** Python that reaches the probe's site() in each blocking-call shape. */
const BLOCKING_SHAPES = `
_s = _heapcal.site
_s()
_s(1)
_s(1, 2)
_s(1, 2, 3)
_s(1, "a", b"b", 2.5, None, True)
_s(k=1)
_s(1, k=2)
def _f0():
    _s()
_f0()
def _f1(a, b=2, *, c=3):
    _s(a)
    return a
_f1(1)
_f1(1, b=2, c=3)
_f1(a=1)
class _C:
    def __init__(self):
        _s()
    def m(self, x=None):
        _s(x)
    @staticmethod
    def sm():
        _s()
    @classmethod
    def cm(cls):
        _s()
    @property
    def p(self):
        _s()
        return 1
    def __enter__(self):
        _s()
        return self
    def __exit__(self, a, b, c):
        _s()
_o = _C()
_o.m()
_o.m(x=1)
_C.sm()
_C.cm()
_o.p
_bm = _o.m
_bm()
with _C():
    _s()
def _outer():
    v = [1]
    def _inner():
        _s()
        return v
    return _inner
_outer()()
(lambda: _s())()
try:
    _s()
except Exception:
    pass
try:
    raise ValueError
except ValueError:
    _s()
try:
    _f0()
finally:
    _s()
for _i in range(2):
    _s()
while True:
    _s()
    break
def _g():
    _s()
    yield 1
    _s()
for _x in _g():
    _s()
_gs = _g()
next(_gs)
try:
    _gs.send(None)
except StopIteration:
    pass
def _yf():
    yield from _g()
for _x in _yf():
    _s()
all(_s() is None for _i in range(2))
any(_s() for _i in range(2))
for _i, _x in enumerate(_g()):
    _s()
_heapcal.nest(_f0)
_heapcal.nest(lambda: _heapcal.nest(_f0))
exec("_s()")
exec("_f0()", {"_f0": _f0})
exec(compile("_s()", "_heapcal", "exec"), {"_s": _s})
exec(compile("def _h():\\n    _s()\\n_h()", "_heapcal", "exec"), {"_s": _s})
import sys
sys.modules.pop("${MODULE}", None)
import ${MODULE}
`;

/** Python whose next gc_collect() comes from gc.collect() or from the first allocation of an operation failing. */
const COLLECT_SHAPES = `
_a = _heapcal.arm
_a(); gc.collect()
def _gcf():
    gc.collect()
_a(); _gcf()
def _fail(make):
    try:
        _a(); make()
    except MemoryError:
        pass
try:
    _a(); bytes(_H)
except MemoryError:
    pass
try:
    _a(); b"x" * _H
except MemoryError:
    pass
try:
    _a(); "x" * _H
except MemoryError:
    pass
_fail(lambda: bytes(_H))
_fail(lambda: b"x" * _H)
_fail(lambda: "x" * _H)
try:
    _a(); all(bytes(_H) for _i in range(1))
except MemoryError:
    pass
try:
    _a(); any(bytes(_H) for _i in range(1))
except MemoryError:
    pass
try:
    _a()
    for _i, _x in enumerate(bytes(_H) for _j in range(1)):
        pass
except MemoryError:
    pass
_half = b"x" * (_FREE * 2 // 5)
_fail(lambda: _half + _half + _half)
try:
    _a(); _half + _half + _half
except MemoryError:
    pass
_half = "x" * (_FREE * 2 // 5)
_fail(lambda: _half + _half + _half)
try:
    _a(); _half + _half + _half
except MemoryError:
    pass
_half = None
`;

/** Python whose next gc_collect() comes from the allocation threshold (gc.threshold), at a first allocation. */
const THRESHOLD_SHAPES = `
gc.threshold(1)
_heapcal.arm(); _t = bytes(10)
_heapcal.arm(); _t = b"t" * 10
gc.threshold(-1)
_t = None
`;

export interface Calibration {
  allowlist: CallSiteAllowlist;
  /** Start offset of the bytecode interpreter's WebAssembly function (mp_execute_bytecode): a Python frame on the stack. */
  bytecodeFunction: number;
  /** How many gc_collect() calls the collect shapes were expected to make and did. */
  collectShapesSeen: number;
}

/**
 * Record the safe call sites. `setGcHook` routes the VM's gc_collect() calls;
 * `freeBytes` is the heap's free space now (to size the failing allocations).
 */
export function calibrate(mp: MicroPythonInstance, setGcHook: (hook: (() => void) | null) => void, freeBytes: number): Calibration {
  const allowlist = new CallSiteAllowlist();
  let armed = false;
  let collectShapesSeen = 0;

  const depthStacks: WasmStack[] = [];
  mp.registerJsModule(PROBE, {
    site: () => allowlist.add(wasmStack()),
    depth: () => {
      const sites = wasmStack();
      allowlist.add(sites);
      depthStacks.push(sites);
    },
    nest: (fn: () => void) => fn(),
    arm: () => {
      armed = true;
    },
  });
  setGcHook(() => {
    if (!armed) return;
    armed = false;
    collectShapesSeen++;
    allowlist.add(wasmStack());
  });
  mp.FS.mkdirTree("/lib");
  mp.FS.writeFile(`/lib/${MODULE}.py`, "import _heapcal\n_heapcal.site()\n");
  try {
    mp.runPython(`import gc\ngc.threshold(-1)`);
    mp.pyimport(MODULE);
    mp.runPython(`import ${PROBE}\n${BLOCKING_SHAPES}`);
    mp.runPython(`import ${PROBE}\n${PYTHON_FRAME_SHAPES}`);
    void mp.runPythonAsync?.("_s()");
    mp.runPython(`import gc, ${PROBE}\n_H = ${Math.max(1 << 24, freeBytes * 4)}\n_FREE = ${freeBytes}\n${COLLECT_SHAPES}`);
    mp.runPython(`import gc, ${PROBE}\n${THRESHOLD_SHAPES}`);
  } finally {
    setGcHook(null);
    mp.FS.unlink(`/lib/${MODULE}.py`);
    mp.runPython(
      [
        "import sys",
        `for _k in ("${PROBE}", "${MODULE}"):`,
        "    sys.modules.pop(_k, None)",
        "for _k in [k for k in globals() if k.startswith('_') and not k.startswith('__')]:",
        "    del globals()[_k]",
        "del sys",
      ].join("\n"),
    );
  }
  return { allowlist, bytecodeFunction: bytecodeFunctionOf(depthStacks), collectShapesSeen };
}

/** The same blocking call one and three Python frames deep (a method call, so no plain-call helper sits on top). */
const PYTHON_FRAME_SHAPES = `
${PROBE}.depth()
def _d1():
    ${PROBE}.depth()
def _d2():
    _d1()
_d2()
`;

/**
 * The function that appears once more on the stack for each Python frame and
 * is the innermost such: the bytecode interpreter, which called the probe.
 */
function bytecodeFunctionOf(stacks: WasmStack[]): number {
  const count = (stack: WasmStack): Map<number, number> => {
    const m = new Map<number, number>();
    for (const f of stack.functions) m.set(f, (m.get(f) ?? 0) + 1);
    return m;
  };
  if (stacks.length !== 2) throw new Error("VM heap: Python-frame calibration did not run");
  const [shallow, deep] = stacks.map(count);
  const perFrame = [...deep.keys()].filter((f) => deep.get(f)! - (shallow.get(f) ?? 0) === 2);
  const innermost = stacks[1].functions.find((f) => perFrame.includes(f));
  if (innermost === undefined) throw new Error("VM heap: cannot find the bytecode interpreter on the stack; this MicroPython build is not supported");
  return innermost;
}

/** gc.collect() twice, twice each for bytes(n), bytes * n, str * n, bytes + bytes and str + str, once in all(), any(), enumerate(); two threshold calls. */
export const EXPECTED_COLLECT_SHAPES = 2 + 2 * 5 + 3 + 2;
