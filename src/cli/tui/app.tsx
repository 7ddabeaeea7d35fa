// The watch view: an ink app that draws a running BenchSession from its trace
// and its BoardViews, and turns key presses into session calls.

import { Box, Text, useInput, useStdout } from "ink";
import type { Key } from "ink";
import { useEffect, useMemo, useRef, useState } from "react";
import type { RunResult } from "../../emulator/runner/result.ts";
import type { FaultKind } from "../../emulator/scenario/types.ts";
import type { BenchSession } from "../../emulator/runner/session-api.ts";
import { nextSpeed, speedText } from "./format.ts";
import { ButtonHolder } from "./hold.ts";
import { bindButtons, bindingFor, spacePauses } from "./keymap.ts";
import type { ButtonBinding } from "./keymap.ts";
import { computeLayout } from "./layout.ts";
import { WatchStore } from "./state.ts";
import type { TrafficLine } from "./state.ts";
import { colorsWanted, paint } from "./style.ts";
import { buildFrame } from "./view.ts";
import type { Mode } from "./view.ts";

export interface WatchAppProps {
  session: BenchSession;
  /** Called once when the user asks to quit (q, Ctrl-C), or on the verdict with `exitOnVerdict`. */
  onQuit: () => void;
  /** Terminal size; defaults to the stdout ink renders to, following resizes. */
  size?: { columns: number; rows: number };
  /** Wall milliseconds between frames (at most ~20 fps by default). */
  refreshMs?: number;
  /** Board milliseconds a key press holds a button (see hold.ts). */
  tapMs?: number;
  /** Quit by itself once the scenario's verdict is in. */
  exitOnVerdict?: boolean;
  /** Paint colours (default: when the output is a TTY and NO_COLOR is not set). */
  colors?: boolean;
}

/** Fault keys in the fault menu. */
export const FAULT_KEYS: readonly { key: string; fault: FaultKind; label: string }[] = [
  { key: "r", fault: "reset", label: "reset connection" },
  { key: "p", fault: "partition", label: "partition start" },
  { key: "e", fault: "partition-end", label: "partition end" },
  { key: "w", fault: "wifi-down", label: "wifi down" },
  { key: "u", fault: "wifi-up", label: "wifi up" },
];

interface Notice {
  text: string;
  tone: "ok" | "error";
  until: number;
}

type Scroll = { follow: true } | { follow: false; endSeq: number };

const NOTICE_MS = 4000;

function useTerminalSize(override?: { columns: number; rows: number }): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = () => ({ columns: stdout?.columns ?? 80, rows: stdout?.rows ?? 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    if (override || !stdout) return;
    const onResize = () => setSize(read());
    stdout.on("resize", onResize);
    return () => {
      stdout.off("resize", onResize);
    };
  }, [stdout, override]);
  return override ?? size;
}

/** The trace store lives as long as the view; it replays what happened before the view started. */
function useWatchStore(session: BenchSession): WatchStore {
  const [store] = useState(() => {
    const s = new WatchStore(
      session.scenario,
      session.boards.map((b) => b.name),
    );
    // A wired LED starts dark and the trace carries only level changes, so count changes from dark.
    for (const board of session.boards) {
      for (const led of board.leds) s.seedLed(board.name, led.name, led.activeLow ? 1 : 0);
    }
    const events = session.trace.events;
    for (const e of events) s.apply(e);
    return s;
  });
  useEffect(() => session.trace.subscribe((e) => store.apply(e)), [session, store]);
  return store;
}

