// Board files: boards/<id>.json describes one board model (pins, LED and
// button wiring and polarity, heap budget, unique id, DNS errno, default
// network profile). This module loads and validates them; a malformed file
// gets a BoardFileError whose one-line message names the file and the field.

import { readFileSync, readdirSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { profileNames } from "../network/net-profiles.ts";

export type Active = "low" | "high";
/** A GPIO number, or a named pin such as the Pico W's "LED" (see `named_pins`). */
export type PinId = number | string;

export interface LedDef {
  name: string;
  pin: PinId;
  active: Active;
  /** A terminal colour name for the UI, e.g. "blue". */
  color: string;
}

export interface ButtonDef {
  name: string;
  pin: PinId;
  active: Active;
  /** Preferred key in the interactive UI. */
  key?: string;
}

export interface BoardDefinition {
  id: string;
  name: string;
  description: string;
  /** GPIO numbers firmware may use. */
  pins: number[];
  /**
   * Pins known by name, mapped to the number used in traces. For pins with
   * no GPIO number of their own (the Pico W's CYW43 WL_GPIO0 "LED").
   */
  named_pins: Record<string, number>;
  leds: LedDef[];
  buttons: ButtonDef[];
  heap: {
    /** Bytes of GC heap free to firmware after boot (gc.mem_free() at the REPL). */
    budget: number;
    /** Where the figure comes from. */
    source: string;
  };
  /** machine.unique_id() as hex. */
  unique_id: string;
  /** The errno a failed getaddrinfo raises on this port (negative, e.g. -2 or -202). */
  dns_errno: number;
  /** Default network profile name. */
  network: string;
}

/** A malformed or missing board file. The message is one line: `<file>: <field>: <problem>`. */
export class BoardFileError extends Error {
  override name = "BoardFileError";
  constructor(
    readonly file: string,
    readonly field: string | undefined,
    readonly problem: string,
  ) {
    super(field ? `${file}: ${field}: ${problem}` : `${file}: ${problem}`);
  }
}

/** The boards/ directory shipped with the package. */
export const builtinBoardsDir = fileURLToPath(new URL("../../../boards/", import.meta.url));

/** Ids of the built-in boards, sorted. */
export function listBoards(dir = builtinBoardsDir): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -5))
    .sort();
}

/**
 * Load a board by built-in id ("esp8266") or by path to a JSON file
 * (anything containing "/" or ending in ".json").
 */
export function loadBoard(idOrPath: string, dir = builtinBoardsDir): BoardDefinition {
  const isPath = idOrPath.includes("/") || idOrPath.includes("\\") || idOrPath.endsWith(".json");
  if (!isPath && !listBoards(dir).includes(idOrPath)) {
    throw new BoardFileError(
      `boards/${idOrPath}.json`,
      undefined,
      `no such board; known boards: ${listBoards(dir).join(", ")}`,
    );
  }
  const path = isPath ? idOrPath : join(dir, `${idOrPath}.json`);
  const label = isPath ? idOrPath : `boards/${idOrPath}.json`;
  return loadBoardFile(path, label);
}

