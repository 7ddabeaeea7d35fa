// Styled text for the watch view, built as plain data and painted to ANSI in
// one pass. The view lays every line out itself at an exact terminal width,
// so ink only has to print one <Text> per line: many small styled ink nodes
// made a frame cost tens of milliseconds, enough to stall the run clock.

export interface Style {
  color?: string;
  bold?: boolean;
  dim?: boolean;
  inverse?: boolean;
}

/** A run of text in one style. */
export type Seg = readonly [text: string, style?: Style];
/** One terminal line. */
export type Line = Seg[];

const FG: Record<string, number> = {
  black: 30,
  red: 31,
  green: 32,
  yellow: 33,
  blue: 34,
  magenta: 35,
  cyan: 36,
  white: 37,
  gray: 90,
  grey: 90,
  blackBright: 90,
  redBright: 91,
  greenBright: 92,
  yellowBright: 93,
  blueBright: 94,
  magentaBright: 95,
  cyanBright: 96,
  whiteBright: 97,
};

/** Terminal cells a code point takes: 0 for combining marks, 2 for wide (CJK, emoji), else 1. */
function cells(cp: number): number {
  if (cp === 0x200b || cp === 0x200c || cp === 0x200d || cp === 0x2060) return 0;
  if ((cp >= 0x0300 && cp <= 0x036f) || (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0x20d0 && cp <= 0x20ff)) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/** Width of plain text in terminal cells. */
export function textWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += cells(ch.codePointAt(0) ?? 0);
  return w;
}

/** Cut plain text to at most `width` cells. */
function cut(text: string, width: number): { text: string; width: number } {
  let w = 0;
  let out = "";
  for (const ch of text) {
    const c = cells(ch.codePointAt(0) ?? 0);
    if (w + c > width) break;
    out += ch;
    w += c;
  }
  return { text: out, width: w };
}

export function lineWidth(line: readonly Seg[]): number {
  let w = 0;
  for (const [text] of line) w += textWidth(text);
  return w;
}

/**
 * Exactly `width` cells: longer lines are cut with an ellipsis, shorter ones
 * padded with spaces (in `pad`'s style, unstyled by default).
 */
export function fitLine(line: readonly Seg[], width: number, pad?: Style): Line {
  const w = Math.max(0, Math.floor(width));
  const total = lineWidth(line);
  if (total <= w) return total === w ? [...line] : [...line, [" ".repeat(w - total), pad]];
  const out: Line = [];
  let left = w - 1; // room for the ellipsis
  let lastStyle: Style | undefined;
  for (const [text, style] of line) {
    if (left <= 0) break;
    const part = cut(text, left);
    if (part.text) out.push([part.text, style]);
    left -= part.width;
    lastStyle = style;
    if (part.text.length < text.length) break;
  }
  if (w >= 1) out.push(["…", lastStyle]);
  const used = lineWidth(out);
  if (used < w) out.push([" ".repeat(w - used)]);
  return out;
}

/** Whether to paint colours: a TTY without NO_COLOR, or FORCE_COLOR. */
export function colorsWanted(stream: { isTTY?: boolean } | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0" && env.FORCE_COLOR !== "false") return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  return Boolean(stream?.isTTY);
}

function hex(color: string): number[] | undefined {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color);
  if (!m) return undefined;
  const h = m[1].length === 3 ? [...m[1]].map((c) => c + c).join("") : m[1];
  return [0, 2, 4].map((i) => Number.parseInt(h.slice(i, i + 2), 16));
}

/** ANSI for a line. Without colours, bold/dim/inverse still show (they are not colour). */
export function paint(line: readonly Seg[], colors: boolean): string {
  let out = "";
  for (const [text, style] of line) {
    if (!style || text === "") {
      out += text;
      continue;
    }
    const on: string[] = [];
    if (style.bold) on.push("1");
    if (style.dim) on.push("2");
    if (style.inverse) on.push("7");
    if (colors && style.color) {
      const code = FG[style.color];
      const rgb = code === undefined ? hex(style.color) : undefined;
      if (code !== undefined) on.push(String(code));
      else if (rgb) on.push(`38;2;${rgb.join(";")}`);
    }
    out += on.length ? `\u001B[${on.join(";")}m${text}\u001B[0m` : text;
  }
  return out;
}
