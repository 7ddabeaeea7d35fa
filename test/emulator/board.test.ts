import { describe, expect, it } from "vitest";
import { Board, boardUniqueId } from "../../src/emulator/board/board.ts";
import { createStreamPair } from "../../src/emulator/network/stream-pair.ts";
import { Trace } from "../../src/emulator/trace.ts";
import { VirtualClock } from "../../src/emulator/clock/virtual-clock.ts";
import { MemoryError } from "../../src/client/errors.ts";
import { ProfileError } from "../../src/emulator/network/net-profiles.ts";

function echoDial() {
  const [board, server] = createStreamPair();
  server.on("data", (d: Buffer) => server.write(d));
  return board;
}

describe("Board", () => {
  it("runs firmware that polls a button and toggles its LED, printing as it goes", async () => {
    const clock = new VirtualClock();
    const trace = new Trace();
    const board = new Board({ definition: "esp8266", clock, trace, name: "board1", dial: echoDial });
    const { Pin } = board.machine;
    const { time, print } = board;
    board.boot();
    const firmware = (async () => {
      const led = new Pin(2, Pin.OUT, null, 1);
      const button = new Pin(0, Pin.IN);
      let presses = 0;
      while (presses < 2) {
        if (button.value() === 0) {
          print("Button pressed");
          led.value(led.value() ? 0 : 1);
          presses++;
          await time.sleep_ms(200);
        }
        await time.sleep_ms(20);
      }
    })();
    clock.setTimer(1000, () => board.pressButton("button"));
    clock.setTimer(1100, () => board.releaseButton("button"));
    clock.setTimer(2000, () => board.pressButton("button"));
    clock.setTimer(2050, () => board.releaseButton("button"));
    await clock.run();
    await firmware;
    expect(trace.of("print").map((e) => [e.t, e.text])).toEqual([
      [1000, "Button pressed"],
      [2000, "Button pressed"],
    ]);
    expect(board.led("led")).toEqual({ name: "led", lit: false, level: 1 });
    const ledEvents = trace.of("pin").filter((e) => e.role === "led").map((e) => [e.t, e.value]);
    expect(ledEvents).toEqual([
      [1000, 0],
      [2000, 1],
    ]);
  });

  it("gives the umqtt client a network and a heap with the board's budget", async () => {
    const clock = new VirtualClock();
    const trace = new Trace();
    const board = new Board({ definition: "esp32", clock, trace, name: "b", dial: echoDial, profile: "ideal" });
    expect(board.heap.budget).toBe(111_000 - (111_000 % 16));
    expect(board.heap.mem_alloc()).toBeGreaterThan(1000); // firmware + frozen umqtt charged at boot
    const echoed = (async () => {
      const net = board.network;
      const sock = net.socket();
      await sock.connect(await net.getaddrinfo("broker", 1883));
      await sock.write(new TextEncoder().encode("hi"));
      return new TextDecoder().decode((await sock.read(2))!);
    })();
    await clock.runUntil(10_000);
    expect(await echoed).toBe("hi");
    expect(() => board.heap.alloc(200_000, "publish.msg")).toThrow(MemoryError);
    const s = board.summary();
    expect(s.heap.oom).toBe(1);
    expect(s.net.connections).toBe(1);
    expect(s.net.profile).toBe("ideal");
    expect(board.networkView()).toMatchObject({ connected: true, wifiUp: true, connections: 1 });
  });

  it("charges umqtt loaded as .mpy more than frozen", () => {
    const clock = new VirtualClock();
    const mk = (umqtt: "frozen" | "mpy") =>
      new Board({ definition: "esp8266", clock, trace: new Trace(), name: "b", dial: echoDial, umqtt }).heap.mem_free();
    expect(mk("frozen") - mk("mpy")).toBeGreaterThan(3000);
  });

  it("applies profile overrides and reports bad ones as ProfileError", () => {
    const clock = new VirtualClock();
    const board = new Board({ definition: "esp8266", clock, trace: new Trace(), name: "b", dial: echoDial, profileOverrides: ["latency-ms=80"] });
    expect(board.network.profile.latencyMs).toBe(80);
    expect(board.network.profile.name).toBe("wifi");
    expect(() => new Board({ definition: "esp8266", clock, trace: new Trace(), name: "b", dial: echoDial, profileOverrides: ["latncy=1"] })).toThrow(
      ProfileError,
    );
  });

  it("gives two boards of one model different unique ids, stable per name", () => {
    const a = boardUniqueId("a4cf12e7", "board1");
    const b = boardUniqueId("a4cf12e7", "board2");
    expect(a).not.toEqual(b);
    expect(boardUniqueId("a4cf12e7", "board1")).toEqual(a);
    expect(a[0]).toBe(0xa4);
    const clock = new VirtualClock();
    const pinned = new Board({ definition: "esp8266", clock, trace: new Trace(), name: "x", dial: echoDial, uniqueId: "00112233" });
    expect([...pinned.machine.unique_id()]).toEqual([0x00, 0x11, 0x22, 0x33]);
  });

  it("prints Python-style values, one trace event per line", () => {
    const clock = new VirtualClock();
    const trace = new Trace();
    const board = new Board({ definition: "esp8266", clock, trace, name: "b", dial: echoDial });
    board.print([new TextEncoder().encode("led"), new TextEncoder().encode("on")]);
    board.print("a\nb", 1, null, true);
    expect(trace.of("print").map((e) => e.text)).toEqual(["(b'led', b'on')", "a", "b 1 None True"]);
  });
});
