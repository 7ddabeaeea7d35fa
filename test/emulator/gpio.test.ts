import { describe, expect, it } from "vitest";
import { loadBoard } from "../../src/emulator/board/board-file.ts";
import { Gpio, ValueError } from "../../src/emulator/board/gpio.ts";
import { createMachine } from "../../src/emulator/board/machine.ts";
import { Trace } from "../../src/emulator/trace.ts";
import { VirtualClock } from "../../src/emulator/clock/virtual-clock.ts";

function esp8266() {
  const clock = new VirtualClock();
  const trace = new Trace();
  const gpio = new Gpio({ def: loadBoard("esp8266"), clock, trace, board: "board1" });
  const machine = createMachine(gpio, Uint8Array.of(0xa4, 0xcf, 0x12, 0xe7));
  return { clock, trace, gpio, machine };
}

describe("GPIO and machine.Pin", () => {
  it("drives the active-low LED on GPIO2 and traces it with its role", () => {
    const { trace, gpio, machine } = esp8266();
    const { Pin } = machine;
    expect(gpio.ledLit("led")).toBe(false); // idle level of an active-low LED is high
    const led = new Pin(2, Pin.OUT, null, 1);
    expect(gpio.ledLit("led")).toBe(false);
    led.value(0);
    expect(led.value()).toBe(0);
    expect(gpio.ledLit("led")).toBe(true);
    led.on();
    expect(gpio.ledLit("led")).toBe(false);
    led.toggle();
    expect(gpio.ledLit("led")).toBe(true);
    expect(trace.of("pin")).toEqual([
      { t: 0, kind: "pin", board: "board1", pin: 2, value: 0, role: "led", name: "led" },
      { t: 0, kind: "pin", board: "board1", pin: 2, value: 1, role: "led", name: "led" },
      { t: 0, kind: "pin", board: "board1", pin: 2, value: 0, role: "led", name: "led" },
    ]);
  });

  it("machine.Pin is one class per board, its pins on that board's GPIO only", () => {
    const first = esp8266();
    const second = esp8266();
    expect(first.machine.Pin).toBe(first.machine.Pin);
    expect(second.machine.Pin).not.toBe(first.machine.Pin);
    const led = new first.machine.Pin(2, first.machine.Pin.OUT, null, 0);
    expect(led).toBeInstanceOf(first.machine.Pin);
    expect(String(led)).toBe("Pin(2)");
    expect(first.gpio.ledLit("led")).toBe(true);
    expect(second.gpio.ledLit("led")).toBe(false);
    expect(() => new second.machine.Pin(99)).toThrow(ValueError);
  });

  it("a button press drives its pin to the active level; release returns it to the pull level", () => {
    const { trace, gpio, machine } = esp8266();
    const { Pin } = machine;
    const button = new Pin(0, Pin.IN, Pin.PULL_UP);
    expect(button.value()).toBe(1);
    gpio.pressButton("button");
    expect(button.value()).toBe(0);
    expect(gpio.buttonPressed("button")).toBe(true);
    gpio.releaseButton("button");
    expect(button.value()).toBe(1);
    expect(trace.of("pin").map((e) => [e.pin, e.value, e.role, e.name])).toEqual([
      [0, 0, "button", "button"],
      [0, 1, "button", "button"],
    ]);
    // With a pull-down, release reads 0.
    button.init(Pin.IN, Pin.PULL_DOWN);
    expect(button.value()).toBe(0);
  });

  it("fires IRQ handlers on the configured edges only", () => {
    const { gpio, machine } = esp8266();
    const { Pin } = machine;
    const pin = new Pin(0, Pin.IN, Pin.PULL_UP);
    const edges: string[] = [];
    pin.irq((p) => edges.push(`falling ${String(p.id)} ${p.value()}`), Pin.IRQ_FALLING);
    gpio.pressButton("button");
    gpio.releaseButton("button");
    gpio.pressButton("button");
    expect(edges).toEqual(["falling 0 0", "falling 0 0"]);
    pin.irq((p) => edges.push(`any ${p.value()}`), Pin.IRQ_FALLING | Pin.IRQ_RISING);
    gpio.releaseButton("button");
    pin.irq(null);
    gpio.pressButton("button");
    expect(edges.at(-1)).toBe("any 1");
    expect(edges).toHaveLength(3);
  });

  it("an exception in an IRQ handler is traced, not thrown at the bench", () => {
    const { trace, gpio, machine } = esp8266();
    const pin = new machine.Pin(0, machine.Pin.IN);
    pin.irq(() => {
      throw new Error("bad handler");
    }, machine.Pin.IRQ_FALLING);
    expect(() => gpio.pressButton("button")).not.toThrow();
    expect(trace.of("error")[0]!.message).toContain("bad handler");
  });

  it("an output is not overridden by the bench; unknown pins raise ValueError", () => {
    const { gpio, machine } = esp8266();
    const out = new machine.Pin(4, machine.Pin.OUT, null, 1);
    gpio.drive(4, 0);
    expect(out.value()).toBe(1);
    expect(() => new machine.Pin(7)).toThrow(ValueError);
    expect(() => gpio.pressButton("nope")).toThrow(/no button "nope"/);
  });

  it("unique_id returns the board's bytes, a fresh copy each call", () => {
    const { machine } = esp8266();
    const id = machine.unique_id();
    expect([...id]).toEqual([0xa4, 0xcf, 0x12, 0xe7]);
    id[0] = 0;
    expect(machine.unique_id()[0]).toBe(0xa4);
  });

  it("the Pico W LED is a named pin", () => {
    const clock = new VirtualClock();
    const trace = new Trace();
    const gpio = new Gpio({ def: loadBoard("rp2-pico-w"), clock, trace, board: "pico" });
    const { Pin } = createMachine(gpio, new Uint8Array(8));
    const led = new Pin("LED", Pin.OUT);
    led.on();
    expect(gpio.ledLit("led")).toBe(true);
    expect(trace.of("pin").at(-1)).toMatchObject({ pin: 64, value: 1, role: "led" });
    const button = new Pin(14, Pin.IN, Pin.PULL_UP);
    gpio.pressButton("button");
    expect(button.value()).toBe(0);
  });
});
