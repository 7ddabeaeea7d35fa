// gc.collect() called by firmware on a real VM board frees what it dropped,
// wherever the call is: module top level of main.py, a function, a loop body,
// after an import. The device (genuine MicroPython, esp8266 budget 36,000 B)
// ends each of these near its whole budget free.

import { mkdtempSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { prints, runScenario } from "../runner/run-scenario.ts";

const ESP8266_BUDGET = 36_000;

/** Runs `main` as a folder firmware's main.py on esp8266 (after `steps`) and returns the numbers it printed on lines starting "free". */
async function freeAfter(main: string, lib: Record<string, string> = {}, steps = ""): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), "umqtt-bench-gc-"));
  mkdirSync(join(dir, "fw", "lib"), { recursive: true });
  writeFileSync(join(dir, "fw", "main.py"), `${main}\nprint("done")\n`);
  for (const [name, code] of Object.entries(lib)) writeFileSync(join(dir, "fw", "lib", name), code);
  const yaml = `
name: toplevel-gc
timeout: 1m
boards:
  - { name: b1, board: esp8266, firmware: ${join(dir, "fw")}, net: ideal }
steps:
${steps}  - wait-serial: { board: b1, text: "done", timeout: 30s }
`;
  const { events } = await runScenario(yaml);
  const lines = prints(events, "b1");
  return lines.filter((l) => l.startsWith("free ")).flatMap((l) => l.split(" ").slice(1).map(Number));
}

/** Within 1.5 KB of the budget: what the dropped 20,000 B object was freed to. */
const NEARLY_ALL = ESP8266_BUDGET - 1_500;

describe("gc.collect() in firmware frees what was dropped (esp8266, real VM board)", () => {
  it("at the top level of main.py", async () => {
    const free = await freeAfter(`import gc
p = bytes(20000)
p = None
gc.collect()
print("free", gc.mem_free())`);
    expect(free).toHaveLength(1);
    expect(free[0]).toBeGreaterThan(NEARLY_ALL);
  });

  it("inside a function", async () => {
    const free = await freeAfter(`import gc
def main():
    p = bytes(20000)
    p = None
    gc.collect()
    print("free", gc.mem_free())
main()`);
    expect(free[0]).toBeGreaterThan(NEARLY_ALL);
  });

  it("in a loop body, every iteration", async () => {
    const free = await freeAfter(`import gc
for i in range(3):
    p = bytes(20000)
    p = None
    gc.collect()
    print("free", gc.mem_free())`);
    expect(free).toHaveLength(3);
    for (const f of free) expect(f).toBeGreaterThan(NEARLY_ALL);
  });

  it("after an import", async () => {
    const free = await freeAfter(
      `import gc
import helper
p = bytes(20000)
p = None
gc.collect()
print("free", gc.mem_free())`,
      { "helper.py": "VALUE = 1\n" },
    );
    expect(free[0]).toBeGreaterThan(NEARLY_ALL);
  });
});

describe("main.py's text is not kept while it runs (esp8266, real VM board)", () => {
  it("free heap at the top of main.py does not shrink with the file's size (a 10 KB comment)", async () => {
    const main = `import gc
gc.collect()
print("free", gc.mem_free())`;
    const [short] = await freeAfter(main);
    const [long] = await freeAfter(`${"#".repeat(99)}\n`.repeat(100) + main);
    // A device keeps the bytecode, not the text: the comment costs nothing.
    expect(Math.abs(short - long)).toBeLessThanOrEqual(64);
  });
});

describe("built-in modules take no heap when firmware imports them (esp8266, real VM board)", () => {
  // The glue modules machine, socket and usocket load at boot with umqtt (src/micropython/worker/worker.ts),
  // before the budget; imported on first use they took 8,832 B of an esp8266's heap.
  it("import machine, socket, usocket costs no more than their names in the globals", async () => {
    const free = await freeAfter(`import gc
gc.collect()
print("free", gc.mem_free())
import machine, socket, usocket
gc.collect()
print("free", gc.mem_free())`);
    expect(free).toHaveLength(2);
    // A device's machine and socket are built into its firmware: importing them binds a name, 16 B a global or so.
    expect(free[0] - free[1]).toBeLessThanOrEqual(64);
  });

  it("import network costs no more than its name, and WLAN reads the port's constants", async () => {
    const free = await freeAfter(`import gc
gc.collect()
print("free", gc.mem_free())
import network
gc.collect()
print("free", gc.mem_free(), network.STAT_GOT_IP)`);
    expect(free).toHaveLength(3);
    expect(free[0] - free[1]).toBeLessThanOrEqual(64);
    // The ESP8266 SDK's station status for "got an address".
    expect(free[2]).toBe(5);
  });

  it("a machine.py the firmware carries is the one imported", async () => {
    const free = await freeAfter(`import machine
print("free", machine.OWN)`, { "machine.py": "OWN = 7\n" });
    expect(free).toEqual([7]);
  });
});

// What a full collection must not free: objects held only by the locals of
// running frames, by a Timer callback's frame (the host invokes it from inside
// a bridged call), and by the arguments of an in-flight bridged call (the
// message umqtt hands the callback while wait_msg() is blocked). Each case
// collects, overwrites freed memory with garbage and checks its objects.
describe("the firmware's gc.collect() keeps what running code holds (esp8266, real VM board)", () => {
  const WORK = `import gc
def expected(tag):
    return [bytes([tag, i]) * 60 for i in range(20)], "t%d-" % tag * 40
def work(tag):
    keep, text = expected(tag)
    gc.collect()
    junk = [bytes([0xAA]) * 120 for i in range(60)]
    junk = None
    gc.collect()
    return (keep, text) == expected(tag)
`;

  it("locals of running frames, in main.py and in a Timer callback", async () => {
    const ok = await freeAfter(`${WORK}
import machine, time
results = []
def tick(t):
    results.append(work(1))
tm = machine.Timer(-1)
tm.init(period=100, mode=machine.Timer.PERIODIC, callback=tick)
for i in range(5):
    time.sleep_ms(100)
    results.append(work(2))
tm.deinit()
print("free", len(results), results.count(True))`);
    expect(ok[0]).toBeGreaterThanOrEqual(8);
    expect(ok[1]).toBe(ok[0]);
  });

  it("the message an umqtt callback receives while wait_msg() is blocked", async () => {
    const ok = await freeAfter(
      `${WORK}
from umqtt.simple import MQTTClient
def cb(topic, msg):
    print("free", int(work(3)), int(topic == b"gc/in" and msg == b"%s" % ("payload-" * 300)))
c = MQTTClient(b"gc", "broker.local")
c.set_callback(cb)
c.connect()
c.subscribe(b"gc/in")
print("subscribed")
c.wait_msg()`,
      {},
      `  - wait-serial: { board: b1, text: "subscribed", timeout: 10s }\n  - publish: { topic: gc/in, payload: "${"payload-".repeat(300)}" }\n`,
    );
    expect(ok).toEqual([1, 1]);
  });
});
