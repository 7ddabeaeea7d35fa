// The watch view as lines of styled text, laid out at exact widths. Pure:
// everything it shows comes in through FrameInput, so it can be tested
// without ink or a terminal.

import type { RunResult } from "../../emulator/runner/result.ts";
import type { BoardView, HeapView, NetworkView, Speed } from "../../emulator/runner/session-api.ts";
import { boardColor, bytesText, clockText, fit, gauge, ledColor, printable, speedText } from "./format.ts";
import type { ButtonBinding } from "./keymap.ts";
import { keysFor, spacePauses } from "./keymap.ts";
import type { Layout } from "./layout.ts";
import { boardPaneHeight } from "./layout.ts";
import type { BoardState, PrintLine, StepState, TrafficLine } from "./state.ts";
import type { Line, Seg, Style } from "./style.ts";
import { fitLine, lineWidth, textWidth } from "./style.ts";

export type Mode =
  | { kind: "normal" }
  | { kind: "fault-board" }
  | { kind: "fault-kind"; board: string }
  | { kind: "prompt"; field: "topic" | "payload"; topic: string; payload: string };

export interface FaultChoice {
  key: string;
  label: string;
}

export interface Notice {
  text: string;
  tone: "ok" | "error";
}

export interface FrameInput {
  layout: Layout;
  scenario: string;
  now: number;
  speed: Speed;
  paused: boolean;
  seed: number;
  stopping: boolean;
  verdict?: RunResult;
  boards: readonly BoardView[];
  boardState: (name: string) => BoardState;
  prints: (name: string) => readonly PrintLine[];
  bindings: readonly ButtonBinding[];
  held: (board: string, button: string) => boolean;
  traffic: {
    lines: readonly TrafficLine[];
    total: number;
    following: boolean;
    newer: number;
    publishesOnly: boolean;
  };
  steps: readonly StepState[];
  mode: Mode;
  faults: readonly FaultChoice[];
  notice?: Notice;
}

/** Reads from a BoardView never take the view down. */
function safe<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

const NO_HEAP: HeapView = { budget: 0, used: 0, free: 0, largestFree: 0, peakUsed: 0 };
const NO_NET: NetworkView = {
  profile: "?",
  latencyMs: 0,
  connected: false,
  partitioned: false,
  wifiUp: false,
  connections: 0,
  resets: 0,
  faults: 0,
};

const DIM: Style = { dim: true };

export function verdictColor(status: RunResult["status"]): string {
  return status === "pass" ? "green" : status === "fail" ? "red" : "yellow";
}

function netState(net: NetworkView): Seg {
  if (!net.wifiUp) return ["wifi down", { color: "red", bold: true }];
  if (net.partitioned) return ["PARTITIONED", { color: "red", bold: true }];
  if (net.connected) return ["connected", { color: "green" }];
  return ["disconnected", { color: "yellow" }];
}

function header(f: FrameInput): Line {
  const run: Seg = f.stopping
    ? ["■ stopping…", { color: "yellow" }]
    : f.paused
      ? ["⏸ paused", { color: "yellow", bold: true }]
      : ["▶ running", { color: "green" }];
  // The verdict comes right after the scenario so a narrow terminal still shows it.
  return [
    ...(f.layout.columns >= 100 ? [["umqtt-bench watch ", { bold: true }] as Seg] : []),
    [f.scenario, { bold: true }],
    [" "],
    f.verdict
      ? [` ${f.verdict.status.toUpperCase()} `, { inverse: true, bold: true, color: verdictColor(f.verdict.status) }]
      : ["(verdict pending)", DIM],
    [" │ "],
    run,
    [` │ t ${clockText(f.now)} │ speed ${speedText(f.speed)} │ seed ${f.seed}`],
  ];
}

