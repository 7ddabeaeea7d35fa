// Component tests for the watch view, rendered with ink-testing-library
// against FakeSession (a test double for the runner, see fake-session.ts).

import { stripVTControlCharacters } from "node:util";
import { render, cleanup } from "ink-testing-library";
import { afterEach, describe, expect, it, vi } from "vitest";
import { WatchApp } from "../../src/cli/tui/app.tsx";
import { MAX_PRINTS, MAX_TRAFFIC } from "../../src/cli/tui/state.ts";
import { FakeSession } from "./fake-session.ts";

afterEach(() => {
  cleanup();
});

// ink-testing-library's stdout is 100 columns wide.
const SIZE = { columns: 100, rows: 40 };

function mount(session: FakeSession, extra: Partial<Parameters<typeof WatchApp>[0]> = {}) {
  const onQuit = vi.fn();
  const app = render(<WatchApp session={session} onQuit={onQuit} size={SIZE} refreshMs={5} tapMs={60} {...extra} />);
  const frame = () => stripVTControlCharacters(app.lastFrame() ?? "");
  const until = async (check: (frame: string) => boolean, what: string) => {
    await vi.waitFor(
      () => {
        if (!check(frame())) throw new Error(`frame never showed ${what}:\n${frame()}`);
      },
      { timeout: 2000, interval: 5 },
    );
  };
  const press = async (keys: string) => {
    app.stdin.write(keys);
    // ink hands input to handlers on the next turn of the event loop
    await new Promise((r) => setTimeout(r, 15));
  };
  return { ...app, onQuit, frame, until, press };
}

/** The line of the frame that shows `board`'s LED (boards are side by side: take the pane's column). */
function ledCell(frame: string, board: string): string {
  const lines = frame.split("\n");
  const title = lines.findIndex((l) => l.includes(`${board}  esp8266`));
  if (title < 0) throw new Error(`no pane for ${board}`);
  const col = lines[title].indexOf(board);
  return lines[title + 1].slice(col, col + 30);
}

