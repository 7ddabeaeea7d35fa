// A real MicroPython VM (the pinned WebAssembly port) in a worker thread,
// driving an emulated board on the virtual clock.
import { describe, expect, it } from "vitest";
import { Board } from "../../src/emulator/board/board.ts";
import { createStreamPair } from "../../src/emulator/network/stream-pair.ts";
import { Trace } from "../../src/emulator/trace.ts";
import { VirtualClock } from "../../src/emulator/clock/virtual-clock.ts";
import { VmHost, VmSyntaxError, type VmEnd } from "../../src/micropython/host/vm-host.ts";

function boardOn(clock: VirtualClock, trace: Trace, name = "board1") {
  return new Board({ definition: "esp8266", clock, trace, name, dial: () => createStreamPair()[0] });
}

/** Runs `main` on a fresh board until the firmware ends (or the clock runs out of work), bounded by `untilMs` virtual. */
async function runPython(main: string, setup?: (board: Board, clock: VirtualClock) => void, untilMs = 60_000) {
  const clock = new VirtualClock();
  const trace = new Trace();
  const board = boardOn(clock, trace);
  let end: VmEnd | undefined;
  const vm = await VmHost.create({ board, files: { "main.py": main }, onEnd: (e) => (end = e) });
  setup?.(board, clock);
  vm.start();
  await clock.runUntil(untilMs);
  await vm.stop();
  return { trace, board, end, clock, vm };
}

describe("MicroPython VM on an emulated board", () => {
  it("blinks an LED with sleep_ms on the virtual clock", async () => {
    const { trace, end } = await runPython(
      [
        "from machine import Pin",
        "import time",
        "led = Pin(2, Pin.OUT, value=1)",
        "for i in range(3):",
        "    led.value(0)",
        "    time.sleep_ms(500)",
        "    led.value(1)",
        "    time.sleep_ms(500)",
        "print('done %d' % i)",
      ].join("\n"),
    );
    expect(end).toEqual({ how: "exit" });
    const led = trace.of("pin").filter((e) => e.role === "led").map((e) => [Math.round(e.t), e.value]);
    expect(led).toEqual([
      [0, 0],
      [500, 1],
      [1000, 0],
      [1500, 1],
      [2000, 0],
      [2500, 1],
    ]);
    expect(trace.of("print").map((e) => e.text)).toEqual(["done 2"]);
  });
});

describe("MicroPython VM: polling, errors, resets", () => {
  it("sees a button press while polling a pin without sleeping (each call costs virtual time)", async () => {
    const { trace, end } = await runPython(
      [
        "import machine, time",
        "button = machine.Pin(0, machine.Pin.IN, machine.Pin.PULL_UP)",
        "t0 = time.ticks_ms()",
        "while button.value() == 1:",
        "    pass",
        "print('pressed after', time.ticks_diff(time.ticks_ms(), t0) // 100, 'x 100 ms')",
      ].join("\n"),
      (board, clock) => void clock.setTimer(300, () => board.pressButton("button")),
    );
    expect(end).toEqual({ how: "exit" });
    expect(trace.of("print").map((e) => e.text)).toEqual(["pressed after 3 x 100 ms"]);
  });

  it("prints MicroPython's traceback on the serial output and ends as a crash", async () => {
    const { trace, end } = await runPython(["import time", "def f(x):", "    time.sleep_ms(5)", "    raise ValueError('bad %d' % x)", "f(7)"].join("\n"));
    expect(end).toEqual({ how: "crash", detail: "ValueError: bad 7" });
    expect(trace.of("print").map((e) => e.text)).toEqual([
      "Traceback (most recent call last):",
      '  File "main.py", line 5, in <module>',
      '  File "main.py", line 4, in f',
      "ValueError: bad 7",
    ]);
  });

  it("finds a SyntaxError when the VM starts, before the run (file:line)", async () => {
    const clock = new VirtualClock();
    const board = boardOn(clock, new Trace());
    await expect(VmHost.create({ board, files: { "main.py": "x = 1\nif x\n    pass\n" } })).rejects.toThrow(new VmSyntaxError("main.py:2: SyntaxError: invalid syntax"));
  });

  it("soft_reset reboots the VM: boot.py runs again with fresh globals", async () => {
    const clock = new VirtualClock();
    const trace = new Trace();
    const board = boardOn(clock, trace);
    const files = {
      "boot.py": "import time\nprint('boot at', time.ticks_ms() // 1000)\n",
      "main.py": "import machine, time\ntry:\n    runs += 1\nexcept NameError:\n    runs = 1\nprint('main run', runs)\ntime.sleep(1)\nif time.ticks_ms() < 1500:\n    machine.soft_reset()\n",
    };
    let end: VmEnd | undefined;
    const vm = await VmHost.create({ board, files, onEnd: (e) => (end = e) });
    vm.start();
    await clock.runUntil(10_000);
    await vm.stop();
    expect(end).toEqual({ how: "exit" });
    expect(trace.of("print").map((e) => e.text)).toEqual(["boot at 0", "main run 1", "MPY: soft reboot", "boot at 1", "main run 1"]);
    expect(trace.of("board").map((e) => e.event + (e.detail ? ` ${e.detail}` : ""))).toEqual(["boot soft reset"]);
  });

  it("stops a runaway loop (no bridged call) and names the board and file", async () => {
    const clock = new VirtualClock();
    const board = boardOn(clock, new Trace());
    let end: VmEnd | undefined;
    const vm = await VmHost.create({ board, files: { "main.py": "x = 0\nwhile True:\n    x += 1\n" }, runawayMs: 300, onEnd: (e) => (end = e) });
    vm.start();
    const outcome = await clock.runUntil(10_000);
    await vm.stop();
    expect(outcome).toBe("idle");
    expect(end?.how).toBe("runaway");
    expect((end as { detail: string }).detail).toMatch(/^board board1: main\.py ran [\d.]+s of wall time without sleeping or doing I\/O/);
  });
});

