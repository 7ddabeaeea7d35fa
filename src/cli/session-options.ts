// Turns `run`/`watch` flags into session options, rejecting bad values with
// one line that names the flag.

import { randomInt } from "node:crypto";
import { parseDuration } from "../emulator/scenario/duration.ts";
import type { SessionOptions } from "../emulator/runner/session.ts";
import type { Speed } from "../emulator/runner/session-api.ts";
import { UsageError } from "./errors.ts";
import { UMQTT_VERSIONS, isUmqttVersion, type UmqttVersion } from "../client/versions.ts";

export interface RunFlags {
  board?: string[];
  net?: string;
  netSet?: string[];
  umqtt?: string;
  seed?: string;
  timeout?: string;
  broker?: string;
  realtime?: boolean;
  speed?: string;
  firmwareLang?: string;
}

export function parseSeed(text: string | undefined): number {
  if (text === undefined) return randomInt(1, 2 ** 31);
  if (!/^\d+$/.test(text) || Number(text) > 2 ** 32 - 1) throw new UsageError(`--seed: expected an integer from 0 to 4294967295, got "${text}"`);
  return Number(text);
}

export function parseSpeed(text: string): Speed {
  if (text === "max") return "max";
  const n = Number(text.replace(/x$/, ""));
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--speed: expected a positive number or "max", got "${text}"`);
  return n;
}

/** `--board esp32` applies to every board; `--board board2=esp32` to one. */
function parseBoards(values: string[] = []): Pick<SessionOptions, "boardModel" | "boardModels"> {
  const boardModels: Record<string, string> = {};
  let boardModel: string | undefined;
  for (const value of values) {
    const eq = value.indexOf("=");
    if (eq < 0) boardModel = value;
    else if (eq === 0 || eq === value.length - 1) throw new UsageError(`--board: expected MODEL or NAME=MODEL, got "${value}"`);
    else boardModels[value.slice(0, eq)] = value.slice(eq + 1);
  }
  return { boardModel, boardModels };
}

function parseUmqtt(text: string | undefined): UmqttVersion | undefined {
  if (text === undefined || isUmqttVersion(text)) return text;
  throw new UsageError(`--umqtt: unknown umqtt.simple version "${text}" (expected one of: ${UMQTT_VERSIONS.join(", ")})`);
}

function parseFirmwareLang(text: string | undefined): "py" | "ts" | undefined {
  if (text === undefined || text === "py" || text === "ts") return text;
  throw new UsageError(`--firmware-lang: expected py or ts, got "${text}"`);
}

export function sessionOptionsFrom(flags: RunFlags, defaults: { speed: Speed }): SessionOptions {
  let timeoutMs: number | undefined;
  if (flags.timeout !== undefined) {
    const ms = parseDuration(flags.timeout);
    if (typeof ms === "string" || ms <= 0) throw new UsageError(`--timeout: ${typeof ms === "string" ? ms : "must be more than 0"}`);
    timeoutMs = ms;
  }
  return {
    seed: parseSeed(flags.seed),
    realtime: flags.realtime === true,
    speed: flags.speed === undefined ? defaults.speed : parseSpeed(flags.speed),
    timeoutMs,
    brokerUrl: flags.broker,
    ...parseBoards(flags.board),
    net: flags.net,
    netOverrides: flags.netSet ?? [],
    umqtt: parseUmqtt(flags.umqtt),
    firmwareLang: parseFirmwareLang(flags.firmwareLang),
  };
}
