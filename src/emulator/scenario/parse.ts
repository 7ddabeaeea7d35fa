// Reads a scenario file (YAML or JSON) into a validated Scenario. Every
// problem becomes a ScenarioError whose one-line message names the file and
// the field, e.g. `my.yaml: steps[2].wait-serial.timeout: expected a duration`.

import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { parseDuration } from "./duration.ts";
import { UMQTT_VERSIONS, isUmqttVersion } from "../../client/versions.ts";
import type { UmqttLoad } from "../board/heap-calibration.ts";

/** How umqtt can be loaded on a board ("none" is for tests of the model only). */
const LOADS: readonly string[] = ["frozen", "mpy", "py"];
import type { FaultKind, PinTarget, Scenario, ScenarioBoard, Step } from "./types.ts";

export class ScenarioError extends Error {
  override name = "ScenarioError";
}

const DEFAULT_WAIT_MS = 5_000;
const DEFAULT_SCENARIO_TIMEOUT_MS = 60_000;
const FAULTS: readonly FaultKind[] = ["reset", "partition", "partition-end", "wifi-down", "wifi-up", "dns-fail", "dns-ok"];

type Obj = Record<string, unknown>;

/** Field-path aware reader: each accessor fails with the path of the bad field. */
class Reader {
  constructor(
    private readonly where: string,
    readonly value: Obj,
    private readonly path: string,
  ) {}

  fail(field: string, problem: string): never {
    const at = [this.path, field].filter(Boolean).join(".");
    throw new ScenarioError(`${this.where}: ${at}: ${problem}`);
  }

  has(field: string): boolean {
    return this.value[field] !== undefined;
  }

  string(field: string, fallback?: string): string {
    const v = this.value[field];
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    if (typeof v !== "string" || v === "") this.fail(field, v === undefined ? "is required" : "expected a non-empty string");
    return v;
  }

  optionalString(field: string): string | undefined {
    return this.has(field) ? this.string(field) : undefined;
  }

  int(field: string, fallback?: number): number {
    const v = this.value[field];
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== "number" || !Number.isInteger(v)) this.fail(field, v === undefined ? "is required" : "expected an integer");
    return v;
  }

  bit(field: string): 0 | 1 {
    const v = this.value[field];
    if (v === 0 || v === 1 || v === false || v === true) return v ? 1 : 0;
    return this.fail(field, v === undefined ? "is required" : "expected 0 or 1");
  }

  duration(field: string, fallback?: number): number {
    const v = this.value[field];
    if (v === undefined && fallback !== undefined) return fallback;
    if (v === undefined) this.fail(field, "is required");
    const ms = parseDuration(v);
    if (typeof ms === "string") this.fail(field, ms);
    return ms;
  }

  only(allowed: readonly string[]): void {
    for (const key of Object.keys(this.value)) {
      if (!allowed.includes(key)) this.fail(key, `unknown field (expected one of: ${allowed.join(", ")})`);
    }
  }

  child(field: string, index?: number): Reader {
    const v = this.value[field];
    const path = [this.path, index === undefined ? field : `${field}[${index}]`].filter(Boolean).join(".");
    const value = index === undefined ? v : (v as unknown[])[index];
    if (!isObject(value)) throw new ScenarioError(`${this.where}: ${path}: expected a mapping`);
    return new Reader(this.where, value, path);
  }
}

function isObject(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Load and validate a scenario file. `source` is how messages name it. */
export function loadScenarioFile(path: string, source = path): Scenario {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ScenarioError(`${source}: cannot read scenario file (${code ?? String(error)})`);
  }
  return parseScenarioText(text, source, dirname(resolve(path)));
}

export function parseScenarioText(text: string, source: string, baseDir: string): Scenario {
  let document: unknown;
  try {
    document = parseYaml(text); // YAML is a superset of JSON: one parser serves both
  } catch (error) {
    const first = String((error as Error).message).split("\n")[0];
    throw new ScenarioError(`${source}: not valid YAML or JSON: ${first}`);
  }
  if (!isObject(document)) throw new ScenarioError(`${source}: expected a mapping with name, boards and steps`);
  return readScenario(new Reader(source, document, ""), source, baseDir);
}

