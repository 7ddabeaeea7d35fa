// The comparison as people read it (side by side, first divergence on top)
// and as programs read it (--json).

import { CONTEXT_BEFORE, type Comparison, type SideEvent } from "./compare.ts";

const COLUMN = 58;

export interface Labels {
  a: string;
  b: string;
}

export function humanDiffReport(c: Comparison, labels: Labels): string {
  const out: string[] = [];
  out.push(`A  ${labels.a}  (${c.events.a} events)`);
  out.push(`B  ${labels.b}  (${c.events.b} events)`);
  out.push("", "Normalised");
  for (const line of c.normalised) out.push(`  ${line}`);
  if (c.notCompared.length > 0) {
    out.push("", "Not compared");
    for (const line of c.notCompared) out.push(`  ${line}`);
  }
  out.push("", `Compared (pin tolerance ${c.tolerances.pinMs} ms, heap tolerance ${c.tolerances.heapPercent}%)`);
  const width = Math.max(...c.streams.map((s) => s.stream.length), 6);
  for (const s of c.streams) {
    const mark = !s.compared ? "·" : s.equal ? "=" : "≠";
    out.push(`  ${mark}  ${s.stream.padEnd(width)}  ${String(s.a).padStart(4)} | ${s.b}${s.compared ? "" : "  (not compared)"}`);
  }
  if (c.first) {
    const f = c.first;
    out.push("", `First divergence: ${f.stream} #${f.index + 1}${f.during ? ` during step ${f.during}` : ""} (${where(f.a, f.b)})`, `  ${f.reason}`);
    out.push(`    ${"A".padEnd(COLUMN)} | B`);
    // Both context windows start at the same position in the stream, so rows line up.
    const diverging = Math.min(f.index, CONTEXT_BEFORE);
    for (let i = 0; i < Math.max(f.context.a.length, f.context.b.length); i++) {
      out.push(`  ${i === diverging ? ">" : " "} ${cell(f.context.a[i]).padEnd(COLUMN)} | ${cell(f.context.b[i])}`);
    }
    if (!f.a || !f.b) out.push(`  ${f.a ? "B" : "A"} has no event here`);
    if (f.a?.hex !== undefined && f.b?.hex !== undefined) out.push(...byteLines(f.a.hex, f.b.hex));
  }
  const rest = c.differences.slice(1);
  if (rest.length > 0) {
    out.push("", `Other differences (${rest.length}, each stream's first)`);
    for (const d of rest) out.push(`  ${d.stream} #${d.index + 1} (${where(d.a, d.b)}): ${d.reason}`);
  }
  out.push("");
  out.push(
    c.equivalent
      ? `EQUIVALENT  ${labels.a} and ${labels.b}`
      : `DIFFERENT  ${labels.a} vs ${labels.b}: first divergence at ${c.first!.stream} #${c.first!.index + 1}${c.first!.during ? ` during step ${c.first!.during}` : ""} (${where(c.first!.a, c.first!.b)})`,
  );
  return out.join("\n");
}

export function jsonDiffReport(c: Comparison, labels: Labels): string {
  return JSON.stringify({ a: labels.a, b: labels.b, ...c }, null, 2);
}

function where(a: SideEvent | undefined, b: SideEvent | undefined): string {
  return `A ${a ? `line ${a.line}` : "none"}, B ${b ? `line ${b.line}` : "none"}`;
}

function cell(e: SideEvent | undefined): string {
  if (!e) return "";
  const text = `${String(e.line).padStart(5)}  ${e.show}`;
  return text.length > COLUMN ? `${text.slice(0, COLUMN - 3)}...` : text;
}

const HEX_SHOWN = 96;

/** Both packets in hex from a little before the first differing byte, with a caret under it. */
function byteLines(a: string, b: string): string[] {
  let at = 0;
  while (at < a.length && at < b.length && a.slice(at, at + 2) === b.slice(at, at + 2)) at += 2;
  const from = Math.max(0, at - 16);
  const shown = (h: string): string => `${from > 0 ? "..." : ""}${h.slice(from, from + HEX_SHOWN)}${h.length > from + HEX_SHOWN ? "..." : ""}`;
  const caret = " ".repeat((from > 0 ? 3 : 0) + at - from) + "^";
  return [`  A bytes  ${shown(a)}`, `  B bytes  ${shown(b)}`, `           ${caret} byte ${at / 2}`];
}