describe("MicroPython VM: umqtt over a socket object the firmware supplies, and pin IRQs", () => {
  it("drives a Python object put in client.sock (a common way to unit-test umqtt code)", async () => {
    const { trace, end } = await runPython(
      [
        "from umqtt.simple import MQTTClient",
        "class FakeSock:",
        "    def __init__(self, incoming):",
        "        self.incoming = incoming",
        "        self.sent = b''",
        "        self.calls = []",
        "    def read(self, n):",
        "        out, self.incoming = self.incoming[:n], self.incoming[n:]",
        "        return out",
        "    def write(self, buf):",
        "        self.sent += bytes(buf)",
        "        return len(buf)",
        "    def setblocking(self, flag):",
        "        self.calls.append(('setblocking', flag))",
        "    def close(self):",
        "        self.calls.append('close')",
        "got = []",
        "c = MQTTClient('id', 'server')",
        // A QoS 1 PUBLISH to "t" with packet id 5 and payload "hi".
        "c.sock = FakeSock(b'\\x32\\x07\\x00\\x01t\\x00\\x05hi')",
        "c.set_callback(lambda t, m: got.append((t, m)))",
        "print(c.wait_msg() == 0x32, got)",
        "print(c.sock.sent)",
        "c.publish(b'out', b'x')",
        "print(c.sock.sent)",
        "c.disconnect()",
        "print(c.sock.calls)",
      ].join("\n"),
    );
    expect(end).toEqual({ how: "exit" });
    expect(trace.of("print").map((e) => e.text)).toEqual([
      "True [(b't', b'hi')]",
      // The PUBACK for packet 5, written after the callback returned.
      "b'@\\x02\\x00\\x05'",
      "b'@\\x02\\x00\\x050\\x06\\x00\\x03outx'",
      "[('setblocking', True), 'close']",
    ]);
  });

  it("runs a Pin IRQ handler in the VM when the bench presses a button while the firmware sleeps", async () => {
    const { trace, end } = await runPython(
      [
        "from machine import Pin",
        "import time",
        "presses = []",
        "def on_press(pin):",
        "    presses.append(time.ticks_ms())",
        "button = Pin(0, Pin.IN, Pin.PULL_UP)",
        "button.irq(trigger=Pin.IRQ_FALLING, handler=on_press)",
        "time.sleep(2)",
        "print(len(presses), [t // 100 for t in presses], button.value())",
      ].join("\n"),
      (board, clock) => {
        clock.setTimer(500, () => board.pressButton("button"));
        clock.setTimer(700, () => board.releaseButton("button"));
        clock.setTimer(1200, () => board.pressButton("button"));
      },
    );
    expect(end).toEqual({ how: "exit" });
    expect(trace.of("print").map((e) => e.text)).toEqual(["2 [5, 12] 0"]);
  });
});

describe("MicroPython VM: machine, time and gc as firmware uses them", () => {
  it("Pin in every constructor form, value/on/off/toggle/init/call, unique_id, freq, ticks wrap-around, gc figures", async () => {
    const { trace, end } = await runPython(
      [
        "import machine, time, gc, ubinascii, binascii",
        "from machine import Pin",
        "a = Pin(4, Pin.OUT)",
        "b = Pin(5, mode=Pin.OUT, value=1)",
        "c = Pin(12, Pin.IN, Pin.PULL_UP)",
        "d = Pin(13, Pin.IN, pull=Pin.PULL_DOWN)",
        "print(a.value(), b.value(), c.value(), d(), repr(b))",
        "a.on(); b.off(); a.toggle(); b.toggle()",
        "print(a.value(), b.value())",
        "c.init(mode=Pin.OUT, value=0)",
        "c(1)",
        "print(c.value())",
        "try:",
        "    Pin(99)",
        "except ValueError as e:",
        "    print('ValueError', e)",
        "uid = machine.unique_id()",
        "print(type(uid).__name__, len(uid), ubinascii.hexlify(uid) == binascii.hexlify(uid), machine.freq() > 0)",
        "print(time.ticks_add(time.ticks_ms(), -1) == (1 << 30) - 1 + time.ticks_ms(), time.ticks_diff(5, (1 << 30) - 5))",
        "print(0 < gc.mem_free() <= 36000, gc.mem_alloc() > 0)",
      ].join("\n"),
    );
    expect(end).toEqual({ how: "exit" });
    expect(trace.of("print").map((e) => e.text)).toEqual([
      "0 1 1 0 Pin(5)",
      "0 1",
      "1",
      "ValueError invalid pin 99",
      "bytes 4 True True",
      "True 10",
      "True True",
    ]);
  });
});
