// Real collections inside one long runPython, on the real MicroPython VM:
// what is live survives them, garbage is reclaimed, and where a C function
// could hold an object only in a local the collection is not run.

import { afterEach, describe, expect, it } from "vitest";
import { HeapVm, type HeapVmReply } from "./heap-vm.ts";

const ESP8266 = 36_000;
let vm: HeapVm | undefined;

afterEach(async () => {
  await vm?.close();
  vm = undefined;
});

async function start(budget = ESP8266): Promise<HeapVm> {
  vm = await HeapVm.start({ budget });
  return vm;
}

/**
 * Python that overwrites freed memory: short-lived bytes with a fill pattern,
 * 300 B each. The host collects at a blocking point once 1/16 of the budget
 * (2,250 B here) was allocated since the last collection: churn(8) is enough.
 */
const CHURN = `
def churn(n=40):
    for i in range(n):
        junk = bytes([i & 0xFF]) * 300
`;

describe("collections inside a long runPython", () => {
  it("gc.collect() frees garbage in the same call", async () => {
    const vm = await start();
    const r = await vm.ok(`
import gc
x = [bytes(200) for i in range(60)]
x = None
before = gc.mem_free()
gc.collect()
print(before, gc.mem_free())
`);
    const [before, after] = r.out[0].split(" ").map(Number);
    expect(after - before).toBeGreaterThan(60 * 200);
    expect(r.stats.collections).toBeGreaterThanOrEqual(1);
  });

  it("an allocation that finds no room collects, then succeeds", async () => {
    const vm = await start();
    const r = await vm.ok(`
import gc
for i in range(50):
    b = bytes(15000)
print("ok", len(b))
`);
    expect(r.out).toEqual(["ok 15000"]);
    expect(r.stats.collections + r.stats.partial).toBeGreaterThanOrEqual(20);
  });

  it("reclaims garbage: 100 KB per iteration for 1,000 iterations on a 36 KB budget, VM memory flat", async () => {
    const vm = await start();
    const r = await vm.ok(`
import host
for i in range(1000):
    for j in range(50):
        s = b"x" * 1000
        t = "y" * 1000
    if i % 100 == 0:
        host.block()
print("done", i)
`);
    expect(r.out).toEqual(["done 999"]);
    expect(r.stats.collections + r.stats.partial).toBeGreaterThan(1000);
    expect(r.wasmBytes).toBe(vm.boot.wasmBytes);
    expect(r.rss - vm.boot.rss).toBeLessThan(64 * 1024 * 1024);
  });

  it("live data survives collections at blocking points: lists, dicts, closures, frame locals, JS-held objects", async () => {
    const vm = await start();
    const r = await vm.ok(`
import host
${CHURN}
def make_closure(tag):
    data = [tag * k for k in range(20)]
    def get():
        return sum(data)
    return get

host.hold({"js": [bytes([7]) * 500, "held only by JavaScript"]})
g_list = [bytes([i]) * 64 for i in range(40)]
g_dict = {"k%d" % i: ("v%d" % i) * 10 for i in range(40)}
g_closure = make_closure(3)

def check_globals():
    assert all(g_list[i] == bytes([i]) * 64 for i in range(40)), "list"
    assert all(g_dict["k%d" % i] == ("v%d" % i) * 10 for i in range(40)), "dict"
    assert g_closure() == sum(3 * k for k in range(20)), "closure"
    h = host.held(0)
    assert h["js"][0] == bytes([7]) * 500 and h["js"][1] == "held only by JavaScript", "js-held"

def level3(buf):
    mine = bytearray(b"L3" * 100)
    for round in range(5):
        churn()
        host.block()
        churn()
        check_globals()
    assert mine == bytearray(b"L3" * 100) and buf == b"L2" * 150
    return len(mine)

def level2(buf):
    local2 = b"L2" * 150
    d = {"n": buf, "t": (buf, local2)}
    n = level3(local2)
    assert d["n"] == b"L1" * 200 and d["t"][1] == local2 == b"L2" * 150
    return n

def level1():
    local1 = b"L1" * 200
    return level2(local1) + len(local1)

for i in range(20):
    assert level1() == 600
check_globals()
print("intact")
`);
    expect(r.out).toEqual(["intact"]);
    expect(r.stats.collections + r.stats.partial).toBeGreaterThanOrEqual(100);
  });

  it("firmware run as the VM board runs it, exec(compile(...)) with its own globals, gets full collections", async () => {
    const vm = await start();
    const r = await vm.ok(`
import gc, host, json
gc.threshold(-1)
src = """
import host
${CHURN.trim().split("\n").join("\n")}
keep = [bytes([i]) * 50 for i in range(20)]
for i in range(12):
    churn(8); host.block()
assert keep == [bytes([i]) * 50 for i in range(20)]
"""
before = json.loads(host.stats())
exec(compile(src, "main.py", "exec"), {"__name__": "__main__"})
after = json.loads(host.stats())
print(after["collections"] - before["collections"], after["partial"] - before["partial"])
`);
    expect(r.out).toEqual(["12 0"]);
  });

  it("generators resumed by for, next(), send() and yield from keep their data, in full collections", async () => {
    const vm = await start();
    const r = await vm.ok(`
import host, json
${CHURN}
full_blocks = 0
partial_blocks = 0
def block():
    # a blocking point: count the kind of collection it ran, if any
    global full_blocks, partial_blocks
    before = json.loads(host.stats())
    host.block()
    after = json.loads(host.stats())
    full_blocks += after["collections"] - before["collections"]
    partial_blocks += after["partial"] - before["partial"]
def gen():
    state = [b"g" * 100]
    for i in range(10):
        churn()
        block()
        state.append(bytes([i]) * 50)
        yield state
for s in gen():
    assert s[0] == b"g" * 100 and s[-1] == bytes([len(s) - 2]) * 50
def outer():
    got = yield from gen()
    return got
g = outer()
s = next(g)
while True:
    assert s[0] == b"g" * 100 and s[-1] == bytes([len(s) - 2]) * 50
    try:
        s = g.send(None)
    except StopIteration:
        break
print("gen ok", full_blocks, partial_blocks)
`);
    // 10 blocking points in each of two passes, each after 12 KB of churn: most collect (unless the
    // allocation threshold just did), and none of them partially.
    const [, , full, partial] = r.out[0].split(" ");
    expect(r.out[0]).toMatch(/^gen ok \d+ 0$/);
    expect(Number(full)).toBeGreaterThanOrEqual(15);
    expect(partial).toBe("0");
    expect(r.stats.collections + r.stats.partial).toBeGreaterThanOrEqual(10);
  });
});

