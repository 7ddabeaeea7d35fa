// The panes of the watch view. Every line is cut to the pane's width before
// it reaches ink, so a frame never wraps and never grows past the layout.

import { Box, Text } from "ink";
import type { ReactNode } from "react";
import type { RunResult } from "../../emulator/result.ts";
import type { BoardView, HeapView, NetworkView, Speed } from "../../emulator/session-api.ts";
import { boardColor, bytesText, clockText, fit, gauge, ledColor, padEnd, speedText } from "./format.ts";
import type { ButtonBinding } from "./keymap.ts";
import { keysFor } from "./keymap.ts";
import type { BoardState, StepState, TrafficLine } from "./state.ts";

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

export function heapOf(board: BoardView): HeapView {
  return safe(() => board.heap(), NO_HEAP);
}

export function networkOf(board: BoardView): NetworkView {
  return safe(() => board.network(), NO_NET);
}

export function ledLit(board: BoardView, led: string): boolean {
  return safe(() => board.ledLit(led), false);
}

/** One line of text, cut to `width`. */
function Line(props: { width: number; children: ReactNode; dim?: boolean; color?: string; bold?: boolean }) {
  return (
    <Box width={props.width} height={1} overflow="hidden">
      <Text wrap="truncate-end" dimColor={props.dim} color={props.color} bold={props.bold}>
        {props.children}
      </Text>
    </Box>
  );
}

function netState(net: NetworkView): { text: string; color: string } {
  if (!net.wifiUp) return { text: "wifi down", color: "red" };
  if (net.partitioned) return { text: "PARTITIONED", color: "red" };
  if (net.connected) return { text: "connected", color: "green" };
  return { text: "disconnected", color: "yellow" };
}

export interface BoardPaneProps {
  board: BoardView;
  index: number;
  state: BoardState;
  prints: readonly { text: string; tone?: "error" | "info" }[];
  bindings: readonly ButtonBinding[];
  held: (board: string, button: string) => boolean;
  width: number;
  printLines: number;
  /** Rows every pane in this row of panes takes, so borders line up. */
  height: number;
}

export function BoardPane(p: BoardPaneProps) {
  const { board } = p;
  const inner = Math.max(1, p.width - 2);
  const heap = heapOf(board);
  const net = networkOf(board);
  const fraction = heap.budget > 0 ? heap.used / heap.budget : 0;
  const pct = Math.round(fraction * 100);
  const gaugeSuffix = ` ${pct}% of ${bytesText(heap.budget)}`;
  const bar = gauge(fraction, Math.min(24, Math.max(0, inner - 5 - gaugeSuffix.length)));
  const state = netState(net);
  const reconnects = Math.max(0, net.connections - 1);
  const last = p.state.lastNet ? `${p.state.lastNet.event} @${clockText(p.state.lastNet.t)}` : "";
  const title = `${board.name}  ${board.model} · ${board.firmware}`;
  const prints = p.printLines > 0 ? p.prints.slice(-p.printLines) : [];
  const status = p.state.crashed ? " CRASHED" : p.state.exited ? " exited" : "";

  return (
    <Box flexDirection="column" borderStyle="round" borderColor={boardColor(p.index)} width={p.width} height={p.height} overflow="hidden">
      <Line width={inner} bold color={boardColor(p.index)}>
        {fit(title, inner - status.length)}
        <Text color="red">{status}</Text>
      </Line>
      {board.leds.length === 0 ? (
        <Line width={inner} dim>
          no LEDs
        </Line>
      ) : (
        board.leds.map((led) => {
          const lit = ledLit(board, led.name);
          const changes = p.state.ledChanges.get(led.name) ?? 0;
          const detail = ` · ${changes} change${changes === 1 ? "" : "s"} · pin ${led.pin} ${led.color}${led.activeLow ? " active-low" : ""}`;
          return (
            <Line key={`led-${led.name}`} width={inner}>
              <Text color={lit ? ledColor(led.color) : "gray"} dimColor={!lit} bold={lit}>
                {lit ? "●" : "○"}
              </Text>
              {` ${led.name} `}
              <Text bold={lit} dimColor={!lit}>
                {lit ? "ON " : "off"}
              </Text>
              <Text dimColor>{detail}</Text>
            </Line>
          );
        })
      )}
      {board.buttons.map((button) => {
        const key = keysFor(p.bindings, board.name, button.name);
        const pressed = safe(() => board.buttonPressed(button.name), false) || p.held(board.name, button.name);
        return (
          <Line key={`btn-${button.name}`} width={inner}>
            <Text inverse bold>{`[${key}]`}</Text>
            {` ${button.name} `}
            <Text color={pressed ? "yellow" : undefined} bold={pressed} dimColor={!pressed}>
              {pressed ? "▣ pressed" : "□ up"}
            </Text>
            <Text dimColor>{` pin ${button.pin}`}</Text>
          </Line>
        );
      })}
      <Line width={inner}>
        {"heap "}
        <Text color={fraction > 0.85 ? "red" : fraction > 0.6 ? "yellow" : "green"}>{bar.filled}</Text>
        <Text dimColor>{bar.empty}</Text>
        {gaugeSuffix}
      </Line>
      <Line width={inner} dim>
        {`used ${bytesText(heap.used)} · free ${bytesText(heap.free)} · largest ${bytesText(heap.largestFree)} · peak ${bytesText(heap.peakUsed)}`}
      </Line>
      <Line width={inner}>
        {`net ${net.profile} ${net.latencyMs}ms `}
        <Text color={state.color}>{state.text}</Text>
        <Text dimColor>{` · conn ${net.connections} · reconn ${reconnects}`}</Text>
      </Line>
      <Line width={inner} dim>
        {`resets ${net.resets} · faults ${net.faults}${last ? ` · ${last}` : ""}`}
      </Line>
      {prints.map((line, i) => (
        <Line key={`print-${i}`} width={inner} color={line.tone === "error" ? "red" : undefined} dim={line.tone === "info"}>
          {`> ${line.text}`}
        </Line>
      ))}
    </Box>
  );
}

