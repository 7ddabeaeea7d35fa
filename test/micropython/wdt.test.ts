// machine.WDT on a real MicroPython VM: a board that stops feeding is reset.
import { describe, expect, it } from "vitest";
import { runVm, py } from "./fixtures/run-vm.ts";

describe("machine.WDT", () => {
  it("a fed watchdog never bites; one that is not fed resets the board, boot.py runs again and the files are still there", async () => {
    const { printed, trace, end } = await runVm(
      {
        // A boot counter in a file: the board's files survive the reset, as flash does.
        "boot.py": py(
          "import time",
          "try:",
          "    n = int(open('boots').read()) + 1",
          "except OSError:",
          "    n = 1",
          "open('boots', 'w').write(str(n))",
          "print('boot', n, 'at', time.ticks_ms())",
        ),
        "main.py": py(
          "import machine, time",
          "if time.ticks_ms() > 0:",
          "    print('after the reset: no watchdog')",
          "    time.sleep(10)",
          "    raise SystemExit",
          "wdt = machine.WDT(timeout=2000)",
          "for i in range(5):",
          "    time.sleep(1)",
          "    wdt.feed()",
          "print('fed for 5 s')",
          "while True:",
          "    time.sleep(1)",
          "    print('hung', time.ticks_ms())",
        ),
      },
      { untilMs: 30_000 },
    );
    expect(end).toEqual({ how: "exit" });
    expect(printed.filter((l) => !l.startsWith("MPY:"))).toEqual(["boot 1 at 0", "fed for 5 s", "hung 6000", "boot 2 at 7000", "after the reset: no watchdog"]);
    expect(trace.of("board").map((e) => [Math.round(e.t), e.event, e.detail])).toEqual([[7000, "boot", "watchdog reset"]]);
  });
});
