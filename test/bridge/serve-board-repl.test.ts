// serve-board's REPL front end (board-repl.ts) on the real VM board CPU, in
// this process and without a pty (the pty path is covered by the e2e suites):
// the keys a person types and the control bytes tools send, and what a board
// answers to each. Also the friendly REPL's continuation rule on its own.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BoardRepl } from "../../src/bridge/serve/board-repl.ts";
import { autoIndent, needsMoreInput } from "../../src/bridge/serve/continuation.ts";
import { VmBoardCpu } from "../../src/bridge/serve/vm-board-cpu.ts";
import { loadBoard } from "../../src/emulator/board/board-file.ts";

describe("continuation lines", () => {
  it("asks for more in compound statements until an empty line, in open brackets and triple quotes", () => {
    expect(needsMoreInput("x = 1")).toBe(false);
    expect(needsMoreInput("for i in range(3):")).toBe(true);
    expect(needsMoreInput("for i in range(3):\n    print(i)")).toBe(true);
    expect(needsMoreInput("for i in range(3):\n    print(i)\n")).toBe(false);
    expect(needsMoreInput("if x: print(1)")).toBe(true);
    expect(needsMoreInput("@decorator")).toBe(true);
    expect(needsMoreInput("d = {'a': [1,")).toBe(true);
    expect(needsMoreInput("d = {'a': [1,\n2]}")).toBe(false);
    expect(needsMoreInput("s = '''one")).toBe(true);
    expect(needsMoreInput("s = '''one\ntwo'''")).toBe(false);
    expect(needsMoreInput("s = '(' # (")).toBe(false);
    expect(needsMoreInput("x = 1 + \\")).toBe(true);
    expect(needsMoreInput("formula = 2")).toBe(false); // starts with "for", is not a for
  });

  it("indents the next line like the last, four more after a colon", () => {
    expect(autoIndent("for i in x:")).toBe("    ");
    expect(autoIndent("    if i:")).toBe("        ");
    expect(autoIndent("    print(i)")).toBe("    ");
    expect(autoIndent("x = 1")).toBe("");
  });
});