/** One line per board, for terminals too small for panes. */
export function CompactBoard(p: Omit<BoardPaneProps, "printLines" | "height">) {
  const { board } = p;
  const heap = heapOf(board);
  const net = networkOf(board);
  const pct = heap.budget > 0 ? Math.round((heap.used / heap.budget) * 100) : 0;
  const state = netState(net);
  const lastPrint = p.prints.at(-1)?.text;
  const parts: ReactNode[] = [];
  for (const led of board.leds) {
    const lit = ledLit(board, led.name);
    parts.push(
      <Text key={`l-${led.name}`}>
        <Text color={lit ? ledColor(led.color) : "gray"} dimColor={!lit}>
          {lit ? "●" : "○"}
        </Text>
        {`${led.name} `}
      </Text>,
    );
  }
  for (const button of board.buttons) {
    const key = keysFor(p.bindings, board.name, button.name);
    const pressed = safe(() => board.buttonPressed(button.name), false) || p.held(board.name, button.name);
    parts.push(<Text key={`b-${button.name}`} color={pressed ? "yellow" : undefined}>{`[${key}]${pressed ? "▣" : "□"}${button.name} `}</Text>);
  }
  return (
    <Line width={p.width}>
      <Text bold color={boardColor(p.index)}>{`${board.name} `}</Text>
      {parts}
      {`heap ${pct}% `}
      <Text color={state.color}>{state.text}</Text>
      {p.state.crashed ? <Text color="red"> CRASHED</Text> : null}
      {lastPrint ? <Text dimColor>{` > ${lastPrint}`}</Text> : null}
    </Line>
  );
}

export interface TrafficPaneProps {
  lines: readonly TrafficLine[];
  total: number;
  width: number;
  height: number;
  following: boolean;
  newer: number;
  publishesOnly: boolean;
  boardIndex: (name: string) => number;
  nameWidth: number;
}