interface UnsafeCase {
  name: string;
  code: string;
}

/** Blocking calls made from inside a C function that holds a new object only in a C local. */
const UNSAFE: UnsafeCase[] = [
  {
    name: "sorted(key=...)",
    code: `
def key(x):
    # quicksort calls key about 50 times here, and what it allocates stays until sorted() returns
    churn(1); gc.collect(); host.block()
    return -x
r = sorted([bytes([i]) * 40 for i in range(12)], key=lambda b: key(b[0]))
assert [b[0] for b in r] == list(range(11, -1, -1)), r
`,
  },
  {
    name: "list(generator)",
    code: `
def gen():
    # what the generator allocates stays until list() returns: 6 x 2.4 KB here
    for i in range(6):
        churn(8); host.block()
        yield bytes([i]) * 40
r = list(gen())
assert r == [bytes([i]) * 40 for i in range(6)], r
`,
  },
  {
    name: "__str__ called by print and % formatting",
    code: `
class Loud:
    def __init__(self, i):
        self.i = i
    def __str__(self):
        churn(8); host.block()
        return "<%d>" % self.i
print("a" * 50, Loud(1), "b" * 50, Loud(2))
s = "%s-%s-%s" % ("x" * 60, Loud(3), Loud(4))
assert s == "x" * 60 + "-<3>-<4>", s
`,
  },
  {
    name: "f(*args) and a class whose __init__ blocks",
    code: `
def f(*args):
    churn(8); host.block()
    return sum(len(a) for a in args)
args = [bytes(30) for i in range(6)]
assert f(*args) == 180
class Slow:
    def __init__(self, a, b):
        churn(8); host.block()
        self.v = a + b
objs = [Slow(bytes([i]) * 20, b"z" * 20) for i in range(8)]
assert all(o.v == bytes([i]) * 20 + b"z" * 20 for i, o in enumerate(objs))
`,
  },
  {
    name: "map() consumed by tuple()",
    code: `
def twice(b):
    churn(8); host.block()
    return b + b
r = tuple(map(twice, [bytes([i]) * 30 for i in range(10)]))
assert r == tuple(bytes([i]) * 60 for i in range(10))
`,
  },
];

