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
import type { NetEventName } from "../trace.ts";

export class ScenarioError extends Error {
  override name = "ScenarioError";
}

const DEFAULT_WAIT_MS = 5_000;
const DEFAULT_SCENARIO_TIMEOUT_MS = 60_000;
const FAULTS: readonly FaultKind[] = ["reset", "partition", "partition-end", "wifi-down", "wifi-up", "dns-fail", "dns-ok"];
const NET_EVENTS = [
  "connect",
  "close",
  "reset",
  "partition-start",
  "partition-end",
  "wifi-down",
  "wifi-up",
  "dns-fail",
  "stall",
  "timeout",
  "keepalive-expired",
] as const satisfies readonly NetEventName[];
// Every NetEventName must be listed: this fails to compile when one is missing.
const everyNetEvent: Record<Exclude<NetEventName, (typeof NET_EVENTS)[number]>, never> = {};
void everyNetEvent;
const MQTT_PACKETS = [
  "connect",
  "connack",
  "publish",
  "puback",
  "pubrec",
  "pubrel",
  "pubcomp",
  "subscribe",
  "suback",
  "unsubscribe",
  "unsuback",
  "pingreq",
  "pingresp",
  "disconnect",
];
/** umqtt asserts 2 + topic + payload (+ 2 for a packet id) < 2 MiB: the bench's publisher is umqtt.simple. */
const MAX_PUBLISH_BODY = 2_097_152 - 1;

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

  count(field: string): number {
    const n = this.int(field);
    if (n < 0) this.fail(field, `expected 0 or more, got ${n}`);
    return n;
  }

  /** A wait or deadline: a duration of more than 0. */
  positiveDuration(field: string, fallback?: number): number {
    const ms = this.duration(field, fallback);
    if (ms <= 0) this.fail(field, "must be more than 0");
    return ms;
  }

  /** A payload: text, or a number or boolean written as text; never a mapping or list. */
  text(field: string): string {
    const v = this.value[field];
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return String(v);
    return this.fail(field, v === null ? "expected text, got nothing (quote an empty payload: \"\")" : "expected text (quote it), not a mapping or list");
  }

  boolean(field: string, fallback: boolean): boolean {
    const v = this.value[field];
    if (v === undefined) return fallback;
    if (typeof v !== "boolean") this.fail(field, `expected true or false, got ${JSON.stringify(v)}`);
    return v;
  }

  oneOf<T extends string>(field: string, allowed: readonly T[], what: string): T {
    const v = this.string(field);
    if (!(allowed as readonly string[]).includes(v)) this.fail(field, `unknown ${what} "${v}" (expected one of: ${allowed.join(", ")})`);
    return v as T;
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
    timeoutMs: r.positiveDuration("timeout", DEFAULT_SCENARIO_TIMEOUT_MS),
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
      return { type, board: s.has("board") ? board() : undefined, text: s.string("text"), timeoutMs: s.positiveDuration("timeout", DEFAULT_WAIT_MS) };
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
      return { type, ...readPinExpectation(s, board()), timeoutMs: s.positiveDuration("timeout", DEFAULT_WAIT_MS) };
    case "publish": {
      s.only(["topic", "payload", "size", "qos", "retain"]);
      const qos = s.int("qos", 0);
      if (qos !== 0 && qos !== 1) return s.fail("qos", "expected 0 or 1 (umqtt does not support QoS 2)");
      if (s.has("payload") && s.has("size")) s.fail("size", "give either payload or size, not both");
      const topic = s.string("topic");
      if (/[#+]/.test(topic)) s.fail("topic", `"${topic}" has a wildcard (+ or #): publish to one topic`);
      if (topic.includes("\u0000")) s.fail("topic", "a topic cannot contain a NUL character");
      const payload = s.has("size") ? generatedPayload(s, s.count("size")) : s.has("payload") ? s.text("payload") : "";
      const body = 2 + utf8Length(topic) + utf8Length(payload) + (qos ? 2 : 0);
      if (body > MAX_PUBLISH_BODY) {
        s.fail(s.has("size") ? "size" : "payload", `a ${body.toLocaleString("en-US")}-byte publish is over umqtt's limit of ${MAX_PUBLISH_BODY.toLocaleString("en-US")} bytes (topic, payload and headers)`);
      }
      return { type, topic, payload, qos, retain: s.boolean("retain", false) };
    }
    case "expect-message": {
      s.only(["topic", "payload", "board", "from-bench", "timeout"]);
      const fromBench = s.boolean("from-bench", false);
      if (fromBench && s.has("board")) s.fail("from-bench", "only for messages the bench's subscriber sees (without board)");
      return {
        type,
        topic: s.string("topic"),
        payload: s.has("payload") ? s.text("payload") : undefined,
        ...(s.has("board") ? { board: board() } : {}),
        ...(fromBench ? { fromBench } : {}),
        timeoutMs: s.positiveDuration("timeout", DEFAULT_WAIT_MS),
      };
    }
    case "fault": {
      s.only(["board", "kind", "duration"]);
      const fault = s.string("kind") as FaultKind;
      if (!FAULTS.includes(fault)) s.fail("kind", `unknown fault "${fault}" (expected one of: ${FAULTS.join(", ")})`);
      return { type, board: board(), fault, durationMs: s.has("duration") ? s.duration("duration") : undefined };
    }
    case "wait-net":
      s.only(["board", "event", "timeout"]);
      return { type, board: board(), event: s.oneOf("event", NET_EVENTS, "network event"), timeoutMs: s.positiveDuration("timeout", DEFAULT_WAIT_MS) };
    case "wait-mqtt": {
      s.only(["board", "packet", "dir", "topic", "timeout"]);
      const dir = s.optionalString("dir");
      if (dir !== undefined && dir !== "out" && dir !== "in") return s.fail("dir", `expected "out" (board to broker) or "in", got "${dir}"`);
      const packet = s.string("packet").toLowerCase();
      if (!MQTT_PACKETS.includes(packet)) s.fail("packet", `unknown MQTT packet "${packet}" (expected one of: ${MQTT_PACKETS.join(", ")})`);
      return { type, board: board(), packet, dir, topic: s.optionalString("topic"), timeoutMs: s.positiveDuration("timeout", DEFAULT_WAIT_MS) };
    }
    case "expect-heap": {
      s.only(["board", "max-used", "min-free"]);
      if (!s.has("max-used") && !s.has("min-free")) s.fail("", "expected max-used and/or min-free");
      return {
        type,
        board: board(),
        maxUsed: s.has("max-used") ? s.count("max-used") : undefined,
        minFree: s.has("min-free") ? s.count("min-free") : undefined,
      };
    }
  }
  throw new ScenarioError(`unreachable step type ${type}`);
}

const utf8Length = (text: string): number => Buffer.byteLength(text, "utf8");

/** A payload of `size` bytes for memory tests: a repeating, readable pattern. */
function generatedPayload(s: Reader, size: number): string {
  if (size > MAX_PUBLISH_BODY) s.fail("size", `${size.toLocaleString("en-US")} bytes is over umqtt's publish limit of ${MAX_PUBLISH_BODY.toLocaleString("en-US")} bytes`);
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
  return { target: { board, pin: s.count("pin") }, value: s.bit("value") };
}
