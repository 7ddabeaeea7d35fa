// Which umqtt.simple releases fit what the device showed. Two checks tell
// releases apart: `unsubscribe` (the method exists from 1.7.0) and
// `long_topics` (a 123-byte topic subscribes from 1.8.0; before, the broker
// drops the client). A board's firmware freezes one release, and knowing
// which lets the user predict for it (--umqtt) or ship their own.

import { UMQTT_VERSIONS, umqttFeatures, type UmqttFeatures, type UmqttVersion } from "../client/versions.ts";
import type { CheckOutcome } from "./run-pack.ts";

type Clue = (features: UmqttFeatures) => boolean;

function deviceResult(checks: readonly CheckOutcome[], check: string, key: string): string | undefined {
  return checks.find((c) => c.check.id === check)?.device.results.get(key);
}

/** The releases consistent with the device's results, oldest first; undefined when no telling check ran on the device. */
export function releasesFitting(checks: readonly CheckOutcome[]): UmqttVersion[] | undefined {
  const clues: Clue[] = [];
  const unsubscribe = deviceResult(checks, "unsubscribe", "unsubscribe");
  if (unsubscribe === "ok") clues.push((f) => f.unsubscribe);
  else if (unsubscribe === "AttributeError") clues.push((f) => !f.unsubscribe);
  const longTopic = deviceResult(checks, "long_topics", "topic_123");
  if (longTopic === "ok") clues.push((f) => f.subUnsubVbi);
  else if (longTopic?.startsWith("subscribe OSError")) clues.push((f) => !f.subUnsubVbi);
  if (clues.length === 0) return undefined;
  return UMQTT_VERSIONS.filter((v) => clues.every((fits) => fits(umqttFeatures(v))));
}

/** One line for the report, or undefined when the checks say nothing about the release. */
export function releaseNote(checks: readonly CheckOutcome[], predicted: UmqttVersion): string | undefined {
  const fitting = releasesFitting(checks);
  if (fitting === undefined) return undefined;
  if (fitting.length === 0) return "the device's umqtt.simple behaves like none of the releases we know (1.3.4 to 1.8.0)";
  const list = fitting.length === 1 ? fitting[0] : `${fitting.slice(0, -1).join(", ")} or ${fitting.at(-1)}`;
  const advice = fitting.includes(predicted) ? "" : `; the prediction assumed ${predicted}: run again with --umqtt ${fitting.at(-1)} to predict for it`;
  return `the device's umqtt.simple behaves like ${list}${advice}`;
}
