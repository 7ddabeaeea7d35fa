// Small text formatters for the watch view. Pure functions, no ink.

import type { Speed } from "../../emulator/runner/session-api.ts";

/** Virtual time as m:ss.mmm (h:mm:ss.mmm past an hour). */
export function clockText(ms: number): string {
  const total = Math.max(0, Math.floor(ms));
  const millis = total % 1000;
  const secs = Math.floor(total / 1000) % 60;
  const mins = Math.floor(total / 60_000) % 60;
  const hours = Math.floor(total / 3_600_000);
  const tail = `${String(secs).padStart(2, "0")}.${String(millis).padStart(3, "0")}`;
  if (hours > 0) return `${hours}:${String(mins).padStart(2, "0")}:${tail}`;
  return `${String(mins).padStart(2, "0")}:${tail}`;
}

export function speedText(speed: Speed): string {
  return speed === "max" ? "max" : `${Number.isInteger(speed) ? speed : speed.toFixed(1)}x`;
}

/** The speeds the `s` key cycles through. */
export const SPEED_CYCLE: readonly Speed[] = [1, 10, "max"];

export function nextSpeed(current: Speed): Speed {
  const i = SPEED_CYCLE.indexOf(current);
  return SPEED_CYCLE[(i + 1) % SPEED_CYCLE.length] ?? 1;
}

/** Byte counts the way a heap gauge wants them: 812B, 12.3K. */
export function bytesText(n: number): string {
  if (!Number.isFinite(n)) return "?";
  if (Math.abs(n) < 1024) return `${Math.round(n)}B`;
  const k = n / 1024;
  return `${k < 100 ? k.toFixed(1) : Math.round(k)}K`;
}

/** A horizontal gauge: `filled` of `width` cells, the rest shaded. */
export function gauge(fraction: number, width: number): { filled: string; empty: string } {
  const w = Math.max(0, Math.floor(width));
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  const n = Math.round(f * w);
  return { filled: "█".repeat(n), empty: "░".repeat(w - n) };
}

/** Cut a string to `width` terminal cells, marking the cut with an ellipsis. */
export function fit(text: string, width: number): string {
  const w = Math.max(0, Math.floor(width));
  const chars = Array.from(text);
  if (chars.length <= w) return text;
  if (w <= 1) return chars.slice(0, w).join("");
  return `${chars.slice(0, w - 1).join("")}…`;
}

export function padEnd(text: string, width: number): string {
  const n = Array.from(text).length;
  return n >= width ? text : text + " ".repeat(width - n);
}

/** Control characters in payloads and printed lines would break the frame. */
export function printable(text: string): string {
  return text.replace(/\r?\n/g, "⏎").replace(/[\u0000-\u001f\u007f-\u009f]/g, "·");
}

/** Colours a terminal can show through ink; anything else maps to a near one. */
const NAMED = new Set([
  "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white", "gray", "grey",
  "blackBright", "redBright", "greenBright", "yellowBright", "blueBright", "magentaBright", "cyanBright", "whiteBright",
]);
const ALIASES: Record<string, string> = {
  orange: "#ffa500",
  amber: "#ffbf00",
  purple: "magenta",
  violet: "magenta",
  pink: "#ff69b4",
  warmwhite: "#fff4e0",
  "warm-white": "#fff4e0",
  ir: "gray",
  infrared: "gray",
  rgb: "white",
};

/** A board file's LED colour as something ink's <Text color> accepts safely. */
export function ledColor(color: string | undefined): string {
  const c = (color ?? "").trim();
  if (NAMED.has(c)) return c;
  const lower = c.toLowerCase();
  if (NAMED.has(lower)) return lower;
  if (ALIASES[lower]) return ALIASES[lower];
  if (/^#[0-9a-f]{3}([0-9a-f]{3})?$/i.test(c)) return c;
  return "white";
}

/** Colours given to boards in order, so a board keeps its colour across panes. */
const BOARD_COLORS = ["cyan", "magenta", "yellow", "green", "blueBright", "redBright"] as const;

export function boardColor(index: number): string {
  return index < 0 ? "white" : BOARD_COLORS[index % BOARD_COLORS.length];
}