describe("blocking calls from inside C functions", () => {
  for (const c of UNSAFE) {
    it(`${c.name}: only a partial collection runs, nothing is corrupted, garbage is still reclaimed`, async () => {
      const vm = await start();
      const r: HeapVmReply = await vm.ok(`import gc, host\n${CHURN}\n${c.code}\nprint("intact")`);
      expect(r.out.at(-1)).toBe("intact");
      expect(r.stats.partial).toBeGreaterThan(0);
      // The next collection from plain code is a full one again.
      const after = await vm.ok("import gc\ngc.collect()");
      expect(after.stats.collections).toBeGreaterThan(r.stats.collections);
      expect(after.figures.free).toBeGreaterThan(ESP8266 / 2);
    });
  }

  it("the same blocking calls from plain Python code are full collections", async () => {
    const vm = await start();
    // Without the allocation threshold, every collection in the loop is one at a blocking point.
    const r = await vm.ok(`import gc, host, json
gc.threshold(-1)
${CHURN}
before = json.loads(host.stats())
for i in range(12):
    churn(8); host.block()
after = json.loads(host.stats())
print(after["collections"] - before["collections"], after["partial"] - before["partial"])`);
    expect(r.out).toEqual(["12 0"]);
  });

  it("allocations failing inside C functions (list and dict literals, formatting, sorted) keep working on a full heap", async () => {
    const vm = await start();
    const r = await vm.ok(`
keep = []
for i in range(3000):
    pair = [i, str(i)]
    d = {"i": i, "s": "%05d" % i}
    t = sorted([i % 7, i % 5, i % 3], key=lambda v: -v)
    if i % 100 == 0:
        keep.append((pair, d, t))
for j, (pair, d, t) in enumerate(keep):
    i = j * 100
    assert pair == [i, str(i)] and d == {"i": i, "s": "%05d" % i} and t == sorted([i % 7, i % 5, i % 3], reverse=True), j
print("intact", len(keep))
`);
    expect(r.out).toEqual(["intact 30"]);
    expect(r.stats.collections + r.stats.partial).toBeGreaterThan(10);
  });

  // Code called back from C (a sort key, __str__, a generator list() consumes) allocates up to 100 B a call here: what it
  // allocates is kept until that C function returns, so much more can end in MemoryError (docs/architecture.md, "VM heap").
  it("a mixed workload on a full heap (exceptions, formatting, containers, closures, generators, callbacks from C) keeps every live object intact", async () => {
    const vm = await start();
    const r = await vm.ok(`
import host
seed = 12345
def rnd(n):
    global seed
    seed = (seed * 1103515245 + 12345) & 0x7FFFFFFF
    return seed % n

class Node:
    def __init__(self, k):
        self.k = k
        self.data = ("n%d" % k).encode() * (1 + k % 5)
    def ok(self):
        return self.data == ("n%d" % self.k).encode() * (1 + self.k % 5)
    def __str__(self):
        return "<%s %s>" % (self.k, "y" * rnd(100))

live = {}
def gen(k):
    for j in range(3):
        yield Node(k * 10 + j)

for step in range(20000):
    op = rnd(11)
    k = rnd(60)
    if op == 0:
        live[k] = Node(k)
    elif op == 1:
        live.pop(k, None)
    elif op == 2:
        try:
            raise OSError(k, "e%d" % k)
        except OSError as e:
            assert e.args[0] == k
    elif op == 3:
        live[k] = [n for n in gen(k)]
    elif op == 4:
        s = "{}-{}-{}".format(k, "x" * rnd(200), k)
        assert s.startswith("%d-" % k) and s.endswith("-%d" % k)
    elif op == 5:
        f = (lambda v: (lambda: v * 2))(k)
        assert f() == 2 * k
    elif op == 6:
        junk = [bytes(rnd(400)) for i in range(rnd(8))]
    elif op == 7:
        ns = sorted([Node(k + i) for i in range(4)], key=lambda n: n.data + b"z" * rnd(100))
        assert all(n.ok() for n in ns)
    elif op == 8:
        t = "%s|%s" % (Node(k), Node(k + 1))
        assert t.startswith("<%d " % k)
    elif op == 9:
        got = list(n for n in gen(k) if n.ok())
        assert len(got) == 3
    else:
        host.block()
    if step % 500 == 0:
        for v in live.values():
            assert (v.ok() if isinstance(v, Node) else all(n.ok() for n in v))
for v in live.values():
    assert (v.ok() if isinstance(v, Node) else all(n.ok() for n in v))
print("intact", len(live))
`);
    expect(r.out[0]).toMatch(/^intact \d+$/);
    expect(r.stats.collections).toBeGreaterThan(20);
    expect(r.stats.partial).toBeGreaterThan(20);
  });
});
