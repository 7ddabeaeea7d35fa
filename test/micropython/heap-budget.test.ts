// The VM heap is the board's budget: gc.mem_free() after boot, MemoryError
// beyond it with no growth, the largest payload a publishing firmware can
// build, and fragmentation lowering that limit. Real MicroPython VM.

import { readFileSync, readdirSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { HeapVm } from "./heap-vm.ts";

const BOARDS_DIR = new URL("../../boards/", import.meta.url);
const boards = readdirSync(BOARDS_DIR)
  .filter((f) => f.endsWith(".json"))
  .map((f) => JSON.parse(readFileSync(new URL(f, BOARDS_DIR), "utf8")) as { id: string; heap: { budget: number } });

/**
 * Measured on genuine MicroPython (32-bit unix port, umqtt.simple 1.8.0
 * frozen) with 36,000 B free after boot: the largest bytes(N) a firmware
 * could build and publish. The other boards keep the same overhead.
 */
const DEVICE_LARGEST_PUBLISH = 33_839;
const DEVICE_FREE_AFTER_BOOT = 36_000;

let vm: HeapVm | undefined;
afterEach(async () => {
  await vm?.close();
  vm = undefined;
});

/**
 * An MQTT client in the shape of umqtt.simple's, over a socket the host backs.
 * Loaded as the host's glue, before the budget is installed, as a device has
 * umqtt frozen in flash. The socket hands the host only a length: a Python
 * object passed to JavaScript stays referenced from the VM's proxy table
 * until JavaScript's own collector finalizes it.
 */
const CLIENT_GLUE = `
import host

class Sock:
    def write(self, buf, n=None):
        return host.write(None, len(buf) if n is None else n)
    def close(self):
        pass

class Client:
    def __init__(self, client_id, server, port=1883, user=None, password=None, keepalive=0):
        self.client_id = client_id
        self.sock = None
        self.server = server
        self.port = port
        self.pid = 0
        self.cb = None
        self.user = user
        self.pswd = password
        self.keepalive = keepalive
        self.lw_topic = None
        self.lw_msg = None
        self.lw_qos = 0
        self.lw_retain = False

    def _send_str(self, s):
        self.sock.write(len(s).to_bytes(2, "big"))
        self.sock.write(s)

    def connect(self):
        self.sock = Sock()
        head = bytearray(b"\\x10\\0\\0\\0\\0\\0")
        var = bytearray(b"\\0\\x04MQTT\\x04\\x02\\0\\0")
        var[8] = self.keepalive >> 8
        var[9] = self.keepalive & 0xFF
        n = 10 + 2 + len(self.client_id)
        i = 1
        while n > 0x7F:
            head[i] = (n & 0x7F) | 0x80
            n >>= 7
            i += 1
        head[i] = n
        self.sock.write(head, i + 1)
        self.sock.write(var)
        self._send_str(self.client_id)

    def publish(self, topic, msg, retain=False, qos=0):
        head = bytearray(b"\\x30\\0\\0\\0")
        head[0] |= qos << 1 | retain
        n = 2 + len(topic) + len(msg)
        i = 1
        while n > 0x7F:
            head[i] = (n & 0x7F) | 0x80
            n >>= 7
            i += 1
        head[i] = n
        self.sock.write(head, i + 1)
        self._send_str(topic)
        self.sock.write(msg)
`;

/** The firmware: connect, then find the largest payload it can build and publish. */
const PUBLISHER = `
import gc
client = Client(b"a4cf12e7", "192.168.1.10")
client.connect()

def fits(n):
    gc.collect()
    try:
        msg = bytes(n)
        client.publish(b"bench/payload", msg)
        return True
    except MemoryError:
        return False

def largest(limit):
    lo, hi = 0, limit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(mid):
            lo = mid
        else:
            hi = mid - 1
    return lo
`;

describe("the heap is the board's budget", () => {
  for (const board of boards) {
    it(`${board.id}: free after boot is the board's ${board.heap.budget} B, gc's free is the host's, and used + free is the budget`, async () => {
      vm = await HeapVm.start({ budget: board.heap.budget });
      expect(Math.abs(vm.boot.figures.free - board.heap.budget)).toBeLessThanOrEqual(32);
      expect(vm.boot.figures.largestFree).toBe(vm.boot.figures.free);
      const r = await vm.ok("import gc, host\nf = host.figures\na, b, c = gc.mem_free(), gc.mem_alloc(), f()\nprint(a, b, c)");
      const [free, alloc, figures] = [Number(r.out[0].split(" ")[0]), Number(r.out[0].split(" ")[1]), JSON.parse(r.out[0].split(" ").slice(2).join(" "))];
      expect(free).toBe(figures.free);
      expect(Math.abs(figures.used + figures.free - board.heap.budget)).toBeLessThanOrEqual(32);
      // The VM's own count includes the start-up objects, which are not the board's.
      expect(alloc).toBeGreaterThan(figures.used);
    });
  }

  it("esp8266: bytes(40000) raises MemoryError after a real collection, and the VM's memory does not grow", async () => {
    vm = await HeapVm.start({ budget: 36_000 });
    const r = await vm.ok(`
junk = [bytes(300) for i in range(60)]
junk = None
try:
    b = bytes(40000)
    print("allocated")
except MemoryError:
    print("MemoryError")
b = bytes(30000)
print(len(b))
`);
    expect(r.out).toEqual(["MemoryError", "30000"]);
    expect(r.stats.collections).toBeGreaterThanOrEqual(1);
    expect(r.wasmBytes).toBe(vm.boot.wasmBytes);
  });

  for (const board of boards) {
    const expected = board.heap.budget - (DEVICE_FREE_AFTER_BOOT - DEVICE_LARGEST_PUBLISH);
    it(`${board.id}: the largest payload a firmware builds and publishes is within 3% of the device's ${expected} B`, async () => {
      vm = await HeapVm.start({ budget: board.heap.budget, glue: CLIENT_GLUE });
      const r = await vm.ok(`${PUBLISHER}\nprint(largest(${board.heap.budget + 4096}))`);
      const largest = Number(r.out.at(-1));
      expect(Math.abs(largest - expected) / expected).toBeLessThanOrEqual(0.03);
    });
  }

  it("fragmentation lowers the limit: kept objects between freed ones shrink the largest block", async () => {
    vm = await HeapVm.start({ budget: 36_000 });
    const r = await vm.ok(`
import gc, host, json
def largest_bytes():
    gc.collect()
    lo, hi = 0, 40000
    while lo < hi:
        mid = (lo + hi + 1) // 2
        try:
            b = bytes(mid)
            b = None
            lo = mid
        except MemoryError:
            hi = mid - 1
    return lo
before = largest_bytes()
free_before = gc.mem_free()
mixed = [bytes(i % 7 * 100 + 50) for i in range(60)]
keep = mixed[::6]
mixed = None
after = largest_bytes()
gc.collect()
print(before, after, free_before, gc.mem_free(), json.loads(host.figures())["largestFree"])
`);
    const [before, after, freeBefore, freeAfter, largestFree] = r.out[0].split(" ").map(Number);
    // The kept objects take a few KB; the largest block loses several times that.
    expect(before - after).toBeGreaterThan(3 * (freeBefore - freeAfter));
    expect(largestFree).toBeLessThan(freeAfter / 2);
  });
});
