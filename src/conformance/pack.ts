// The conformance pack: one scenario per documented umqtt behaviour
// (scenarios/conformance/<id>.yaml and its .py firmware). The firmware
// prints what it observed as `result KEY VALUE` lines; this file says what
// each check proves and what a difference between device and prediction
// points at.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadScenarioFile } from "../emulator/scenario/parse.ts";
import type { Scenario } from "../emulator/scenario/types.ts";

export const PACK_DIR = fileURLToPath(new URL("../../scenarios/conformance/", import.meta.url));

export interface Check {
  id: string;
  /** What a match proves, one line. */
  proves: string;
  /** What a difference most likely means, one line. */
  onMismatch: string;
  /** Numeric results compared with a relative tolerance (0.03 = 3%) instead of exactly. */
  tolerance?: Record<string, number>;
}

export const CHECKS: readonly Check[] = [
  {
    id: "connect_session",
    proves: "connect() returns CONNACK's session-present bit (clean, persistent, persistent again, clean: 0,0,1,0)",
    onMismatch: "the broker or the device's umqtt handles persistent sessions differently from the emulator",
  },
  {
    id: "qos1_meanwhile",
    proves: "a QoS 1 publish hands messages that arrive before its PUBACK to the callback, then returns",
    onMismatch: "the device's publish() reads its PUBACK differently: check the umqtt.simple release on the board",
  },
  {
    id: "keepalive",
    proves: "umqtt never pings by itself: an idle client is dropped after 1.5 x keepalive, one calling ping() stays",
    onMismatch: "the device's socket reports a dropped connection differently (errno), or its firmware pings on its own",
  },
  {
    id: "robust_resubscribe",
    proves: "umqtt.robust reconnects after a drop with a persistent session and does not subscribe again",
    onMismatch: "the device's umqtt.robust differs from 1.0.3 (a newer one may resubscribe)",
  },
  {
    id: "unsubscribe",
    proves: "unsubscribe() (umqtt.simple 1.7.0 and later) waits for UNSUBACK and messages stop",
    onMismatch: "the device's umqtt.simple is another release: pass --umqtt to predict for it",
  },
  {
    id: "long_topics",
    proves: "SUBSCRIBE to 100 to 300-byte topics: before 1.8.0 the packet breaks from 123 bytes and the broker drops the client",
    onMismatch: "the device's umqtt.simple is another release: pass --umqtt to predict for it",
  },
  {
    id: "will",
    proves: "the broker publishes the will of a client that drops without DISCONNECT, not of one that disconnects",
    onMismatch: "the device closes its sockets differently (a clean close where the emulator drops, or the reverse)",
  },
  {
    id: "largest_payload",
    proves: "the largest payload the board receives, by bisection on the board (free heap within 3%, the largest block within 10%)",
    onMismatch: "the board model's heap budget (boards/*.json) or the emulator's heap accounting differs from the device",
    // The largest free block depends on where live objects land, which follows what the heap held at each
    // allocation: garbage that timing leaves (a wait on the real clock against one on the virtual clock) moves it.
    // serve-board's esp8266 and its prediction: 11,967 B against 12,559 B (4.7%) at every seed, free heap within 0.4%.
    tolerance: { mem_free: 0.03, largest_received: 0.1 },
  },
];

export function checkIds(): string[] {
  return CHECKS.map((c) => c.id);
}

/** The checks with these ids, in pack order; the ids not in the pack. */
export function checksNamed(ids: readonly string[]): { checks: Check[]; unknown: string[] } {
  return { checks: CHECKS.filter((c) => ids.includes(c.id)), unknown: ids.filter((id) => !CHECKS.some((c) => c.id === id)) };
}

export function checkScenario(check: Check): Scenario {
  const file = join(PACK_DIR, `${check.id}.yaml`);
  if (!existsSync(file)) throw new Error(`conformance pack: ${file} is missing`);
  return loadScenarioFile(file, `conformance/${check.id}`);
}