function visibleTraffic(all: readonly TrafficLine[], scroll: Scroll, page: number): { lines: TrafficLine[]; newer: number; endIdx: number } {
  if (page <= 0 || all.length === 0) return { lines: [], newer: 0, endIdx: all.length - 1 };
  let endIdx = all.length - 1;
  if (!scroll.follow) {
    // Last line at or before the anchor; if the anchor fell out of the buffer, show the oldest page.
    let i = endIdx;
    while (i >= 0 && all[i].seq > scroll.endSeq) i--;
    endIdx = Math.max(i, Math.min(page - 1, all.length - 1));
  }
  const start = Math.max(0, endIdx - page + 1);
  return { lines: all.slice(start, endIdx + 1), newer: all.length - 1 - endIdx, endIdx };
}

export function WatchApp(props: WatchAppProps) {
  const { session } = props;
  const store = useWatchStore(session);
  const size = useTerminalSize(props.size);
  const { stdout } = useStdout();
  const colors = props.colors ?? colorsWanted(stdout);
  const refreshMs = props.refreshMs ?? 50;
  const [, setFrame] = useState(0);
  const rerender = () => setFrame((f) => (f + 1) % 1_000_000);

  const holder = useMemo(() => new ButtonHolder(session, { tapMs: props.tapMs }, rerender), [session, props.tapMs]);
  const bindings = useMemo<ButtonBinding[]>(() => bindButtons(session.boards), [session]);

  const modeRef = useRef<Mode>({ kind: "normal" });
  const scrollRef = useRef<Scroll>({ follow: true });
  const noticeRef = useRef<Notice | undefined>(undefined);
  const publishesOnlyRef = useRef(false);
  const lastTopicRef = useRef<string | undefined>(undefined);
  const quittingRef = useRef(false);
  const [verdict, setVerdict] = useState<RunResult | undefined>(undefined);

  const setMode = (mode: Mode) => {
    modeRef.current = mode;
    rerender();
  };
  const notify = (text: string, tone: Notice["tone"] = "ok") => {
    noticeRef.current = { text, tone, until: Date.now() + NOTICE_MS };
    rerender();
  };
  const attempt = (what: string, action: () => void) => {
    try {
      action();
    } catch (err) {
      notify(`${what} failed: ${err instanceof Error ? err.message : String(err)}`, "error");
    }
  };
  const quit = () => {
    if (quittingRef.current) return;
    quittingRef.current = true;
    holder.releaseAll();
    rerender();
    props.onQuit();
  };

  // Frames: redraw when the trace, the clock, or the run state changed; never faster than refreshMs.
  useEffect(() => {
    let last = "";
    const timer = setInterval(() => {
      const notice = noticeRef.current;
      if (notice && Date.now() > notice.until) noticeRef.current = undefined;
      const key = `${store.version}|${safeNow(session)}|${session.paused}|${session.speed}|${noticeRef.current?.text ?? ""}`;
      if (key !== last) {
        last = key;
        rerender();
      }
    }, refreshMs);
    return () => clearInterval(timer);
  }, [session, store, refreshMs]);

  useEffect(() => {
    let live = true;
    session.verdict.then(
      (result) => {
        if (!live) return;
        setVerdict(result);
        if (props.exitOnVerdict) quit();
      },
      (err: unknown) => {
        if (live) notify(`run failed: ${err instanceof Error ? err.message : String(err)}`, "error");
      },
    );
    return () => {
      live = false;
    };
  }, [session]);

  useEffect(() => () => holder.releaseAll(), [holder]);

  const layout = computeLayout(
    size.columns,
    size.rows,
    session.boards.map((b) => ({ leds: b.leds.length, buttons: b.buttons.length })),
  );

  const allTraffic = store.traffic.all();
  const traffic = publishesOnlyRef.current ? allTraffic.filter((l) => l.type === "publish") : allTraffic;

  const scrollBy = (delta: number) => {
    const { endIdx } = visibleTraffic(traffic, scrollRef.current, layout.trafficLines);
    const page = Math.max(1, layout.trafficLines);
    const target = Math.min(traffic.length - 1, Math.max(Math.min(page - 1, traffic.length - 1), endIdx + delta));
    if (target < 0 || target >= traffic.length - 1) scrollRef.current = { follow: true };
    else scrollRef.current = { follow: false, endSeq: traffic[target].seq };
    rerender();
  };

  // A terminal may deliver several keys in one read (fast typing, auto-repeat, paste): take them one at a time.
  useInput((input: string, key: Key) => {
    for (const [i, k] of splitKeys(input, key)) onKey(i, k);
  });

  function onKey(input: string, key: Key): void {
    if ((key.ctrl && input === "c") || input === "\u0003") return quit();
    if (quittingRef.current) return;
    const mode = modeRef.current;
    const release = key.eventType === "release";

    if (mode.kind === "prompt") {
      if (release) return;
      return promptKey(mode, input, key);
    }
    if (mode.kind === "fault-board") {
      if (release) return;
      if (key.escape) return setMode({ kind: "normal" });
      const i = Number.parseInt(input, 10);
      const board = Number.isInteger(i) ? session.boards[i - 1] : undefined;
      if (board) setMode({ kind: "fault-kind", board: board.name });
      return;
    }
    if (mode.kind === "fault-kind") {
      if (release) return;
      if (key.escape) return setMode({ kind: "normal" });
      const choice = FAULT_KEYS.find((f) => f.key === input.toLowerCase());
      if (!choice) return;
      setMode({ kind: "normal" });
      attempt(`fault ${choice.fault}`, () => {
        session.injectFault(mode.board, choice.fault);
        notify(`fault injected: ${choice.fault} on ${mode.board}`);
      });
      return;
    }

    // Buttons first: a board file may bind any key that is not a command key.
    const chars = Array.from(input);
    if (chars.length > 0 && !key.ctrl && !key.meta && chars.every((c) => bindingFor(bindings, c))) {
      for (const c of chars) {
        const b = bindingFor(bindings, c)!;
        attempt(`press ${b.board}.${b.button}`, () => {
          if (key.eventType === "release") holder.up(b.board, b.button);
          else if (key.eventType) holder.down(b.board, b.button);
          else holder.tap(b.board, b.button);
        });
      }
      return;
    }
    if (release) return;

    if (input === "q") return quit();
    if (input === "p" || (input === " " && spacePauses(bindings))) {
      attempt(session.paused ? "resume" : "pause", () => (session.paused ? session.resume() : session.pause()));
      return rerender();
    }
    if (input === "s") {
      const speed = nextSpeed(session.speed);
      attempt("speed", () => session.setSpeed(speed));
      return notify(`speed ${speedText(speed)}`);
    }
    if (input === "f") {
      if (session.boards.length === 0) return notify("no boards to fault", "error");
      if (session.boards.length === 1) return setMode({ kind: "fault-kind", board: session.boards[0].name });
      return setMode({ kind: "fault-board" });
    }
    if (input === "m") {
      return setMode({ kind: "prompt", field: "topic", topic: lastTopicRef.current ?? guessTopic(allTraffic), payload: "" });
    }
    if (input === "t") {
      publishesOnlyRef.current = !publishesOnlyRef.current;
      scrollRef.current = { follow: true };
      return rerender();
    }
    const page = Math.max(1, layout.trafficLines);
    if (key.upArrow) return scrollBy(-1);
    if (key.downArrow) return scrollBy(1);
    if (key.pageUp) return scrollBy(-page);
    if (key.pageDown) return scrollBy(page);
    if (key.home) return scrollBy(-traffic.length);
    if (key.end) {
      scrollRef.current = { follow: true };
      return rerender();
    }
  }

  function promptKey(mode: Extract<Mode, { kind: "prompt" }>, input: string, key: Key): void {
    if (key.escape) return setMode({ kind: "normal" });
    const field = mode.field;
    const value = mode[field];
    if (key.return) {
      if (field === "topic") {
        if (mode.topic.length === 0) return notify("type a topic first", "error");
        return setMode({ ...mode, field: "payload" });
      }
      setMode({ kind: "normal" });
      lastTopicRef.current = mode.topic;
      const { topic, payload } = mode;
      try {
        session.publish(topic, payload).then(
          () => notify(`published "${payload}" to ${topic}`),
          (err: unknown) => notify(`publish failed: ${err instanceof Error ? err.message : String(err)}`, "error"),
        );
      } catch (err) {
        notify(`publish failed: ${err instanceof Error ? err.message : String(err)}`, "error");
      }
      return;
    }
    if (key.backspace || key.delete) return setMode({ ...mode, [field]: Array.from(value).slice(0, -1).join("") });
    if (key.ctrl && input === "u") return setMode({ ...mode, [field]: "" });
    if (key.ctrl || key.meta || key.tab || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow) return;
    if (input.length === 0) return;
    const text = input.replace(/[\u0000-\u001f\u007f]/g, "");
    if (text) setMode({ ...mode, [field]: value + text });
  }

  const { lines: trafficLines, newer } = visibleTraffic(traffic, scrollRef.current, layout.trafficLines);
  const frame = buildFrame({
    layout,
    scenario: session.scenario.name,
    now: safeNow(session),
    speed: session.speed,
    paused: session.paused,
    seed: session.seed,
    stopping: quittingRef.current,
    verdict,
    boards: session.boards,
    boardState: (name) => store.boardState(name),
    prints: (name) => store.prints(name),
    bindings,
    held: (board, button) => holder.isHeld(board, button),
    traffic: {
      lines: trafficLines,
      total: store.trafficTotal,
      following: scrollRef.current.follow,
      newer,
      publishesOnly: publishesOnlyRef.current,
    },
    steps: store.steps,
    mode: modeRef.current,
    faults: FAULT_KEYS,
    notice: noticeRef.current,
  });

  // One <Text> per line: ink lays out and diffs a handful of nodes instead of hundreds.
  return (
    <Box flexDirection="column">
      {frame.map((line, i) => (
        <Text key={i} wrap="truncate-end">
          {paint(line, colors)}
        </Text>
      ))}
    </Box>
  );
}

