// machine.Timer on a real MicroPython VM: callbacks on the virtual clock,
// run between bridged calls, deterministic.
import { describe, expect, it } from "vitest";
import { runVm, py } from "./fixtures/run-vm.ts";

describe("machine.Timer", () => {
  it("periodic and one-shot callbacks fire at their virtual times while the firmware sleeps", async () => {
    const { printed, end } = await runVm(
      py(
        "from machine import Timer",
        "import time",
        "ticks = []",
        "once = []",
        "t = Timer(-1)",
        "t.init(period=250, mode=Timer.PERIODIC, callback=lambda tm: ticks.append(time.ticks_ms()))",
        "Timer(1, mode=Timer.ONE_SHOT, period=600, callback=lambda tm: once.append((time.ticks_ms(), tm)))",
        "time.sleep(1.1)",
        "t.deinit()",
        "time.sleep(1)",
        "print([x // 10 * 10 for x in ticks], [(x // 10 * 10, str(tm)) for x, tm in once])",
      ),
    );
    expect(end).toEqual({ how: "exit" });
    expect(printed).toEqual(["[250, 500, 750, 1000] [(600, 'Timer(1)')]"]);
  });

  it("a callback runs inside a loop that polls a pin without sleeping", async () => {
    const { printed } = await runVm(
      py(
        "from machine import Pin, Timer",
        "flag = [0]",
        "def tick(t):",
        "    flag[0] += 1",
        "Timer(0).init(period=5, callback=tick)",
        "p = Pin(0, Pin.IN, Pin.PULL_UP)",
        "n = 0",
        "while flag[0] < 3:",
        "    p.value()",
        "    n += 1",
        "print('ticks', flag[0], 'after about', n // 100 * 100, 'reads')",
      ),
    );
    // Each bridged call costs 1/64 ms: three 5 ms periods are about 960 reads.
    expect(printed[0]).toMatch(/^ticks 3 after about 9\d\d reads$/);
  });

  it("an exception in a callback is printed and the firmware goes on; the same run repeats exactly", async () => {
    const code = py(
      "from machine import Timer",
      "import time",
      "n = [0]",
      "def bad(t):",
      "    n[0] += 1",
      "    if n[0] == 2:",
      "        raise ValueError('tick %d' % n[0])",
      "Timer(-1).init(period=100, callback=bad)",
      "time.sleep_ms(350)",
      "print('still running', n[0])",
    );
    const a = await runVm(code);
    expect(a.end).toEqual({ how: "exit" });
    expect(a.printed).toEqual([
      "Uncaught exception in IRQ callback handler",
      "Traceback (most recent call last):",
      '  File "main.py", line 7, in bad',
      "ValueError: tick 2",
      "still running 3",
    ]);
    const b = await runVm(code);
    expect(JSON.stringify(b.trace.events)).toBe(JSON.stringify(a.trace.events));
  });

  it("machine.reset() from a timer callback reboots the board (boot.py again)", async () => {
    const { printed, trace } = await runVm(
      {
        "boot.py": "import time\nprint('boot at', time.ticks_ms() // 100)\n",
        "main.py": py(
          "import machine, time",
          "if time.ticks_ms() < 100:",
          "    machine.Timer(-1).init(period=300, mode=machine.Timer.ONE_SHOT, callback=lambda t: machine.reset())",
          "    time.sleep(10)",
          "    print('not reached')",
          "print('main again')",
        ),
      },
      { untilMs: 20_000 },
    );
    expect(printed.filter((l) => !l.startsWith("MPY:"))).toEqual(["boot at 0", "boot at 3", "main again"]);
    expect(trace.of("board").map((e) => e.detail)).toEqual(["reset"]);
  });
});