function readScenario(r: Reader, source: string, baseDir: string): Scenario {
  r.only(["name", "description", "timeout", "boards", "steps"]);
  const boardsValue = r.value.boards;
  if (!Array.isArray(boardsValue) || boardsValue.length === 0) r.fail("boards", "expected a non-empty list of boards");
  const boards = boardsValue.map((_, i) => readBoard(r.child("boards", i)));
  const names = new Set<string>();
  for (const [i, b] of boards.entries()) {
    if (names.has(b.name)) r.fail(`boards[${i}].name`, `duplicate board name "${b.name}"`);
    names.add(b.name);
  }
  const stepsValue = r.value.steps ?? [];
  if (!Array.isArray(stepsValue)) r.fail("steps", "expected a list of steps");
  const steps = stepsValue.map((_, i) => readStep(r.child("steps", i), names, boards[0].name));
  return {
    name: r.string("name"),
    description: r.string("description", ""),
    source,
    baseDir,
    timeoutMs: r.duration("timeout", DEFAULT_SCENARIO_TIMEOUT_MS),
    boards,
    steps,
  };
}

function readBoard(r: Reader): ScenarioBoard {
  r.only(["name", "board", "firmware", "net", "umqtt", "umqtt-load", "params"]);
  const umqttLoad = r.value["umqtt-load"];
  if (umqttLoad !== undefined && !LOADS.includes(umqttLoad as string)) r.fail("umqtt-load", `expected one of: ${LOADS.join(", ")}`);
  const umqtt = r.value.umqtt === undefined ? undefined : String(r.value.umqtt);
  if (umqtt !== undefined && !isUmqttVersion(umqtt)) r.fail("umqtt", `unknown umqtt.simple version "${umqtt}" (expected one of: ${UMQTT_VERSIONS.join(", ")})`);
  const params = r.value.params ?? {};
  if (!isObject(params)) r.fail("params", "expected a mapping of firmware parameters");
  return {
    name: r.string("name"),
    board: r.string("board"),
    firmware: r.string("firmware"),
    net: r.optionalString("net"),
    ...(umqtt === undefined ? {} : { umqtt }),
    ...(umqttLoad === undefined ? {} : { umqttLoad: umqttLoad as UmqttLoad }),
    params,
  };
}

const STEP_TYPES = [
  "delay",
  "wait-serial",
  "expect-no-serial",
  "set-control",
  "press",
  "expect-pin",
  "wait-pin",
  "publish",
  "expect-message",
  "fault",
  "wait-net",
  "wait-mqtt",
  "expect-heap",
] as const;