const NO_KEY: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

/** Splits plain multi-character input into one key each; anything else passes through as it came. */
export function splitKeys(input: string, key: Key): [string, Key][] {
  const chars = Array.from(input);
  if (chars.length <= 1 || key.ctrl || key.meta || key.eventType !== undefined) return [[input, key]];
  return chars.map((c): [string, Key] => {
    if (c === "\r" || c === "\n") return ["", { ...NO_KEY, return: true }];
    if (c === "\u007F" || c === "\b") return ["", { ...NO_KEY, backspace: true }];
    if (c === "\t") return ["", { ...NO_KEY, tab: true }];
    if (c === "\u0003") return ["c", { ...NO_KEY, ctrl: true }];
    if (c === "\u0015") return ["u", { ...NO_KEY, ctrl: true }];
    return [c, { ...NO_KEY, shift: /[A-Z]/.test(c) }];
  });
}

function safeNow(session: BenchSession): number {
  try {
    return session.now();
  } catch {
    return 0;
  }
}

/** The topic a person most likely wants: the latest one a board subscribed to (wildcards aside). */
export function guessTopic(traffic: readonly TrafficLine[]): string {
  for (let i = traffic.length - 1; i >= 0; i--) {
    const line = traffic[i];
    if (line.type !== "subscribe" || line.board === "bench") continue;
    // The decoder lists subscriptions as "topics=a@0,b@1"; a plain topic field is taken as is.
    const listed = /(?:^|\s)topics=(\S+)/.exec(line.extra)?.[1];
    const candidates = line.topic ? [line.topic] : (listed ?? "").split(",").map((t) => t.replace(/@\d$/, ""));
    const topic = candidates.find((t) => t && !t.includes("#") && !t.includes("+"));
    if (topic) return topic;
  }
  return "";
}
