// Unit tests for the watch view's pure parts: layout, key bindings, hold timing, formatting, trace store.

import { describe, expect, it } from "vitest";
import { bytesText, clockText, fit, gauge, ledColor, nextSpeed, printable } from "../../src/cli/tui/format.ts";
import { ButtonHolder } from "../../src/cli/tui/hold.ts";
import { bindButtons, bindingFor, keysFor, spacePauses } from "../../src/cli/tui/keymap.ts";
import { computeLayout } from "../../src/cli/tui/layout.ts";
import { MAX_PRINTS, MAX_TRAFFIC, WatchStore } from "../../src/cli/tui/state.ts";
import { checkInteractiveTerminal } from "../../src/cli/tui/index.ts";
import { colorsWanted, fitLine, lineWidth, paint, textWidth } from "../../src/cli/tui/style.ts";

const pair = [
  { leds: 1, buttons: 1 },
  { leds: 1, buttons: 1 },
];

describe("layout", () => {
  it("puts boards side by side on a wide terminal and gives the rest to traffic", () => {
    const l = computeLayout(120, 40, pair);
    expect(l).toMatchObject({ mode: "full", perRow: 2, boardWidth: 60, showTraffic: true, printLines: 6 });
    expect(l.trafficLines).toBeGreaterThan(10);
  });

  it("stacks boards under 80 columns", () => {
    expect(computeLayout(79, 50, pair)).toMatchObject({ mode: "full", perRow: 1, boardWidth: 79, showTraffic: true });
  });

  it("drops the traffic pane under 15 rows, then borders, then boards", () => {
    expect(computeLayout(120, 14, pair).showTraffic).toBe(false);
    expect(computeLayout(120, 14, pair).mode).toBe("full");
    expect(computeLayout(120, 8, pair)).toMatchObject({ mode: "compact", boardsShown: 2 });
    const tiny = computeLayout(120, 4, [...pair, ...pair]);
    expect(tiny).toMatchObject({ mode: "compact", showSteps: false, showTraffic: false });
    expect(tiny.boardsShown).toBeLessThan(4);
  });

  it("copes with missing or absurd sizes", () => {
    expect(computeLayout(undefined, undefined, pair)).toMatchObject({ columns: 80, rows: 24 });
    expect(() => computeLayout(0, 0, [])).not.toThrow();
    expect(() => computeLayout(1, 1, pair)).not.toThrow();
  });
});

describe("key bindings", () => {
  const boards = [
    { name: "board1", buttons: [{ name: "button", pin: 0, key: "space" }] },
    { name: "board2", buttons: [{ name: "button", pin: 0, key: "space" }, { name: "reset", pin: 4, key: "x" }] },
    { name: "board3", buttons: [{ name: "b", pin: 5, key: "q" }] },
  ];

  it("gives every button a digit in order and the board file's key when it is free", () => {
    const b = bindButtons(boards);
    expect(b.map((x) => x.keys)).toEqual([["1", " "], ["2"], ["3", "x"], ["4"]]);
    expect(bindingFor(b, " ")).toMatchObject({ board: "board1", button: "button" });
    expect(bindingFor(b, "q")).toBeUndefined(); // a command key stays a command key
    expect(keysFor(b, "board1", "button")).toBe("1/space");
    expect(keysFor(b, "board9", "x")).toBe("-");
    expect(spacePauses(b)).toBe(false);
    expect(spacePauses(bindButtons([{ name: "a", buttons: [{ name: "b", pin: 1 }] }]))).toBe(true);
  });
});