function ledLine(board: BoardView, led: BoardView["leds"][number], state: BoardState): Line {
  const lit = safe(() => board.ledLit(led.name), false);
  const changes = state.ledChanges.get(led.name) ?? 0;
  return [
    [lit ? "●" : "○", lit ? { color: ledColor(led.color), bold: true } : { color: "gray" }],
    [` ${led.name} `],
    [lit ? "ON " : "off", lit ? { bold: true } : DIM],
    [` · ${changes} change${changes === 1 ? "" : "s"} · pin ${led.pin} ${led.color}${led.activeLow ? " active-low" : ""}`, DIM],
  ];
}

function buttonPressed(f: FrameInput, board: BoardView, button: string): boolean {
  return safe(() => board.buttonPressed(button), false) || f.held(board.name, button);
}

/** The content lines of a board pane (without borders), `inner` cells wide. */
function boardLines(f: FrameInput, board: BoardView, inner: number): Line[] {
  const state = f.boardState(board.name);
  const heap = safe(() => board.heap(), NO_HEAP);
  const net = safe(() => board.network(), NO_NET);
  const lines: Line[] = [];
  const status: Seg[] = state.crashed ? [[" CRASHED", { color: "red", bold: true }]] : state.exited ? [[" exited", DIM]] : [];
  lines.push([[`${board.name}  `, { bold: true, color: boardColor(f.boards.indexOf(board)) }], [`${board.model} · ${board.firmware}`], ...status]);

  if (board.leds.length === 0) lines.push([["no LEDs", DIM]]);
  for (const led of board.leds) lines.push(ledLine(board, led, state));

  for (const button of board.buttons) {
    const pressed = buttonPressed(f, board, button.name);
    lines.push([
      [`[${keysFor(f.bindings, board.name, button.name)}]`, { inverse: true, bold: true }],
      [` ${button.name} `],
      [pressed ? "▣ pressed" : "□ up", pressed ? { color: "yellow", bold: true } : DIM],
      [` pin ${button.pin}`, DIM],
    ]);
  }

  const fraction = heap.budget > 0 ? heap.used / heap.budget : 0;
  const suffix = ` ${Math.round(fraction * 100)}% of ${bytesText(heap.budget)}`;
  const bar = gauge(fraction, Math.min(24, Math.max(0, inner - 5 - suffix.length)));
  lines.push([
    ["heap "],
    [bar.filled, { color: fraction > 0.85 ? "red" : fraction > 0.6 ? "yellow" : "green" }],
    [bar.empty, DIM],
    [suffix],
  ]);
  lines.push([
    [`used ${bytesText(heap.used)} · free ${bytesText(heap.free)} · largest ${bytesText(heap.largestFree)} · peak ${bytesText(heap.peakUsed)}`, DIM],
  ]);

  const reconnects = Math.max(0, net.connections - 1);
  lines.push([[`net ${net.profile} ${net.latencyMs}ms `], netState(net), [` · conn ${net.connections} · reconn ${reconnects}`, DIM]]);
  const last = state.lastNet ? ` · ${state.lastNet.event} @${clockText(state.lastNet.t)}` : "";
  lines.push([[`resets ${net.resets} · faults ${net.faults}${last}`, DIM]]);

  const prints = f.layout.printLines > 0 ? f.prints(board.name).slice(-f.layout.printLines) : [];
  for (const p of prints) {
    lines.push([[`> ${p.text}`, p.tone === "error" ? { color: "red" } : p.tone === "info" ? DIM : undefined]]);
  }
  return lines;
}

/** A bordered pane `width` cells wide and `height` rows high. */
function pane(content: readonly Line[], width: number, height: number, color: string): Line[] {
  const inner = Math.max(0, width - 2);
  const border: Style = { color };
  if (width < 2 || height < 2) return Array.from({ length: Math.max(0, height) }, () => fitLine([], width));
  const out: Line[] = [[["╭" + "─".repeat(inner) + "╮", border]]];
  for (let i = 0; i < height - 2; i++) {
    out.push([["│", border], ...fitLine(content[i] ?? [], inner), ["│", border]]);
  }
  out.push([["╰" + "─".repeat(inner) + "╯", border]]);
  return out;
}

