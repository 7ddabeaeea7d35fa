// The board-side instrumentation (src/bridge/py) on a real MicroPython VM:
// the emulated VM board of src/micropython, which has machine, socket and
// network as a board does. The files are laid out as the bench uploads them
// (/main.py the launcher, /umqtt_bench/...), the board's output goes through
// BoardOutput as a serial line's would.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Board } from "../../src/emulator/board/board.ts";
import { loadBoard } from "../../src/emulator/board/board-file.ts";
import { createStreamPair } from "../../src/emulator/network/stream-pair.ts";
import { Trace } from "../../src/emulator/trace.ts";
import { VirtualClock } from "../../src/emulator/clock/virtual-clock.ts";
import { VmHost, type VmEnd } from "../../src/micropython/host/vm-host.ts";
import { BoardOutput } from "../../src/bridge/target/board-output.ts";
import { LAUNCHER, type ShimConfig } from "../../src/bridge/target/instrumentation.ts";

const py = (name: string) => readFileSync(new URL(`../../src/bridge/py/${name}`, import.meta.url), "utf8");

async function runShimmed(firmware: string, config: Partial<ShimConfig> = {}) {
  const clock = new VirtualClock();
  const vmTrace = new Trace();
  const board = new Board({ definition: "esp8266", clock, trace: vmTrace, name: "board1", dial: () => createStreamPair()[0] });
  const cfg: ShimConfig = { host: "10.9.8.7", port: 41883, buttons: [{ pin: 0, released: 1 }], wifi: null, ...config };
  const files = {
    "main.py": LAUNCHER,
    "umqtt_bench/ubench_frame.py": py("ubench_frame.py"),
    "umqtt_bench/ubench_shim.py": py("ubench_shim.py"),
    "umqtt_bench/ubench_pin.py": py("ubench_pin.py"),
    "umqtt_bench/ubench_net.py": py("ubench_net.py"),
    "umqtt_bench/ubench_run.py": py("ubench_run.py"),
    "umqtt_bench/cfg.json": JSON.stringify(cfg),
    "umqtt_bench/fw/main.py": firmware,
  };
  let end: VmEnd | undefined;
  const vm = await VmHost.create({ board, files, onEnd: (e) => (end = e) });
  vm.start();
  await clock.runUntil(30_000);
  await vm.stop();
  // What the board printed, as a serial line would carry it, read back by the host side.
  const serial = vmTrace.of("print").map((e) => `${e.text}\r\n`).join("");
  const trace = new Trace();
  const output = new BoardOutput(clock, trace, "board1", loadBoard("esp8266"));
  output.push(new TextEncoder().encode(serial));
  output.flush();
  return { trace, output, end, vmTrace };
}

describe("the board shim on a MicroPython VM board", () => {
  it("reports pin writes in every form, reads the bench's button level, redirects getaddrinfo, and reports the end", async () => {
    const { trace, output, vmTrace } = await runShimmed(
      [
        "import machine",
        "from machine import Pin",
        "import socket",
        "led = Pin(2, Pin.OUT, value=1)",
        "led.value(0)",
        "led.on()",
        "led.off()",
        "led(1)",
        "led.toggle()",
        "b = Pin(0, Pin.IN, Pin.PULL_UP)",
        "print('released', b.value(), b())",
        "import ubench_shim",
        "ubench_shim._command('{\"pin\": 0, \"level\": 0}')",
        "print('pressed', b.value())",
        "print('is machine.Pin', machine.Pin is Pin, Pin.OUT == 1)",
        "a = socket.getaddrinfo('broker.local', 1883)[0][-1]",
        "print('resolved', a)",
      ].join("\n"),
    );
    const problems = vmTrace.of("board").filter((e) => e.event === "crash");
    expect(problems, JSON.stringify(vmTrace.of("print"))).toEqual([]);
    // As on the emulated board, a pin event is a change: the first write (1) is the dark LED's idle level.
    expect(trace.of("pin").map((e) => [e.pin, e.value, e.role])).toEqual([
      [2, 0, "led"],
      [2, 1, "led"],
      [2, 0, "led"],
      [2, 1, "led"],
      [2, 0, "led"],
    ]);
    expect(trace.of("pin").every((e) => typeof e.boardMs === "number")).toBe(true);
    const prints = trace.of("print").map((e) => e.text);
    expect(prints.slice(0, 3)).toEqual(["released 1 1", "pressed 0", "is machine.Pin True True"]);
    expect(prints[3]).toMatch(/^resolved /);
    expect(trace.of("board").map((e) => e.event)).toEqual(["boot", "exit"]);
    expect(trace.of("heap").map((e) => e.what)).toContain("boot");
    expect(trace.of("heap").map((e) => e.what)).toContain("connect");
    expect(output.freeAtBoot).toBeGreaterThan(0);
  });

  it("with Wi-Fi credentials from the bench, joins before the firmware starts; the firmware's own connect() joins again with them", async () => {
    const { trace, output, vmTrace } = await runShimmed(
      [
        "import network",
        "w = network.WLAN(network.STA_IF)",
        "print('joined', w.isconnected(), w.config('ssid'))",
        "w.connect('the-firmware-ssid', 'its-key')",
        "import time",
        "time.sleep(2)  # joining again takes a moment, as on a board",
        "print('again', w.isconnected(), w.config('ssid'))",
      ].join("\n"),
      { wifi: ["bench-net", "secret"] },
    );
    expect(vmTrace.of("board").filter((e) => e.event === "crash")).toEqual([]);
    expect(output.wifiJoined).toBe(true);
    expect(trace.of("print").map((e) => e.text)).toEqual(["joined True bench-net", "again True bench-net"]);
  });

  it("a button press from the bench calls the firmware's IRQ handler when its trigger matches", async () => {
    const { trace, vmTrace } = await runShimmed(
      [
        "from machine import Pin",
        "import time",
        "import ubench_shim",
        "b = Pin(0, Pin.IN)",
        "b.irq(lambda p: print('edge', p.value()), Pin.IRQ_FALLING)",
        "ubench_shim._command('{\"pin\": 0, \"level\": 0}')  # pressed: falling",
        "ubench_shim._command('{\"pin\": 0, \"level\": 1}')  # released: rising, not asked for",
        "time.sleep_ms(30)",
        "print('slept')",
      ].join("\n"),
    );
    expect(vmTrace.of("board").filter((e) => e.event === "crash")).toEqual([]);
    expect(trace.of("print").map((e) => e.text)).toEqual(["edge 0", "slept"]);
  });

  it("a Signal on a wrapped pin (as machine.Signal on a board with it): inverted writes and reads, reported as pin writes", async () => {
    const { trace, vmTrace } = await runShimmed(
      [
        "import machine",
        "import ubench_pin",
        "Signal = ubench_pin.signal(machine.Pin)  # the VM board has no machine.Signal: the shim's, as a board gets it",
        "led = Signal(machine.Pin(2, machine.Pin.OUT), invert=True)",
        "led.on()",
        "print('on', led.value(), led())",
        "led.off()",
        "other = Signal(4, machine.Pin.OUT)",
        "other.on()",
        "print('other', other.value())",
      ].join("\n"),
    );
    expect(vmTrace.of("board").filter((e) => e.event === "crash")).toEqual([]);
    expect(trace.of("print").map((e) => e.text)).toEqual(["on 1 1", "other 1"]);
    expect(trace.of("pin").map((e) => [e.pin, e.value])).toEqual([
      [2, 0],
      [2, 1],
      [4, 1],
    ]);
  });
});
