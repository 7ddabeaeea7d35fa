// A loop that never sleeps nor calls into the board: the host raises
// KeyboardInterrupt in the spinning VM (through its shared memory) so the
// runaway message names the file and line of the loop, as Ctrl-C on a
// device's serial line would show them.
import { describe, expect, it } from "vitest";
import { runVm, py } from "./fixtures/run-vm.ts";

const RUNAWAY_MS = 300;
const detail = (end: unknown) => (end as { detail: string }).detail;

describe("runaway firmware: where it loops", () => {
  it("`while True: pass` in main.py: the message names main.py and the loop's line; the traceback is on the serial output", async () => {
    const { end, printed } = await runVm(py("print('spinning')", "x = 1", "while True:", "    pass"), { runawayMs: RUNAWAY_MS });
    expect(end?.how).toBe("runaway");
    expect(detail(end)).toMatch(/^board board1: main\.py ran [\d.]+s of wall time without sleeping or doing I\/O, stopped at main\.py line 4 \(a loop with no time\.sleep\?\); its VM was stopped$/);
    expect(printed[0]).toBe("spinning");
    expect(printed.slice(1, 3)).toEqual(["Traceback (most recent call last):", expect.stringMatching(/^ {2}File "main\.py", line 4, in <module>$/)]);
    expect(printed.at(-1)).toMatch(/^KeyboardInterrupt/);
  });

  it("a loop in an imported module: the message names the module's file, line and function", async () => {
    const { end } = await runVm(
      {
        "main.py": py("import spin", "print('importing done')", "spin.forever(3)"),
        "lib/spin.py": py("def forever(n):", "    total = 0", "    while True:", "        total += n"),
      },
      { runawayMs: RUNAWAY_MS },
    );
    expect(end?.how).toBe("runaway");
    expect(detail(end)).toMatch(/ main\.py ran [\d.]+s .*, stopped at \/lib\/spin\.py line 4 in forever\(\) \(/);
  });

  it("a loop inside a machine.Timer callback (run by the host between calls): named too", async () => {
    const { end } = await runVm(
      py("from machine import Timer", "import time", "def tick(t):", "    while True:", "        pass", "Timer(0).init(period=10, callback=tick)", "while True:", "    time.sleep_ms(5)"),
      { runawayMs: RUNAWAY_MS },
    );
    expect(end?.how).toBe("runaway");
    expect(detail(end)).toMatch(/, stopped at main\.py line 5 in tick\(\) \(/);
  });

  it("firmware that swallows the KeyboardInterrupt and spins on is still stopped, without a line", async () => {
    const t0 = performance.now();
    const { end } = await runVm(py("while True:", "    try:", "        while True:", "            pass", "    except KeyboardInterrupt:", "        pass"), { runawayMs: RUNAWAY_MS });
    expect(end?.how).toBe("runaway");
    expect(detail(end)).toMatch(/^board board1: main\.py ran [\d.]+s of wall time without sleeping or doing I\/O \(a loop with no time\.sleep\?\); its VM was stopped$/);
    expect(performance.now() - t0).toBeLessThan(10_000);
  });
});