function readStep(r: Reader, boards: Set<string>, defaultBoard: string): Step {
  const keys = Object.keys(r.value);
  const type = keys.find((k) => (STEP_TYPES as readonly string[]).includes(k));
  if (!type || keys.length !== 1) {
    r.fail("", `expected exactly one step (one of: ${STEP_TYPES.join(", ")}), got ${keys.join(", ") || "nothing"}`);
  }
  // Shorthand forms: `delay: 500ms`, `wait-serial: "text"`, `publish` needs a mapping.
  const raw = r.value[type];
  if (type === "delay") return { type, ms: r.duration(type) };
  if (type === "wait-serial" && typeof raw === "string") {
    return { type, text: raw, timeoutMs: DEFAULT_WAIT_MS };
  }
  const s = r.child(type);
  const board = (): string => {
    const name = s.string("board", defaultBoard);
    if (!boards.has(name)) s.fail("board", `no board named "${name}" (boards: ${[...boards].join(", ")})`);
    return name;
  };
  switch (type) {
    case "wait-serial":
      s.only(["board", "text", "timeout"]);
      return { type, board: s.has("board") ? board() : undefined, text: s.string("text"), timeoutMs: s.duration("timeout", DEFAULT_WAIT_MS) };
    case "expect-no-serial":
      s.only(["board", "text", "for"]);
      return { type, board: s.has("board") ? board() : undefined, text: s.string("text"), forMs: s.duration("for") };
    case "set-control":
      s.only(["board", "control", "value"]);
      return { type, board: board(), control: s.string("control"), value: s.bit("value") };
    case "press":
      s.only(["board", "control", "hold"]);
      return { type, board: board(), control: s.string("control", "button"), holdMs: s.duration("hold", 100) };
    case "expect-pin":
      s.only(["board", "pin", "led", "value", "state"]);
      return { type, ...readPinExpectation(s, board()) };
    case "wait-pin":
      s.only(["board", "pin", "led", "value", "state", "timeout"]);
      return { type, ...readPinExpectation(s, board()), timeoutMs: s.duration("timeout", DEFAULT_WAIT_MS) };
    case "publish": {
      s.only(["topic", "payload", "size", "qos", "retain"]);
      const qos = s.int("qos", 0);
      if (qos !== 0 && qos !== 1) return s.fail("qos", "expected 0 or 1 (umqtt does not support QoS 2)");
      if (s.has("payload") && s.has("size")) s.fail("size", "give either payload or size, not both");
      const payload = s.has("size") ? generatedPayload(s.int("size")) : s.has("payload") ? String(s.value.payload) : "";
      return { type, topic: s.string("topic"), payload, qos, retain: s.value.retain === true };
    }
    case "expect-message":
      s.only(["topic", "payload", "timeout"]);
      return { type, topic: s.string("topic"), payload: s.has("payload") ? String(s.value.payload) : undefined, timeoutMs: s.duration("timeout", DEFAULT_WAIT_MS) };
    case "fault": {
      s.only(["board", "kind", "duration"]);
      const fault = s.string("kind") as FaultKind;
      if (!FAULTS.includes(fault)) s.fail("kind", `unknown fault "${fault}" (expected one of: ${FAULTS.join(", ")})`);
      return { type, board: board(), fault, durationMs: s.has("duration") ? s.duration("duration") : undefined };
    }
    case "wait-net":
      s.only(["board", "event", "timeout"]);
      return { type, board: board(), event: s.string("event"), timeoutMs: s.duration("timeout", DEFAULT_WAIT_MS) };
    case "wait-mqtt": {
      s.only(["board", "packet", "dir", "topic", "timeout"]);
      const dir = s.optionalString("dir");
      if (dir !== undefined && dir !== "out" && dir !== "in") return s.fail("dir", `expected "out" (board to broker) or "in", got "${dir}"`);
      return { type, board: board(), packet: s.string("packet").toLowerCase(), dir, topic: s.optionalString("topic"), timeoutMs: s.duration("timeout", DEFAULT_WAIT_MS) };
    }
    case "expect-heap": {
      s.only(["board", "max-used", "min-free"]);
      if (!s.has("max-used") && !s.has("min-free")) s.fail("", "expected max-used and/or min-free");
      return {
        type,
        board: board(),
        maxUsed: s.has("max-used") ? s.int("max-used") : undefined,
        minFree: s.has("min-free") ? s.int("min-free") : undefined,
      };
    }
  }
  throw new ScenarioError(`unreachable step type ${type}`);
}

const MAX_GENERATED_PAYLOAD = 4 * 1024 * 1024;

/** A payload of `size` bytes for memory tests: a repeating, readable pattern. */
function generatedPayload(size: number): string {
  if (size < 0 || size > MAX_GENERATED_PAYLOAD) throw new ScenarioError(`publish.size: expected 0 to ${MAX_GENERATED_PAYLOAD} bytes, got ${size}`);
  return "0123456789abcdef".repeat(Math.ceil(size / 16)).slice(0, size);
}

/** `pin: 2, value: 0` (raw level) or `led: led, state: on` (lit, whatever the polarity). */
function readPinExpectation(s: Reader, board: string): { target: PinTarget; value: 0 | 1 } {
  if (s.has("led")) {
    const state = s.string("state");
    if (state !== "on" && state !== "off") s.fail("state", `expected "on" or "off", got "${state}"`);
    return { target: { board, led: s.string("led") }, value: state === "on" ? 1 : 0 };
  }
  if (!s.has("pin")) s.fail("", "expected pin (with value) or led (with state)");
  return { target: { board, pin: s.int("pin") }, value: s.bit("value") };
}