describe("the board's REPL front end on the VM board", () => {
  let repl: BoardRepl;
  let cpu: VmBoardCpu;
  let out = "";
  const files = { dirs: [], files: { "main.py": new TextEncoder().encode("import machine\nled = machine.Pin(2, machine.Pin.OUT)\nprint('main.py here')\nraise OSError(5)\n") } };

  async function until(marker: string, from: number): Promise<string> {
    const deadline = Date.now() + 20_000;
    while (!out.slice(from).includes(marker)) {
      if (Date.now() > deadline) throw new Error(`no ${JSON.stringify(marker)} in ${JSON.stringify(out.slice(from))}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    const end = out.indexOf(marker, from) + marker.length;
    return out.slice(from, end);
  }

  /** Sends keys; returns the board's answer up to and including `marker`. */
  async function keys(input: string, marker = ">>> "): Promise<string> {
    const from = out.length;
    repl.receive(Uint8Array.from(input, (c) => c.charCodeAt(0)));
    return until(marker, from);
  }

  beforeAll(async () => {
    cpu = new VmBoardCpu({ definition: loadBoard("esp8266") });
    repl = new BoardRepl((bytes) => (out += Buffer.from(bytes).toString("latin1")), { startCpu: (f, e) => cpu.start(f, e), banner: cpu.banner(), interruptGraceMs: 1500 });
    await repl.start(files);
    await until(">>> ", 0);
  });
  afterAll(async () => {
    await repl?.stop();
  });

  it("boots as a board: main.py's output and traceback, then the model's banner; main.py's globals stay in the REPL", async () => {
    expect(out).toBe(
      'main.py here\r\nTraceback (most recent call last):\r\n  File "main.py", line 4, in <module>\r\nOSError: [Errno 5] EIO\r\n' +
        `MicroPython v1.29.0 on umqtt-bench; ESP module with ESP8266\r\nType "help()" for more information.\r\n>>> `,
    );
    expect(await keys("led.value()\r")).toBe("led.value()\r\n0\r\n>>> ");
  });

  it("a statement that fills the heap: its MemoryError prints, and the board's REPL goes on", async () => {
    // The list being built holds the heap when the traceback is made: making it must not end the VM.
    const answer = await keys("k = [bytes(256) for i in range(1000)]\r");
    expect(answer).toMatch(/\r\nMemoryError[^\r]*\r\n>>> $/);
    expect(answer).not.toContain("serve-board");
    expect(await keys("print(6 * 7)\r")).toBe("print(6 * 7)\r\n42\r\n>>> ");
  });

  it("backspace (a whole UTF-8 character), Tab at the start of a line, Ctrl-C on a line", async () => {
    expect(await keys("1+23\x7f\r")).toBe("1+23\x08 \x08\r\n3\r\n>>> ");
    expect(await keys("'\xc3\xa9\xc3\xa9\x7f'\r")).toBe("'\xc3\xa9\xc3\xa9\x08 \x08'\r\n'\xc3\xa9'\r\n>>> ");
    expect(await keys("junk\x03")).toBe("junk\r\n>>> ");
    // The auto-indent's four spaces, then four more for the Tab.
    expect(await keys("if 1:\r\tprint('tab')\r\r")).toBe("if 1:\r\n...         print('tab')\r\n...         \r\ntab\r\n>>> ");
  });

  it("the up and down arrows bring back earlier lines; other keys are ignored", async () => {
    await keys("40 + 2\r");
    // Up: back over "7", the last line drawn over it, the rest of the line cleared; right and Ctrl-left do nothing.
    expect(await keys("7\x1b[A\x1b[C\x1b[1;5D\r")).toBe("7\x0840 + 2\x1b[K\r\n42\r\n>>> ");
    expect(await keys("\x1b[A\x1b[A\x1b[B\x1b[B1\r")).toMatch(/^.*\r\n1\r\n>>> $/s);
  });

  it("paste mode (Ctrl-E) runs the lines as they are, without auto-indent", async () => {
    const answer = await keys("\x05def f(x):\r    return x * 2\r\rprint(f(21))\x04");
    expect(answer).toBe("\r\npaste mode; Ctrl-C to cancel, Ctrl-D to finish\r\n=== def f(x):\r\n===     return x * 2\r\n=== \r\n=== print(f(21))\r\n42\r\n>>> ");
    expect(await keys("\x05print('never')\x03")).toBe("\r\npaste mode; Ctrl-C to cancel, Ctrl-D to finish\r\n=== print('never')\r\n>>> ");
  });

  it("Ctrl-B redraws the banner; Ctrl-A enters the raw REPL, again resets it, Ctrl-B leaves it", async () => {
    expect(await keys("\x02")).toMatch(/^\r\nMicroPython v1\.29\.0 on umqtt-bench; .*\r\nType "help\(\)" for more information\.\r\n>>> $/);
    expect(await keys("\x01", ">")).toBe("\r\nraw REPL; CTRL-B to exit\r\n>");
    expect(await keys("print(1)\x01", ">")).toBe("\r\nraw REPL; CTRL-B to exit\r\n>");
    expect(await keys("print('raw')\x04", "\x04>")).toBe("OKraw\r\n\x04\x04>");
    expect(await keys("import nothing_here\x04", "\x04>")).toMatch(/^OK\x04Traceback \(most recent call last\):\r\n {2}File "<stdin>", line 1, in <module>\r\nImportError: no module named 'nothing_here'\r\n\x04>$/);
    expect(await keys("\x02")).toMatch(/^\r\nMicroPython .*>>> $/s);
  });

  it("sys.exit() in the raw REPL reboots the board and comes back in the raw REPL, without main.py", async () => {
    await keys("\x01", ">");
    const answer = await keys("import sys\nsys.exit()\x04", "raw REPL; CTRL-B to exit\r\n>");
    expect(answer).toBe("OK\x04\x04MPY: soft reboot\r\nraw REPL; CTRL-B to exit\r\n>");
    const after = await keys("print('led' in globals())\x04", "\x04>");
    expect(after).toBe("OKFalse\r\n\x04\x04>");
    await keys("\x02");
  });

  it("machine.soft_reset() in the friendly REPL: soft reboot, main.py again, banner", async () => {
    const answer = await keys("import machine; machine.soft_reset()\r");
    expect(answer).toMatch(/^import machine; machine\.soft_reset\(\)\r\nMPY: soft reboot\r\nmain\.py here\r\nTraceback[^]*OSError: \[Errno 5\] EIO\r\nMicroPython [^]*>>> $/);
  });

  it("os.ilistdir() gives (name, type, inode, size) as a board's filesystem does (mpremote's ls shows the size)", async () => {
    await keys("import os; open('five.txt', 'w').write('12345')\r");
    expect(await keys("[e for e in os.ilistdir() if e[0] == 'five.txt']\r")).toBe("[e for e in os.ilistdir() if e[0] == 'five.txt']\r\n[('five.txt', 32768, 0, 5)]\r\n>>> ");
    await keys("os.remove('five.txt')\r");
  });

  it("input() reads a line from the serial line, echoed; Ctrl-C ends it with KeyboardInterrupt", async () => {
    expect(await keys("name = input('name? ')\r", "\r\nname? ")).toBe("name = input('name? ')\r\nname? ");
    expect(await keys("bobb\x7f\r")).toBe("bobb\x08 \x08\r\n>>> ");
    expect(await keys("name\r")).toBe("name\r\n'bob'\r\n>>> ");
    await keys("input('?? ')\r", "\r\n?? ");
    await keys("ab", "ab");
    expect(await keys("\x03")).toBe('Traceback (most recent call last):\r\n  File "<stdin>", line 1, in <module>\r\nKeyboardInterrupt: \r\n>>> ');
  });

  it("Ctrl-C into a loop that never calls into the board: KeyboardInterrupt where it loops, the variables kept", async () => {
    await keys("kept = 'yes'\r");
    await keys("while True:\r", "...     ");
    const from = out.length;
    repl.receive(new TextEncoder().encode("pass\r\r"));
    await until("pass\r\n...     \r\n", from);
    await new Promise((r) => setTimeout(r, 200));
    const sent = performance.now();
    expect(await keys("\x03")).toBe('Traceback (most recent call last):\r\n  File "<stdin>", line 2, in <module>\r\nKeyboardInterrupt: \r\n>>> ');
    // Raised in the VM itself, before the grace period after which it would be restarted.
    expect(performance.now() - sent).toBeLessThan(1500);
    expect(await keys("kept\r")).toBe("kept\r\n'yes'\r\n>>> ");
  });

  it("a running program polls sys.stdin with select.poll and reads what the host sends, as on a board's UART", async () => {
    const program = [
      "import sys, select, time",
      "p = select.poll()",
      "p.register(sys.stdin, select.POLLIN)",
      "got = ''",
      "while not got.endswith('!'):",
      "    if p.poll(0):",
      "        got += sys.stdin.read(1)",
      "    time.sleep_ms(5)",
      "print('got', got, p.poll(0))",
    ].join("\r");
    await keys(`\x05${program}\x04`, `=== print('got', got, p.poll(0))\r\n`);
    await new Promise((r) => setTimeout(r, 100));
    expect(await keys("ab!")).toBe("got ab! []\r\n>>> ");
  });

  it("input typed while a program runs waits for it, as in a UART buffer", async () => {
    const from = out.length;
    repl.receive(new TextEncoder().encode("import time; time.sleep_ms(300); print('slept')\r7*6\r"));
    expect(await until("42\r\n>>> ", from)).toBe("import time; time.sleep_ms(300); print('slept')\r\nslept\r\n>>> 7*6\r\n42\r\n>>> ");
  });

  it("a watchdog that is not fed resets the board while it waits at the prompt: soft reboot, main.py, banner", async () => {
    const answer = await keys("from machine import WDT; dog = WDT(timeout=300)\r", ">>> ");
    expect(answer).toBe("from machine import WDT; dog = WDT(timeout=300)\r\n>>> ");
    const from = out.length;
    const reset = await until("more information.\r\n>>> ", from);
    expect(reset).toMatch(/^\r\nMPY: soft reboot\r\nmain\.py here\r\nTraceback[^]*\r\nMicroPython [^]*>>> $/);
    expect(await keys("'dog' in globals()\r")).toBe("'dog' in globals()\r\nFalse\r\n>>> ");
  });

  it("a Timer callback runs while the board waits at the prompt, and its output reaches the line", async () => {
    await keys("from machine import Timer\r");
    await keys("t = Timer(0)\r");
    const from = out.length;
    await keys("t.init(period=50, mode=Timer.ONE_SHOT, callback=lambda t: print('tick'))\r");
    expect(await until("tick\r\n", from)).toContain("tick\r\n");
  });
});

describe("a main.py that never calls into the board", () => {
  it("Ctrl-C during boot: KeyboardInterrupt in main.py, files kept, then the banner and the prompt", async () => {
    const cpu = new VmBoardCpu({ definition: loadBoard("esp32") });
    let out = "";
    const repl = new BoardRepl((bytes) => (out += Buffer.from(bytes).toString("latin1")), { startCpu: (f, e) => cpu.start(f, e), banner: cpu.banner(), interruptGraceMs: 300 });
    const main = new TextEncoder().encode("print('spinning')\nwhile True:\n    pass\n");
    try {
      await repl.start({ dirs: ["data"], files: { "main.py": main } });
      const deadline = Date.now() + 20_000;
      while (!out.includes("spinning\r\n") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      repl.receive(Uint8Array.of(0x03));
      while (!out.endsWith(">>> ") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(out).toMatch(/^spinning\r\nTraceback \(most recent call last\):\r\n {2}File "main\.py", line 3, in <module>\r\nKeyboardInterrupt: \r\nMicroPython v1\.29\.0 on umqtt-bench; [^\r]*\r\nType "help\(\)" for more information\.\r\n>>> $/);
      const from = out.length;
      repl.receive(new TextEncoder().encode("import os; os.listdir('/'), len(open('main.py').read())\r"));
      while (!out.slice(from).endsWith(">>> ") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const answer = out.slice(from);
      expect(answer).toMatch(/\r\n\(\[.*\], 39\)\r\n>>> $/);
      expect(answer).toContain("'main.py'");
      expect(answer).toContain("'data'");
    } finally {
      await repl.stop();
    }
  }, 60_000);
});

describe("a program that swallows KeyboardInterrupt", () => {
  it("is stopped by restarting the VM after the grace period: files kept, variables lost", async () => {
    const cpu = new VmBoardCpu({ definition: loadBoard("esp32") });
    let out = "";
    const repl = new BoardRepl((bytes) => (out += Buffer.from(bytes).toString("latin1")), { startCpu: (f, e) => cpu.start(f, e), banner: cpu.banner(), interruptGraceMs: 600 });
    const wait = async (marker: string, from: number): Promise<string> => {
      const deadline = Date.now() + 20_000;
      while (!out.slice(from).includes(marker) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      return out.slice(from);
    };
    try {
      await repl.start({ dirs: [], files: { "keep.txt": new TextEncoder().encode("kept") } });
      await wait(">>> ", 0);
      repl.receive(new TextEncoder().encode("x = 1\r"));
      await wait(">>> ", out.length - 1);
      // Paste mode, so the nesting is typed as is.
      let from = out.length;
      repl.receive(new TextEncoder().encode("\x05while True:\r    try:\r        while True:\r            pass\r    except KeyboardInterrupt:\r        print('caught')\r\x04"));
      await wait("=== ", from);
      await new Promise((r) => setTimeout(r, 300));
      from = out.length;
      repl.receive(Uint8Array.of(0x03));
      const answer = await wait("KeyboardInterrupt: \r\n>>> ", from);
      // The VM raised it where the loop was (the program caught it), then was restarted.
      expect(answer).toMatch(/caught\r\nTraceback \(most recent call last\):\r\nKeyboardInterrupt: \r\n>>> $/);
      from = out.length;
      repl.receive(new TextEncoder().encode("open('keep.txt').read(), 'x' in globals()\r"));
      expect(await wait(")\r\n>>> ", from)).toBe("open('keep.txt').read(), 'x' in globals()\r\n('kept', False)\r\n>>> ");
    } finally {
      await repl.stop();
    }
  }, 60_000);
});
