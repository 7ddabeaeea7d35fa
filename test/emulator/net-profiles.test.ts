import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { applyProfileOverrides, getProfile, profileFields, profileNames, ProfileError, resolveProfile } from "../../src/emulator/network/net-profiles.ts";

describe("network profiles", () => {
  it("ships ideal, wifi, flaky-wifi and gprs as plain data", () => {
    expect(profileNames()).toEqual(["ideal", "wifi", "flaky-wifi", "gprs"]);
    const ideal = getProfile("ideal");
    expect(ideal.latencyMs).toBe(0);
    expect(ideal.loss + ideal.resetRatePerMin + ideal.partitionRatePerMin).toBe(0);
    expect(getProfile("gprs").latencyMs).toBeGreaterThan(getProfile("wifi").latencyMs);
    expect(JSON.parse(JSON.stringify(getProfile("flaky-wifi")))).toEqual(getProfile("flaky-wifi"));
    for (const name of profileNames()) expect(Object.keys(getProfile(name)).sort()).toEqual(["name", ...profileFields].sort());
  });

  it("docs/network.md lists every profile's values as they are in the source", () => {
    const doc = readFileSync(new URL("../../docs/network.md", import.meta.url), "utf8");
    const header = doc.split("\n").find((l) => l.startsWith("| field |"))!;
    const names = header.split("|").slice(2, -1).map((c) => c.trim().replace(/`/g, ""));
    expect(names).toEqual(profileNames());
    for (const field of profileFields) {
      const row = doc.split("\n").find((l) => l.startsWith(`| \`${field}\` |`));
      expect(row, `docs/network.md has no row for ${field}`).toBeDefined();
      const cells = row!.split("|").slice(2, -1).map((c) => Number(c.trim()));
      expect(cells, field).toEqual(names.map((n) => getProfile(n)[field]));
    }
  });

  it("overrides any field from key=value pairs", () => {
    const p = resolveProfile("wifi", ["latencyMs=50", "loss=0.1", "reset_rate_per_min=2", "mss=536"]);
    expect(p).toMatchObject({ name: "wifi", latencyMs: 50, loss: 0.1, resetRatePerMin: 2, mss: 536 });
    expect(applyProfileOverrides(getProfile("ideal"), { jitterMs: 5 }).jitterMs).toBe(5);
    expect(getProfile("wifi").latencyMs).toBe(3); // the built-in is not modified
  });

  it.each([
    [["latncy=5"], /^network override "latncy": unknown field \(known: latencyMs,/],
    [["loss=1.5"], 'network override loss: expected a probability from 0 to 1, got "1.5"'],
    [["latencyMs=fast"], 'network override latencyMs: expected a non-negative number, got "fast"'],
    [["latencyMs=-1"], 'network override latencyMs: expected a non-negative number, got "-1"'],
    [["mss=0"], 'network override mss: expected an integer from 1 to 65535, got "0"'],
    [["latencyMs"], 'network override "latencyMs": expected key=value, e.g. latencyMs=50'],
    [["partitionMinMs=9000"], "network override partitionMaxMs: must not be below partitionMinMs (9000)"],
  ])("rejects %j with a one-line ProfileError naming the field", (overrides, message) => {
    let caught: unknown;
    try {
      resolveProfile("wifi", overrides);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ProfileError);
    const text = (caught as Error).message;
    expect(text).not.toContain("\n");
    if (typeof message === "string") expect(text).toBe(message);
    else expect(text).toMatch(message);
  });

  it("rejects unknown profile names", () => {
    expect(() => getProfile("5g")).toThrow('unknown network profile "5g" (known: ideal, wifi, flaky-wifi, gprs)');
  });
});
