// A scenario board's `params:` as a Python module on the board's filesystem,
// so .py firmware reads them the same way on an emulated board and on a real
// one the bench uploads it to:
//
//   try:
//       from bench_params import PARAMS
//   except ImportError:       # run without the bench
//       PARAMS = {}
//   TOPIC = PARAMS.get("topic", "led")
//
// The module holds one dict of Python literals and nothing else, so importing
// it runs no code of ours on the board.

import { FirmwareError } from "../../emulator/firmware/load.ts";
import type { ScenarioBoard } from "../../emulator/scenario/types.ts";
import type { PythonFirmware } from "./firmware-files.ts";

/** The module's file name, at the root of the board's filesystem (on sys.path as ""). */
export const PARAMS_MODULE_FILE = "bench_params.py";

/** A value that has no Python literal (bad input: the scenario must change). */
export class ParamsError extends Error {
  override name = "ParamsError";
}

/** Nesting deeper than this is refused (YAML anchors can make a value contain itself). */
const MAX_DEPTH = 16;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A Python str literal: single quotes, escapes for quotes, backslashes and control characters; other text as UTF-8. */
function pyStr(s: string, where: string): string {
  if (LONE_SURROGATE.test(s)) throw new ParamsError(`${where}: text with a lone UTF-16 surrogate cannot be written as Python source`);
  let out = "'";
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === "\\" || ch === "'") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${out}'`;
}

function pyNumber(n: number, where: string): string {
  if (!Number.isFinite(n)) throw new ParamsError(`${where}: ${n} has no Python literal (write it as a string and convert it in the firmware)`);
  if (Number.isInteger(n)) {
    if (!Number.isSafeInteger(n)) throw new ParamsError(`${where}: ${n} is too large to be read exactly (write it as a string)`);
    return String(n);
  }
  return String(n); // shortest round-trip form, e.g. 0.1, 1.5e-7: Python reads the same double
}

function describe(v: unknown): string {
  if (v instanceof Date) return "a date";
  if (v === undefined) return "undefined";
  if (typeof v === "object") return `a ${(v as object).constructor?.name ?? "object"}`;
  return `a ${typeof v}`;
}

/** `value` as a Python literal (str, int, float, bool, None, list, dict with str keys); ParamsError naming `where` otherwise. */
export function pythonLiteral(value: unknown, where: string, depth = 0): string {
  if (depth > MAX_DEPTH) throw new ParamsError(`${where}: nested more than ${MAX_DEPTH} deep`);
  if (value === null) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "string") return pyStr(value, where);
  if (typeof value === "number") return pyNumber(value, where);
  if (Array.isArray(value)) return `[${value.map((v, i) => pythonLiteral(v, `${where}[${i}]`, depth + 1)).join(", ")}]`;
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value as Record<string, unknown>);
    return `{${entries.map(([k, v]) => `${pyStr(k, where)}: ${pythonLiteral(v, `${where}.${k}`, depth + 1)}`).join(", ")}}`;
  }
  throw new ParamsError(`${where}: ${describe(value)} has no Python literal (expected text, a number, true/false, null, a list or a mapping)`);
}

/**
 * The text of PARAMS_MODULE_FILE for a board's params: the same bytes for the
 * same params, whichever board (emulated or real) receives it. Throws
 * ParamsError, naming the field as `params.<key>...`, for a value with no
 * Python literal.
 */
export function paramsModuleText(params: Record<string, unknown>): string {
  const lines = ["# Written by umqtt-bench from the scenario's params for this board.", "PARAMS = {"];
  for (const [key, value] of Object.entries(params)) lines.push(`    ${pyStr(key, `params.${key}`)}: ${pythonLiteral(value, `params.${key}`)},`);
  lines.push("}", "");
  return lines.join("\n");
}

/** The board's files plus PARAMS_MODULE_FILE when the scenario gives the board params (bad values are bad input). */
export function withParams(spec: Pick<ScenarioBoard, "name" | "params">, firmware: PythonFirmware): Record<string, string> {
  if (Object.keys(spec.params).length === 0) return firmware.files;
  if (PARAMS_MODULE_FILE in firmware.files) {
    throw new FirmwareError(`board ${spec.name}: firmware ${firmware.label} has its own ${PARAMS_MODULE_FILE}, where the bench writes the board's params: rename it or drop params`);
  }
  try {
    return { ...firmware.files, [PARAMS_MODULE_FILE]: paramsModuleText(spec.params) };
  } catch (error) {
    if (error instanceof ParamsError) throw new FirmwareError(`board ${spec.name}: ${error.message}`);
    throw error;
  }
}
