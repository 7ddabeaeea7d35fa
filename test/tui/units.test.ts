// Unit tests for the watch view's pure parts: layout, key bindings, hold timing, formatting, trace store.

import { describe, expect, it } from "vitest";
import { bytesText, clockText, fit, gauge, ledColor, nextSpeed, printable } from "../../src/cli/tui/format.ts";
import { ButtonHolder } from "../../src/cli/tui/hold.ts";
import { bindButtons, bindingFor, keysFor, spacePauses } from "../../src/cli/tui/keymap.ts";
import { computeLayout } from "../../src/cli/tui/layout.ts";
import { MAX_PRINTS, MAX_TRAFFIC, WatchStore } from "../../src/cli/tui/state.ts";
import { checkInteractiveTerminal } from "../../src/cli/tui/index.ts";

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
  function fakeTimers() {
    let now = 0;
    const queue: { at: number; fn: () => void; id: number }[] = [];
    let next = 0;
    return {
      timers: {
        setTimeout: (fn: () => void, ms: number) => {
          const id = next++;
          queue.push({ at: now + ms, fn, id });
          return id;
        },
        clearTimeout: (id: unknown) => {
          const i = queue.findIndex((q) => q.id === id);
          if (i >= 0) queue.splice(i, 1);
        },
      },
      advance(ms: number) {
        now += ms;
        for (;;) {
          queue.sort((a, b) => a.at - b.at);
          const first = queue[0];
          if (!first || first.at > now) break;
          queue.shift();
          first.fn();
        }
      },
    };
  }

  function setup() {
    const log: string[] = [];
    const t = fakeTimers();
    const holder = new ButtonHolder(
      { pressButton: (b, n) => log.push(`press ${b}.${n}`), releaseButton: (b, n) => log.push(`release ${b}.${n}`) },
      { tapMs: 150, safetyMs: 1000 },
      () => {},
      t.timers,
    );
    return { log, t, holder };
  }

  it("a tap presses and releases after tapMs", () => {
    const { log, t, holder } = setup();
    holder.tap("b", "button");
    expect(log).toEqual(["press b.button"]);
    t.advance(149);
    expect(holder.isHeld("b", "button")).toBe(true);
    t.advance(1);
    expect(log).toEqual(["press b.button", "release b.button"]);
  });

  it("auto-repeat keeps the button down until the repeats stop", () => {
    const { log, t, holder } = setup();
    holder.tap("b", "button");
    for (let i = 0; i < 20; i++) {
      t.advance(33);
      holder.tap("b", "button");
    }
    expect(log).toEqual(["press b.button"]);
    t.advance(150);
    expect(log).toEqual(["press b.button", "release b.button"]);
  });

  it("with key-up reports, the press lasts until the key-up", () => {
    const { log, t, holder } = setup();
    holder.down("b", "button");
    t.advance(900);
    holder.down("b", "button"); // repeat
    t.advance(900);
    expect(log).toEqual(["press b.button"]);
    holder.up("b", "button");
    expect(log).toEqual(["press b.button", "release b.button"]);
    holder.down("b", "button");
    t.advance(1000); // key-up lost: the safety timer releases
    expect(log.at(-1)).toBe("release b.button");
  });

  it("releaseAll releases everything and ignores later presses", () => {
    const { log, holder } = setup();
    holder.tap("a", "x");
    holder.tap("b", "y");
    holder.releaseAll();
    holder.tap("a", "x");
    expect(log).toEqual(["press a.x", "press b.y", "release a.x", "release b.y"]);
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