function compactBoard(f: FrameInput, board: BoardView): Line {
  const heap = safe(() => board.heap(), NO_HEAP);
  const net = safe(() => board.network(), NO_NET);
  const state = f.boardState(board.name);
  const pct = heap.budget > 0 ? Math.round((heap.used / heap.budget) * 100) : 0;
  const line: Line = [[`${board.name} `, { bold: true, color: boardColor(f.boards.indexOf(board)) }]];
  for (const led of board.leds) {
    const lit = safe(() => board.ledLit(led.name), false);
    line.push([lit ? "●" : "○", lit ? { color: ledColor(led.color), bold: true } : { color: "gray" }], [`${led.name} `]);
  }
  for (const button of board.buttons) {
    const pressed = buttonPressed(f, board, button.name);
    line.push([`[${keysFor(f.bindings, board.name, button.name)}]${pressed ? "▣" : "□"}${button.name} `, pressed ? { color: "yellow" } : undefined]);
  }
  line.push([`heap ${pct}% `], netState(net));
  if (state.crashed) line.push([" CRASHED", { color: "red", bold: true }]);
  const last = f.prints(board.name).at(-1);
  if (last) line.push([` > ${last.text}`, DIM]);
  return line;
}

function boards(f: FrameInput): Line[] {
  const { layout } = f;
  const shown = f.boards.slice(0, layout.boardsShown);
  if (layout.mode === "compact") {
    const out = shown.map((b) => compactBoard(f, b));
    const hidden = f.boards.length - shown.length;
    if (hidden > 0 && layout.moreLine) out.push([[`+${hidden} more board${hidden === 1 ? "" : "s"} (enlarge the terminal)`, DIM]]);
    return out;
  }
  const out: Line[] = [];
  for (let i = 0; i < shown.length; i += layout.perRow) {
    const row = shown.slice(i, i + layout.perRow);
    const height = Math.max(...row.map((b) => boardPaneHeight({ leds: b.leds.length, buttons: b.buttons.length }, layout.printLines)));
    const panes = row.map((b) => pane(boardLines(f, b, layout.boardWidth - 2), layout.boardWidth, height, boardColor(f.boards.indexOf(b))));
    for (let r = 0; r < height; r++) out.push(panes.flatMap((p) => p[r]));
  }
  return out;
}

function trafficPane(f: FrameInput): Line[] {
  const { layout, traffic } = f;
  const where = traffic.following ? "newest last" : `scrolled back · ${traffic.newer} newer below (End to follow)`;
  const title = `── MQTT traffic · ${traffic.total} packet${traffic.total === 1 ? "" : "s"}${traffic.publishesOnly ? " · publishes only" : ""} · ${where} `;
  const out: Line[] = [[[title + "─".repeat(Math.max(0, layout.columns - textWidth(title))), DIM]]];
  const nameWidth = Math.min(12, Math.max(5, ...f.boards.map((b) => b.name.length)));
  for (let i = 0; i < layout.trafficLines; i++) {
    const l = traffic.lines[i];
    if (!l) {
      out.push([]);
      continue;
    }
    const index = f.boards.findIndex((b) => b.name === l.board);
    out.push([
      [`${clockText(l.t)} `, DIM],
      [l.board.padEnd(nameWidth), { color: boardColor(index) }],
      [` ${l.dir === "out" ? "→" : "←"} `],
      [l.type.padEnd(8), l.type === "publish" ? { bold: true } : undefined],
      ...(l.topic !== undefined ? [[` ${l.topic}`, { color: "cyan" }] as Seg] : []),
      ...(l.payload !== undefined ? [[` "${l.payload}"`, { bold: true }] as Seg] : []),
      ...(l.extra ? [[` ${l.extra}`, DIM] as Seg] : []),
    ]);
  }
  return out;
}

const STEP_MARK: Record<StepState["status"], string> = { pending: "·", running: "▸", pass: "✓", fail: "✗" };
const STEP_STYLE: Record<StepState["status"], Style> = {
  pending: DIM,
  running: { color: "yellow" },
  pass: { color: "green" },
  fail: { color: "red", bold: true },
};