describe("press and hold", () => {
  // Wall time and board time under the test's control; the board runs at `speed` x wall time unless paused.
  function setup(options: { speed?: number } = {}) {
    let wall = 0;
    let board = 0;
    let paused = false;
    const speed = options.speed ?? 1;
    const queue: { at: number; fn: () => void; id: number }[] = [];
    let next = 0;
    const log: string[] = [];
    const holder = new ButtonHolder(
      {
        pressButton: (b, n) => void log.push(`press ${b}.${n} @${board}`),
        releaseButton: (b, n) => void log.push(`release ${b}.${n} @${board}`),
        now: () => board,
      },
      { tapMs: 150, repeatWindowMs: 700, repeatGapMs: 120, safetyMs: 1000, pollMs: 5 },
      () => {},
      {
        setTimeout: (fn, ms) => {
          const id = next++;
          queue.push({ at: wall + ms, fn, id });
          return id;
        },
        clearTimeout: (id) => {
          const i = queue.findIndex((q) => q.id === id);
          if (i >= 0) queue.splice(i, 1);
        },
        now: () => wall,
      },
    );
    const advance = (ms: number) => {
      const end = wall + ms;
      for (;;) {
        queue.sort((a, b) => a.at - b.at);
        const first = queue[0];
        if (!first || first.at > end) break;
        queue.shift();
        if (!paused) board += (first.at - wall) * speed;
        wall = first.at;
        first.fn();
      }
      if (!paused) board += (end - wall) * speed;
      wall = end;
    };
    return { log, holder, advance, pause: (p: boolean) => (paused = p) };
  }

  it("a tap holds the button for tapMs of board time", () => {
    const { log, holder, advance } = setup();
    holder.tap("b", "button");
    expect(log).toEqual(["press b.button @0"]);
    advance(145);
    expect(holder.isHeld("b", "button")).toBe(true);
    advance(10);
    expect(log).toEqual(["press b.button @0", "release b.button @150"]);
  });

  it("a tap is measured on the board's clock at any speed, and waits while paused", () => {
    const fast = setup({ speed: 10 });
    fast.holder.tap("b", "button");
    fast.advance(20);
    expect(fast.log).toEqual(["press b.button @0", "release b.button @150"]);

    const slow = setup();
    slow.pause(true);
    slow.holder.tap("b", "button");
    slow.advance(1000);
    expect(slow.holder.isHeld("b", "button")).toBe(true);
    slow.pause(false);
    slow.advance(200);
    expect(slow.holder.isHeld("b", "button")).toBe(false);
  });

  it("auto-repeat keeps the button down until the repeats stop", () => {
    const { log, holder, advance } = setup({ speed: 10 });
    holder.tap("b", "button"); // key down
    advance(500); // the terminal's repeat delay: the tap ended meanwhile
    for (let i = 0; i < 30; i++) {
      holder.tap("b", "button"); // repeats every 33 ms
      advance(33);
    }
    expect(log).toHaveLength(3); // tap press, tap release, then one long press
    expect(log[2]).toMatch(/^press/);
    advance(120);
    expect(log).toHaveLength(4);
    expect(log[3]).toMatch(/^release/);
  });

  it("with key-up reports, the press lasts until the key-up", () => {
    const { log, holder, advance } = setup();
    holder.down("b", "button");
    advance(900);
    holder.down("b", "button"); // repeat
    advance(900);
    expect(log).toEqual(["press b.button @0"]);
    holder.up("b", "button");
    expect(log).toEqual(["press b.button @0", "release b.button @1800"]);
    holder.down("b", "button");
    advance(1010); // key-up lost: the safety timeout releases
    expect(log.at(-1)).toMatch(/^release/);
  });

  it("releaseAll releases everything and ignores later presses", () => {
    const { log, holder } = setup();
    holder.tap("a", "x");
    holder.tap("b", "y");
    holder.releaseAll();
    holder.tap("a", "x");
    expect(log).toEqual(["press a.x @0", "press b.y @0", "release a.x @0", "release b.y @0"]);
  });
});

describe("formatting", () => {
  it("formats times, bytes, gauges and speeds", () => {
    expect(clockText(0)).toBe("00:00.000");
    expect(clockText(61_234.9)).toBe("01:01.234");
    expect(clockText(3_600_000 + 5)).toBe("1:00:00.005");
    expect(bytesText(812)).toBe("812B");
    expect(bytesText(36000)).toBe("35.2K");
    expect(bytesText(166000)).toBe("162K");
    expect(gauge(0.5, 10)).toEqual({ filled: "█████", empty: "░░░░░" });
    expect(gauge(Number.NaN, 4)).toEqual({ filled: "", empty: "░░░░" });
    expect(nextSpeed(1)).toBe(10);
    expect(nextSpeed(10)).toBe("max");
    expect(nextSpeed("max")).toBe(1);
    expect(nextSpeed(3)).toBe(1);
    expect(fit("abcdef", 4)).toBe("abc…");
    expect(printable("a\nb\u0007")).toBe("a⏎b·");
  });

  it("maps board colours to ones ink can draw", () => {
    expect(ledColor("blue")).toBe("blue");
    expect(ledColor("Green")).toBe("green");
    expect(ledColor("orange")).toBe("#ffa500");
    expect(ledColor("level")).toBe("white"); // a chalk property that is not a colour
    expect(ledColor(undefined)).toBe("white");
  });
});

