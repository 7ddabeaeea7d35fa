// Which umqtt.simple releases fit the device's results of the checks that
// tell releases apart (unsubscribe, long_topics).

import { describe, expect, it } from "vitest";
import { releaseNote, releasesFitting } from "../../src/conformance/umqtt-release.ts";
import { CHECKS } from "../../src/conformance/pack.ts";
import type { CheckOutcome, SideOutcome } from "../../src/conformance/run-pack.ts";

const side = (results: Record<string, string>): SideOutcome => ({ results: new Map(Object.entries(results)), info: [], status: "pass", wallMs: 1, serial: [] });

function outcome(id: string, device: Record<string, string>): CheckOutcome {
  const check = CHECKS.find((c) => c.id === id)!;
  return { check, status: "match", rows: [], device: side(device), prediction: side({}) };
}

describe("releasesFitting", () => {
  it("unsubscribe and a 123-byte topic that work: 1.8.0 only", () => {
    expect(releasesFitting([outcome("unsubscribe", { unsubscribe: "ok" }), outcome("long_topics", { topic_123: "ok" })])).toEqual(["1.8.0"]);
  });

  it("unsubscribe but no long topics: 1.7.0 or 1.7.1", () => {
    const checks = [outcome("unsubscribe", { unsubscribe: "ok" }), outcome("long_topics", { topic_123: "subscribe OSError(-1)" })];
    expect(releasesFitting(checks)).toEqual(["1.7.0", "1.7.1"]);
    expect(releaseNote(checks, "1.8.0")).toBe("the device's umqtt.simple behaves like 1.7.0 or 1.7.1; the prediction assumed 1.8.0: run again with --umqtt 1.7.1 to predict for it");
    expect(releaseNote(checks, "1.7.1")).toBe("the device's umqtt.simple behaves like 1.7.0 or 1.7.1");
  });

  it("no unsubscribe: 1.6.0 or older", () => {
    expect(releasesFitting([outcome("unsubscribe", { unsubscribe: "AttributeError" })])).toEqual(["1.3.4", "1.4.0", "1.5.0", "1.6.0"]);
  });

  it("results no release has (unsubscribe missing, long topics fine) fit none", () => {
    const checks = [outcome("unsubscribe", { unsubscribe: "AttributeError" }), outcome("long_topics", { topic_123: "ok" })];
    expect(releasesFitting(checks)).toEqual([]);
    expect(releaseNote(checks, "1.8.0")).toMatch(/like none of the releases we know/);
  });

  it("says nothing without a telling check, or when the check did not get that far", () => {
    expect(releasesFitting([outcome("will", { abrupt_drop: "published" })])).toBeUndefined();
    expect(releasesFitting([outcome("long_topics", {})])).toBeUndefined();
    expect(releaseNote([], "1.8.0")).toBeUndefined();
  });
});