/** Read and validate one board file. `label` is how messages name it. */
export function loadBoardFile(path: string, label = path): BoardDefinition {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new BoardFileError(label, undefined, code === "ENOENT" ? "file not found" : `cannot read (${code ?? String(err)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new BoardFileError(label, undefined, `not valid JSON (${(err as Error).message.split("\n")[0]})`);
  }
  return parseBoardDefinition(json, label, basename(path).replace(/\.json$/, ""));
}

const TOP_FIELDS = [
  "id",
  "name",
  "description",
  "pins",
  "named_pins",
  "leds",
  "buttons",
  "heap",
  "unique_id",
  "dns_errno",
  "network",
] as const;

/**
 * Validate parsed JSON as a board definition. `file` names it in errors;
 * `expectedId`, when given, must equal the `id` field (the file's base name).
 */
export function parseBoardDefinition(json: unknown, file: string, expectedId?: string): BoardDefinition {
  const fail = (field: string | undefined, problem: string): never => {
    throw new BoardFileError(file, field, problem);
  };
  if (!isObject(json)) return fail(undefined, "expected a JSON object");
  for (const key of Object.keys(json)) {
    if (!(TOP_FIELDS as readonly string[]).includes(key)) fail(key, `unknown field (known: ${TOP_FIELDS.join(", ")})`);
  }

  const id = str(json, "id", fail);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(id)) fail("id", "expected lowercase letters, digits and dashes");
  if (expectedId !== undefined && id !== expectedId) fail("id", `expected "${expectedId}" to match the file name, got "${id}"`);
  const name = str(json, "name", fail);
  const description = str(json, "description", fail, true);

  if (!Array.isArray(json.pins) || json.pins.length === 0) fail("pins", "expected a non-empty array of GPIO numbers");
  const pins: number[] = [];
  (json.pins as unknown[]).forEach((p, i) => {
    if (!isGpio(p)) fail(`pins[${i}]`, "expected an integer GPIO number (0-63)");
    if (pins.includes(p as number)) fail(`pins[${i}]`, `GPIO${p as number} is listed twice`);
    pins.push(p as number);
  });

  const named_pins: Record<string, number> = {};
  if (json.named_pins !== undefined) {
    if (!isObject(json.named_pins)) fail("named_pins", "expected an object of pin name -> trace number");
    for (const [pinName, num] of Object.entries(json.named_pins as Record<string, unknown>)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(pinName)) fail(`named_pins.${pinName}`, "expected a pin name of letters, digits and _");
      if (typeof num !== "number" || !Number.isInteger(num) || num < 0 || num > 255) {
        fail(`named_pins.${pinName}`, "expected an integer pin number (0-255) for traces");
      }
      if (pins.includes(num as number) && !Object.values(named_pins).includes(num as number)) {
        fail(`named_pins.${pinName}`, `number ${num as number} collides with GPIO${num as number} in pins`);
      }
      named_pins[pinName] = num as number;
    }
  }

  const pinRef = (value: unknown, field: string): PinId => {
    if (typeof value === "string") {
      if (!(value in named_pins)) fail(field, `expected a GPIO number or a name from named_pins, got "${value}"`);
      return value;
    }
    if (!isGpio(value)) return fail(field, "expected an integer GPIO number");
    if (!pins.includes(value as number)) fail(field, `GPIO${value as number} is not in pins`);
    return value as number;
  };
  const active = (obj: Record<string, unknown>, field: string): Active => {
    if (obj.active !== "low" && obj.active !== "high") fail(field, 'expected "low" or "high"');
    return obj.active as Active;
  };

  const usedNames = new Set<string>();
  const usedPins = new Map<number, string>();
  const claim = (pin: PinId, field: string, partName: string) => {
    const num = typeof pin === "number" ? pin : named_pins[pin]!;
    const other = usedPins.get(num);
    if (other !== undefined) fail(field, `pin already wired to ${other}`);
    usedPins.set(num, partName);
  };
  const partName = (obj: Record<string, unknown>, field: string): string => {
    if (typeof obj.name !== "string" || obj.name.trim() === "") fail(`${field}.name`, "expected a non-empty string");
    const n = obj.name as string;
    if (usedNames.has(n)) fail(`${field}.name`, `"${n}" is used twice`);
    usedNames.add(n);
    return n;
  };

  const leds: LedDef[] = arr(json, "leds", fail).map((raw, i) => {
    const field = `leds[${i}]`;
    if (!isObject(raw)) return fail(field, "expected an object {name, pin, active, color}");
    onlyKeys(raw, ["name", "pin", "active", "color"], field, fail);
    const ledName = partName(raw, field);
    const pin = pinRef(raw.pin, `${field}.pin`);
    const act = active(raw, `${field}.active`);
    if (typeof raw.color !== "string" || raw.color === "") fail(`${field}.color`, "expected a colour name, e.g. \"blue\"");
    claim(pin, `${field}.pin`, `LED "${ledName}"`);
    return { name: ledName, pin, active: act, color: raw.color as string };
  });

  const buttons: ButtonDef[] = arr(json, "buttons", fail).map((raw, i) => {
    const field = `buttons[${i}]`;
    if (!isObject(raw)) return fail(field, "expected an object {name, pin, active, key?}");
    onlyKeys(raw, ["name", "pin", "active", "key"], field, fail);
    const buttonName = partName(raw, field);
    const pin = pinRef(raw.pin, `${field}.pin`);
    const act = active(raw, `${field}.active`);
    if (raw.key !== undefined && (typeof raw.key !== "string" || raw.key === "")) fail(`${field}.key`, "expected a key name");
    claim(pin, `${field}.pin`, `button "${buttonName}"`);
    const def: ButtonDef = { name: buttonName, pin, active: act };
    if (raw.key !== undefined) def.key = raw.key as string;
    return def;
  });

  if (!isObject(json.heap)) return fail("heap", "expected an object {budget, source}");
  onlyKeys(json.heap, ["budget", "source"], "heap", fail);
  const budget = json.heap.budget;
  if (typeof budget !== "number" || !Number.isInteger(budget) || budget < 1024 || budget > 64 * 1024 * 1024) {
    fail("heap.budget", "expected an integer number of bytes (1024 or more)");
  }
  if (typeof json.heap.source !== "string" || json.heap.source.trim() === "") {
    fail("heap.source", "expected a note saying where the figure comes from");
  }

  const unique_id = str(json, "unique_id", fail);
  if (!/^([0-9a-fA-F]{2}){1,16}$/.test(unique_id)) fail("unique_id", "expected 1 to 16 bytes as hex, e.g. \"a1b2c3d4\"");

  const dns_errno = json.dns_errno;
  if (typeof dns_errno !== "number" || !Number.isInteger(dns_errno) || dns_errno >= 0) {
    fail("dns_errno", "expected a negative integer, e.g. -2 (lwIP ports) or -202 (ESP32)");
  }

  const network = str(json, "network", fail);
  if (!profileNames().includes(network)) fail("network", `unknown profile "${network}" (known: ${profileNames().join(", ")})`);

  return {
    id,
    name,
    description,
    pins,
    named_pins,
    leds,
    buttons,
    heap: { budget: budget as number, source: json.heap.source as string },
    unique_id: unique_id.toLowerCase(),
    dns_errno: dns_errno as number,
    network,
  };
}

/** The trace number of a pin id (GPIO number, or the number a named pin maps to). */
export function pinNumber(def: BoardDefinition, pin: PinId): number | undefined {
  if (typeof pin === "number") return def.pins.includes(pin) ? pin : undefined;
  return def.named_pins[pin];
}

// ---- helpers -------------------------------------------------------------

type Fail = (field: string | undefined, problem: string) => never;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isGpio(v: unknown): boolean {
  return typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 63;
}

function str(obj: Record<string, unknown>, key: string, fail: Fail, allowEmpty = false): string {
  const v = obj[key];
  if (typeof v !== "string" || (!allowEmpty && v.trim() === "")) return fail(key, "expected a non-empty string");
  return v;
}

function arr(obj: Record<string, unknown>, key: string, fail: Fail): unknown[] {
  const v = obj[key];
  if (v === undefined) return [];
  if (!Array.isArray(v)) return fail(key, "expected an array");
  return v;
}

function onlyKeys(obj: Record<string, unknown>, allowed: string[], field: string, fail: Fail): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) fail(`${field}.${key}`, `unknown field (known: ${allowed.join(", ")})`);
  }
}

/**
 * The model a scenario board runs as: `--board NAME=MODEL` for it, else
 * `--board MODEL` for every board, else the scenario's `board:`, a path
 * relative to the scenario's folder when it looks like one.
 */
export function boardModel(spec: { name: string; board: string }, overrides: { boardModel?: string; boardModels?: Record<string, string> }, baseDir: string): string {
  const override = overrides.boardModels?.[spec.name] ?? overrides.boardModel;
  if (override !== undefined) return override;
  return /[\\/]/.test(spec.board) ? resolve(baseDir, spec.board) : spec.board;
}