describe("trace store", () => {
  it("keeps the last lines only", () => {
    const store = new WatchStore({ steps: [] }, ["b"]);
    for (let i = 0; i < 3000; i++) {
      store.apply({ t: i, kind: "print", board: "b", text: `p${i}` });
      store.apply({ t: i, kind: "mqtt", board: "b", dir: "in", type: "publish", fields: { topic: "t", payload: `m${i}` }, raw: "" });
    }
    expect(store.prints("b")).toHaveLength(MAX_PRINTS);
    expect(store.prints("b").at(-1)?.text).toBe("p2999");
    expect(store.traffic.all()).toHaveLength(MAX_TRAFFIC);
    expect(store.traffic.all().at(-1)?.payload).toBe("m2999");
    expect(store.trafficTotal).toBe(3000);
  });

  it("counts LED changes and records crashes and steps", () => {
    const store = new WatchStore({ steps: [{ type: "delay", ms: 5 }] }, ["b"]);
    store.apply({ t: 1, kind: "pin", board: "b", pin: 2, value: 1, role: "led", name: "led" });
    store.apply({ t: 2, kind: "pin", board: "b", pin: 2, value: 0, role: "led", name: "led" });
    store.apply({ t: 3, kind: "pin", board: "b", pin: 2, value: 0, role: "led", name: "led" });
    store.apply({ t: 4, kind: "pin", board: "b", pin: 2, value: 1, role: "led", name: "led" });
    expect(store.boardState("b").ledChanges.get("led")).toBe(2);
    store.apply({ t: 5, kind: "board", board: "b", event: "crash", detail: "OSError: [Errno 104] ECONNRESET" });
    expect(store.boardState("b").crashed).toContain("ECONNRESET");
    store.apply({ t: 6, kind: "step", index: 0, step: "delay 5ms", status: "pass" });
    expect(store.steps[0]).toMatchObject({ status: "pass", description: "delay 5ms" });
  });
});

describe("checkInteractiveTerminal", () => {
  it("names the problem and points to run when there is no TTY", () => {
    const tty = { isTTY: true, setRawMode: () => {} };
    const saved = process.env.TERM;
    process.env.TERM = "xterm-256color";
    try {
      expect(checkInteractiveTerminal(tty, { isTTY: true })).toBeNull();
      const piped = checkInteractiveTerminal(tty, { isTTY: false });
      expect(piped).toMatch(/stdout is not a TTY/);
      expect(piped).toContain("umqtt-bench run");
      expect(piped).not.toContain("\n");
      expect(checkInteractiveTerminal({ isTTY: false }, { isTTY: true })).toMatch(/stdin is not a TTY.*umqtt-bench run/);
    } finally {
      if (saved === undefined) delete process.env.TERM;
      else process.env.TERM = saved;
    }
  });
});

describe("styled lines", () => {
  it("measures wide and combining characters", () => {
    expect(textWidth("abc")).toBe(3);
    expect(textWidth("●○█│")).toBe(4);
    expect(textWidth("日本")).toBe(4);
    expect(textWidth("e\u0301")).toBe(1);
  });

  it("fits a line to an exact width, cutting with an ellipsis or padding", () => {
    const line = [["hello ", { bold: true }], ["world"]] as const;
    expect(lineWidth(fitLine([...line], 20))).toBe(20);
    const cut = fitLine([...line], 8);
    expect(cut.map(([t]) => t).join("")).toBe("hello w…");
    expect(lineWidth(fitLine([["日本語テキスト"]], 5))).toBe(5);
    expect(fitLine([["abc"]], 0)).toEqual([]);
  });

  it("paints styles, and colours only when asked", () => {
    expect(paint([["on", { color: "green", bold: true }]], true)).toBe("\u001B[1;32mon\u001B[0m");
    expect(paint([["on", { color: "green", bold: true }]], false)).toBe("\u001B[1mon\u001B[0m");
    expect(paint([["x", { color: "#ffa500" }]], true)).toBe("\u001B[38;2;255;165;0mx\u001B[0m");
    expect(paint([["plain"]], true)).toBe("plain");
  });

  it("follows NO_COLOR and FORCE_COLOR", () => {
    expect(colorsWanted({ isTTY: true }, {})).toBe(true);
    expect(colorsWanted({ isTTY: false }, {})).toBe(false);
    expect(colorsWanted({ isTTY: true }, { NO_COLOR: "1" })).toBe(false);
    expect(colorsWanted({ isTTY: false }, { FORCE_COLOR: "1" })).toBe(true);
  });
});