export function TrafficPane(p: TrafficPaneProps) {
  const where = p.following ? "newest last" : `scrolled back · ${p.newer} newer below (End to follow)`;
  const title = `── MQTT traffic · ${p.total} packet${p.total === 1 ? "" : "s"}${p.publishesOnly ? " · publishes only" : ""} · ${where} `;
  const rule = title.length < p.width ? title + "─".repeat(p.width - title.length) : fit(title, p.width);
  const rows: ReactNode[] = [];
  for (let i = 0; i < p.height; i++) {
    const line = p.lines[i];
    if (!line) {
      rows.push(<Line key={`empty-${i}`} width={p.width}>{" "}</Line>);
      continue;
    }
    const arrow = line.dir === "out" ? "→" : "←";
    const head = `${clockText(line.t)} `;
    const who = padEnd(line.board, p.nameWidth);
    const type = padEnd(line.type, 8);
    const topic = line.topic !== undefined ? ` ${line.topic}` : "";
    const payload = line.payload !== undefined ? ` "${line.payload}"` : "";
    const extra = line.extra ? ` ${line.extra}` : "";
    rows.push(
      <Line key={`t-${line.seq}`} width={p.width}>
        <Text dimColor>{head}</Text>
        <Text color={boardColor(p.boardIndex(line.board))}>{who}</Text>
        {` ${arrow} `}
        <Text bold={line.type === "publish"}>{type}</Text>
        <Text color="cyan">{topic}</Text>
        <Text color="white" bold>{payload}</Text>
        <Text dimColor>{extra}</Text>
      </Line>,
    );
  }
  return (
    <Box flexDirection="column" width={p.width}>
      <Line width={p.width} dim>
        {rule}
      </Line>
      {rows}
    </Box>
  );
}

export interface HeaderProps {
  scenario: string;
  now: number;
  speed: Speed;
  paused: boolean;
  seed: number;
  stopping: boolean;
  verdict?: RunResult;
  width: number;
}

export function verdictColor(status: RunResult["status"]): string {
  return status === "pass" ? "green" : status === "fail" ? "red" : "yellow";
}

export function Header(p: HeaderProps) {
  const run = p.stopping ? "■ stopping…" : p.paused ? "⏸ paused" : "▶ running";
  // The verdict comes right after the scenario so a narrow terminal still shows it.
  return (
    <Line width={p.width}>
      {p.width >= 100 ? <Text bold>umqtt-bench watch </Text> : null}
      <Text bold>{p.scenario}</Text>
      {" "}
      {p.verdict ? (
        <Text bold inverse color={verdictColor(p.verdict.status)}>{` ${p.verdict.status.toUpperCase()} `}</Text>
      ) : (
        <Text dimColor>(verdict pending)</Text>
      )}
      {" │ "}
      <Text color={p.paused || p.stopping ? "yellow" : "green"}>{run}</Text>
      {` │ t ${clockText(p.now)} │ speed ${speedText(p.speed)} │ seed ${p.seed}`}
    </Line>
  );
}

const STEP_MARK: Record<StepState["status"], string> = { pending: "·", running: "▸", pass: "✓", fail: "✗" };
const STEP_COLOR: Record<StepState["status"], string | undefined> = { pending: undefined, running: "yellow", pass: "green", fail: "red" };

export function StepsLine(p: { steps: readonly StepState[]; verdict?: RunResult; width: number }) {
  const done = p.steps.filter((s) => s.status === "pass").length;
  const failed = p.steps.find((s) => s.status === "fail");
  const running = p.steps.find((s) => s.status === "running");
  const marks = p.steps.length <= 40 ? p.steps : p.steps.slice(-40);
  let tail = "";
  if (p.verdict && p.verdict.status !== "pass") tail = p.verdict.failure ?? (failed ? `${failed.description}${failed.detail ? `: ${failed.detail}` : ""}` : "");
  else if (failed) tail = `✗ ${failed.index + 1} ${failed.description}${failed.detail ? `: ${failed.detail}` : ""}`;
  else if (running) tail = `▸ ${running.index + 1} ${running.description}`;
  else if (p.verdict) tail = "all steps passed";
  return (
    <Line width={p.width}>
      {"steps "}
      {marks.map((s) => (
        <Text key={`s-${s.index}`} color={STEP_COLOR[s.status]} dimColor={s.status === "pending"}>
          {STEP_MARK[s.status]}
        </Text>
      ))}
      {` ${done}/${p.steps.length} `}
      {p.verdict ? <Text color={verdictColor(p.verdict.status)} bold>{`${p.verdict.status.toUpperCase()} `}</Text> : null}
      <Text color={failed ? "red" : undefined}>{tail}</Text>
    </Line>
  );
}

export { Line };