function stepsLine(f: FrameInput): Line {
  const steps = f.steps;
  const done = steps.filter((s) => s.status === "pass").length;
  const failed = steps.find((s) => s.status === "fail");
  const running = steps.find((s) => s.status === "running");
  const marks = steps.length <= 40 ? steps : steps.slice(-40);
  let tail = "";
  if (f.verdict && f.verdict.status !== "pass") tail = f.verdict.failure ?? (failed ? `${failed.description}${failed.detail ? `: ${failed.detail}` : ""}` : "");
  else if (failed) tail = `✗ ${failed.index + 1} ${failed.description}${failed.detail ? `: ${failed.detail}` : ""}`;
  else if (running) tail = `▸ ${running.index + 1} ${running.description}`;
  else if (f.verdict) tail = "all steps passed";
  return [
    ["steps "],
    ...marks.map((s): Seg => [STEP_MARK[s.status], STEP_STYLE[s.status]]),
    [` ${done}/${steps.length} `],
    ...(f.verdict ? [[`${f.verdict.status.toUpperCase()} `, { bold: true, color: verdictColor(f.verdict.status) }] as Seg] : []),
    [printable(tail), failed || (f.verdict && f.verdict.status !== "pass") ? { color: "red" } : undefined],
  ];
}

function footer(f: FrameInput): Line {
  const { mode } = f;
  const width = f.layout.columns;
  if (mode.kind === "fault-board") {
    const choices = f.boards.slice(0, 9).map((b, i) => `${i + 1} ${b.name}`).join(" · ");
    return [[`fault on which board? ${choices} · Esc cancel`, { color: "yellow" }]];
  }
  if (mode.kind === "fault-kind") {
    const choices = f.faults.map((c) => `${c.key} ${c.label}`).join(" · ");
    return [[`fault on ${mode.board}: ${choices} · Esc cancel`, { color: "yellow" }]];
  }
  if (mode.kind === "prompt") {
    const label = mode.field === "topic" ? "publish · topic: " : `publish to ${printable(mode.topic)} · payload: `;
    const value = printable(mode.field === "topic" ? mode.topic : mode.payload);
    const hint = mode.field === "topic" ? "  (Enter: next · Ctrl-U: clear · Esc: cancel)" : "  (Enter: send · Esc: cancel)";
    // Keep the end of a long value (where the cursor is) in view.
    const room = Math.max(4, width - textWidth(label) - textWidth(hint) - 1);
    const chars = Array.from(value);
    const shown = textWidth(value) > room ? `…${chars.slice(-(room - 1)).join("")}` : value;
    return [[label, { color: "cyan", bold: true }], [shown], [" ", { inverse: true }], [hint, DIM]];
  }
  const pause = spacePauses(f.bindings) ? "p/space pause" : "p pause";
  const press = f.bindings.some((b) => b.keys.length > 0) ? "[key] press button · " : "";
  const keys = `q quit · ${press}${pause} · s speed · f fault · m publish · t filter · ↑↓ PgUp PgDn scroll`;
  const notice: Seg[] = f.notice ? [[fit(f.notice.text, Math.floor(width / 2)), { color: f.notice.tone === "error" ? "red" : "green" }], [" │ "]] : [];
  return [...notice, [keys, DIM]];
}

/** Every line of the frame, none wider than `layout.columns` cells, and at most `rows - 1` of them. */
export function buildFrame(f: FrameInput): Line[] {
  const { layout } = f;
  const lines: Line[] = [header(f), ...boards(f)];
  if (layout.showTraffic) lines.push(...trafficPane(f));
  if (layout.showSteps) lines.push(stepsLine(f));
  if (layout.showFooter) lines.push(footer(f));
  const max = Math.max(1, layout.rows - 1);
  // Lines are not padded to the edge: a line that fills the last column makes some terminals wrap.
  return lines.slice(0, max).map((l) => (lineWidth(l) > layout.columns ? fitLine(l, layout.columns) : l));
}