describe("watch view", () => {
  it("draws each board with its LEDs, buttons, heap and network", async () => {
    const session = new FakeSession();
    const ui = mount(session);
    await ui.until((f) => f.includes("board1") && f.includes("board2"), "both boards");
    const f = ui.frame();
    expect(f).toContain("fake_pair");
    expect(f).toContain("seed 42");
    expect(f).toContain("speed 1x");
    expect(ledCell(f, "board2")).toContain("○ led off");
    expect(f).toContain("[1/space] button");
    expect(f).toContain("[2] button");
    expect(f).toMatch(/heap █+░+ 25% of 35\.2K/);
    expect(f).toContain("largest 19.5K");
    expect(f).toContain("net wifi 40ms connected · conn 1 · reconn 0");
    expect(f).toContain("MQTT traffic");
    expect(f).toContain("q quit");
  });

  it("an LED that turns on in the trace turns on in the frame", async () => {
    const session = new FakeSession();
    const ui = mount(session);
    await ui.until((f) => ledCell(f, "board2").includes("○ led off"), "board2's LED dark");
    // board2's LED is active-low (like the ESP8266's): pin low lights it.
    session.setLed("board2", "led", true);
    await ui.until((f) => ledCell(f, "board2").includes("● led ON"), "board2's LED lit");
    expect(ledCell(ui.frame(), "board1")).toContain("○ led off");
    expect(ui.frame()).toContain("1 change");
    session.setLed("board2", "led", false);
    await ui.until((f) => ledCell(f, "board2").includes("○ led off"), "board2's LED dark again");
  });

  it("a key press reaches the board's button, and the button is released after the hold", async () => {
    const session = new FakeSession();
    const ui = mount(session);
    await ui.until((f) => f.includes("board1"), "the view");
    await ui.press("2");
    expect(session.callsTo("pressButton")).toEqual([["board2", "button"]]);
    await ui.until((f) => f.includes("▣ pressed"), "the button pressed");
    await vi.waitFor(() => expect(session.callsTo("releaseButton")).toEqual([["board2", "button"]]), { timeout: 1000 });
    await ui.until((f) => !f.includes("▣ pressed"), "the button released");

    // The board file's key (space) presses board1's button; space then does not pause.
    await ui.press(" ");
    expect(session.callsTo("pressButton").at(-1)).toEqual(["board1", "button"]);
    expect(session.callsTo("pause")).toEqual([]);
  });

  it("auto-repeat keeps the button pressed: one press, one release", async () => {
    const session = new FakeSession();
    // Board time is wall time in the double: a long tap leaves room for a stalled event loop on a busy CI machine.
    const ui = mount(session, { tapMs: 1000 });
    await ui.until((f) => f.includes("board1"), "the view");
    for (let i = 0; i < 6; i++) await ui.press("1"); // ~15 ms apart, like a held key
    expect(session.callsTo("pressButton")).toEqual([["board1", "button"]]);
    expect(session.callsTo("releaseButton")).toEqual([]);
    await vi.waitFor(() => expect(session.callsTo("releaseButton")).toEqual([["board1", "button"]]), { timeout: 3000 });
  });

  it("uses real key-up events when the terminal reports them (kitty keyboard protocol)", async () => {
    const session = new FakeSession();
    const ui = mount(session, { tapMs: 30 });
    await ui.until((f) => f.includes("board1"), "the view");
    await ui.press("\u001B[49;1:1u"); // "1" down
    await new Promise((r) => setTimeout(r, 100)); // longer than tapMs: still held
    expect(session.callsTo("releaseButton")).toEqual([]);
    await ui.press("\u001B[49;1:3u"); // "1" up
    expect(session.callsTo("pressButton")).toEqual([["board1", "button"]]);
    expect(session.callsTo("releaseButton")).toEqual([["board1", "button"]]);
  });

  it("pauses, resumes and cycles the speed", async () => {
    const session = new FakeSession();
    const ui = mount(session);
    await ui.until((f) => f.includes("▶ running"), "running");
    await ui.press("p");
    await ui.until((f) => f.includes("⏸ paused"), "paused");
    await ui.press("p");
    await ui.until((f) => f.includes("▶ running"), "running again");
    await ui.press("s");
    await ui.until((f) => f.includes("speed 10x"), "10x");
    await ui.press("s");
    await ui.until((f) => f.includes("speed max"), "max");
    await ui.press("s");
    await ui.until((f) => f.includes("speed 1x"), "1x");
    expect(session.callsTo("setSpeed")).toEqual([[10], ["max"], [1]]);
    expect(session.callsTo("pause")).toHaveLength(1);
    expect(session.callsTo("resume")).toHaveLength(1);
  });

  it("the publish prompt sends a typed topic and payload", async () => {
    const session = new FakeSession();
    // A board subscribed to "led": the prompt offers it as the topic.
    session.trace.emit({ t: 4, kind: "mqtt", board: "bench", dir: "out", type: "subscribe", fields: { messageId: 1, topics: "#@0" }, raw: "" });
    session.trace.emit({ t: 5, kind: "mqtt", board: "board2", dir: "out", type: "subscribe", fields: { messageId: 1, topics: "led@0" }, raw: "" });
    const ui = mount(session);
    await ui.until((f) => f.includes("subscribe"), "the subscribe packet");
    await ui.press("m");
    await ui.until((f) => f.includes("publish · topic: led"), "the topic prompt with the guess");
    await ui.press("\u0015"); // Ctrl-U clears it
    await ui.press("lamp");
    await ui.press("\u007F"); // backspace
    await ui.until((f) => f.includes("publish · topic: lam"), "the edited topic");
    await ui.press("\u007F\u007F\u007F");
    await ui.press("led");
    await ui.press("\r");
    await ui.until((f) => f.includes("publish to led · payload:"), "the payload prompt");
    // Keys are text while the prompt is open: "1" and "q" neither press nor quit.
    await ui.press("q1");
    await ui.press("\u007F\u007F");
    await ui.press("toggle");
    await ui.press("\r");
    await vi.waitFor(() => expect(session.callsTo("publish")).toEqual([["led", "toggle"]]), { timeout: 1000 });
    expect(session.callsTo("pressButton")).toEqual([]);
    expect(ui.onQuit).not.toHaveBeenCalled();
    await ui.until((f) => f.includes('published "toggle" to led'), "the confirmation");
    await ui.until((f) => /bench\s+→ publish\s+led "toggle"/.test(f), "the bench's publish in the traffic pane");

    // Esc cancels without sending.
    await ui.press("m");
    await ui.until((f) => f.includes("publish · topic: led"), "the last topic offered again");
    await ui.press("\u001B");
    await ui.until((f) => f.includes("q quit"), "the key map back");
    expect(session.callsTo("publish")).toHaveLength(1);
  });

  it("the fault menu injects the chosen fault on the chosen board", async () => {
    const session = new FakeSession();
    const ui = mount(session);
    await ui.until((f) => f.includes("board1"), "the view");
    await ui.press("f");
    await ui.until((f) => f.includes("fault on which board? 1 board1 · 2 board2"), "the board menu");
    await ui.press("2");
    await ui.until((f) => f.includes("fault on board2: r reset connection · p partition start · e partition end"), "the fault menu");
    await ui.press("p");
    expect(session.callsTo("injectFault")).toEqual([["board2", "partition"]]);
    await ui.until((f) => f.includes("fault injected: partition on board2"), "the confirmation");

    await ui.press("f");
    await ui.press("1");
    await ui.press("r");
    await ui.press("f");
    await ui.press("2");
    await ui.press("e");
    expect(session.callsTo("injectFault")).toEqual([
      ["board2", "partition"],
      ["board1", "reset"],
      ["board2", "partition-end"],
    ]);

    // Esc leaves the menu; the menu's keys do nothing afterwards.
    await ui.press("f");
    await ui.press("\u001B");
    await ui.until((f) => f.includes("q quit"), "the key map back");
    expect(session.callsTo("injectFault")).toHaveLength(3);
    expect(session.callsTo("pause")).toEqual([]); // "p" in the menu was a fault, not a pause
  });

  it("shows network state, printed lines and step results from the trace", async () => {
    const session = new FakeSession();
    const ui = mount(session);
    session.trace.emit({ t: 100, kind: "print", board: "board2", text: "subscribed to b'led' topic" });
    session.trace.emit({ t: 110, kind: "step", index: 0, step: "wait-serial board2 \"ready\"", status: "pass" });
    session.trace.emit({ t: 120, kind: "step", index: 1, step: "press board1.button for 100ms", status: "start" });
    await ui.until((f) => f.includes("> subscribed to b'led' topic"), "the printed line");
    await ui.until((f) => f.includes("steps ✓▸· 1/3 ▸ 2 press board1.button"), "step progress");

    session.board("board1").net = { ...session.board("board1").net, partitioned: true, faults: 1 };
    session.trace.emit({ t: 130, kind: "net", board: "board1", event: "partition-start" });
    await ui.until((f) => f.includes("PARTITIONED") && f.includes("faults 1 · partition-start @00:00.130"), "the partition");

    session.trace.emit({ t: 200, kind: "step", index: 1, step: "press board1.button for 100ms", status: "pass" });
    session.trace.emit({ t: 300, kind: "step", index: 2, step: "wait-pin board2.led = 1", status: "fail", detail: "timed out after 2s" });
    await ui.until((f) => /steps ✓✓✗ 2\/3 ✗ 3 wait-pin board2\.led.*: timed out after 2s/.test(f), "the failed step");
    session.finish("fail");
    await ui.until((f) => f.includes(" FAIL "), "the verdict");
  });

  it("scrolls the traffic pane and follows the newest line again", async () => {
    const session = new FakeSession();
    const ui = mount(session, { size: { columns: 100, rows: 24 } });
    for (let i = 0; i < 60; i++) {
      session.trace.emit({ t: i, kind: "mqtt", board: "board1", dir: "out", type: "publish", fields: { topic: "led", payload: `msg-${i}`, qos: 0 }, raw: "" });
    }
    await ui.until((f) => f.includes('"msg-59"') && !f.includes('"msg-40"'), "the newest lines");
    await ui.press("\u001B[5~"); // PgUp
    await ui.until((f) => f.includes("scrolled back") && !f.includes('"msg-59"'), "older lines");
    // New lines do not move a scrolled-back view.
    const before = ui.frame().split("\n").filter((l) => l.includes("msg-")).join("\n");
    session.trace.emit({ t: 61, kind: "mqtt", board: "board1", dir: "out", type: "publish", fields: { topic: "led", payload: "msg-60", qos: 0 }, raw: "" });
    await ui.until((f) => f.includes("61 packets"), "the new packet counted");
    expect(ui.frame().split("\n").filter((l) => l.includes("msg-")).join("\n")).toBe(before);
    await ui.press("\u001B[A"); // up
    await ui.press("\u001B[B"); // down
    await ui.press("\u001B[F"); // End
    await ui.until((f) => f.includes('"msg-60"') && f.includes("newest last"), "following again");
  });

  it("filters the traffic pane to publishes with t", async () => {
    const session = new FakeSession();
    const ui = mount(session);
    session.trace.emit({ t: 1, kind: "mqtt", board: "board1", dir: "out", type: "pingreq", fields: {}, raw: "c000" });
    session.trace.emit({ t: 2, kind: "mqtt", board: "board1", dir: "out", type: "publish", fields: { topic: "led", payload: "toggle", qos: 0 }, raw: "" });
    await ui.until((f) => f.includes("pingreq"), "the ping");
    await ui.press("t");
    await ui.until((f) => !f.includes("pingreq") && f.includes("publishes only"), "publishes only");
  });

  it("quits on q and on Ctrl-C", async () => {
    const session = new FakeSession();
    const ui = mount(session);
    await ui.until((f) => f.includes("board1"), "the view");
    await ui.press("q");
    expect(ui.onQuit).toHaveBeenCalledTimes(1);
    await ui.until((f) => f.includes("stopping…"), "stopping");
    await ui.press("\u0003");
    expect(ui.onQuit).toHaveBeenCalledTimes(1);

    const other = new FakeSession();
    const ui2 = mount(other);
    await ui2.until((f) => f.includes("board1"), "the view");
    await ui2.press("\u0003");
    expect(ui2.onQuit).toHaveBeenCalledTimes(1);
  });

  it("quits by itself on the verdict when asked to", async () => {
    const session = new FakeSession();
    const ui = mount(session, { exitOnVerdict: true });
    await ui.until((f) => f.includes("board1"), "the view");
    session.finish("pass");
    await vi.waitFor(() => expect(ui.onQuit).toHaveBeenCalledTimes(1), { timeout: 1000 });
  });

  it("keeps bounded state however much the trace carries", async () => {
    const session = new FakeSession();
    const ui = mount(session);
    for (let i = 0; i < 5000; i++) {
      session.trace.emit({ t: i, kind: "print", board: "board1", text: `line ${i}` });
      session.trace.emit({ t: i, kind: "mqtt", board: "board1", dir: "out", type: "publish", fields: { topic: "x", payload: String(i) }, raw: "" });
    }
    await ui.until((f) => f.includes("> line 4999") && f.includes("5000 packets"), "the latest lines");
    expect(MAX_PRINTS).toBeLessThan(5000);
    expect(MAX_TRAFFIC).toBeLessThan(5000);
  });

  it.each([
    [79, 30],
    [60, 20],
    [100, 14],
    [40, 10],
    [30, 6],
    [20, 4],
    [8, 2],
    [1, 1],
  ])("degrades without breaking in a %ix%i terminal", async (columns, rows) => {
    const session = new FakeSession([{ name: "board1" }, { name: "board2" }, { name: "board3" }]);
    const ui = mount(session, { size: { columns, rows } });
    await ui.until((f) => f.length > 0, "a frame");
    session.setLed("board1", "led", true);
    await new Promise((r) => setTimeout(r, 30));
    const lines = ui.frame().split("\n");
    expect(lines.length).toBeLessThanOrEqual(Math.max(rows - 1, 1));
    for (const line of lines) expect(Array.from(line).length).toBeLessThanOrEqual(columns);
    if (rows < 15) expect(ui.frame()).not.toContain("MQTT traffic");
  });
});
