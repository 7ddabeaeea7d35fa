// `umqtt-bench conformance` end to end, as a user runs it, with an emulated
// device as the target (--target emulator): the prediction and a device
// that is the same model must agree on every row; a device with another
// umqtt.simple release or another heap must differ exactly where those
// behaviours differ. Each test runs a few checks only (--only), so the file
// stays fast. A run is a few seconds per side and check, more on a loaded
// machine: hence the generous timeouts.

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { background, cli, expectUsageError } from "../cli/cli-process.ts";
import { conformanceCommand } from "../../src/cli/commands/conformance.ts";

const FIXTURES = join(import.meta.dirname, "fixtures");

interface Json {
  status: string;
  device: string;
  prediction: string;
  checks: {
    id: string;
    status: string;
    rows: { key: string; device: string; prediction: string; match: boolean }[];
    device: { info: string[] };
    prediction: { info: string[] };
  }[];
  notRun: string[];
  deviceUmqtt?: string[];
}

const rowsOf = (json: Json, id: string) => Object.fromEntries(json.checks.find((c) => c.id === id)!.rows.map((r) => [r.key, r]));

describe("umqtt-bench conformance --target emulator", () => {
  it("a device of the predicted model matches every row: exit 0, the documented results", async () => {
    const run = await cli("conformance", "--target", "emulator", "--board", "esp8266", "--only", "connect_session,unsubscribe", "--seed", "3", "--json");
    expect(run.code, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout) as Json;
    expect(json.status).toBe("match");
    expect(json.prediction).toBe("emulator esp8266, umqtt.simple 1.8.0");
    expect(json.deviceUmqtt).toEqual(["1.7.0", "1.7.1", "1.8.0"]); // unsubscribe works; long topics were not checked
    expect(json.checks.map((c) => [c.id, c.status])).toEqual([["connect_session", "match"], ["unsubscribe", "match"]]);
    expect(rowsOf(json, "connect_session").session_present).toMatchObject({ device: "0,0,1,0", prediction: "0,0,1,0", match: true });
    expect(rowsOf(json, "unsubscribe")).toMatchObject({
      subscribed: { device: "yes", match: true },
      unsubscribe: { device: "ok", match: true },
      after_unsubscribe: { device: "no", match: true },
    });
    // Progress names each check and side as it starts.
    expect(run.stderr).toContain("[1/2] connect_session: prediction (emulator esp8266, umqtt.simple 1.8.0)");
    expect(run.stderr).toContain("[2/2] unsubscribe: device (emulator esp8266, umqtt.simple 1.8.0)");
  }, 120_000);

  it("a device on umqtt.simple 1.6.0 differs where 1.7.0 and 1.8.0 changed things: table, JUnit, exit 1", async () => {
    const junit = join(mkdtempSync(join(tmpdir(), "umqtt-bench-conf-")), "out", "conformance.xml");
    const run = await cli("conformance", "--target", "emulator", "--target-umqtt", "1.6.0", "--only", "unsubscribe,long_topics", "--seed", "3", "--junit", junit);
    expect(run.code, run.stderr).toBe(1);
    const table = run.stdout;
    expect(table).toContain("device: emulator esp8266, umqtt.simple 1.6.0  prediction: emulator esp8266, umqtt.simple 1.8.0");
    // No unsubscribe() before 1.7.0.
    expect(table).toMatch(/\n\s+unsubscribe\s+AttributeError\s+ok\s+DIFFERS/);
    expect(table).toMatch(/subscribed\s+yes\s+yes\s+match/);
    // One length byte before 1.8.0: from 123 bytes of topic the broker drops the client.
    expect(table).toMatch(/topic_122\s+ok\s+ok\s+match/);
    expect(table).toMatch(/topic_123\s+subscribe OSError\(-1\)\s+ok\s+DIFFERS/);
    expect(table).toMatch(/topic_300\s+subscribe OSError\(-1\)\s+ok\s+DIFFERS/);
    // What the device's results say about its release.
    expect(table).toContain("the device's umqtt.simple behaves like 1.3.4, 1.4.0, 1.5.0 or 1.6.0; the prediction assumed 1.8.0: run again with --umqtt 1.6.0 to predict for it");
    expect(table).toContain("DIFFERS  2 check(s): 0 match, 2 differ (unsubscribe, long_topics)");
    const xml = readFileSync(junit, "utf8");
    expect(xml).toContain(`<testsuite name="conformance" tests="2" failures="2" skipped="0">`);
    expect(xml).toMatch(/<testcase classname="conformance" name="unsubscribe"[^>]*><failure type="mismatch" message="unsubscribe: device AttributeError, prediction ok; after_unsubscribe: device \(none\), prediction no/);
    expect(xml).toContain("topic_123: device subscribe OSError(-1), prediction ok");
    expect(xml).not.toContain("topic_122: device");
    // Each case carries both sides' serial output.
    expect(xml).toContain("result unsubscribe AttributeError");
  }, 120_000);

  it("a device with less heap than its model differs on the largest payload, found by a bounded bisection", async () => {
    const run = await cli(
      "conformance",
      "--target", `emulator:${join(FIXTURES, "esp8266-28k.json")}`,
      "--board", join(FIXTURES, "esp8266-32k.json"),
      "--only", "largest_payload", "--seed", "3", "--json",
    );
    expect(run.code, run.stderr).toBe(1);
    const json = JSON.parse(run.stdout) as Json;
    const rows = rowsOf(json, "largest_payload");
    const device = Number(rows.largest_received!.device);
    const predicted = Number(rows.largest_received!.prediction);
    expect(rows.largest_received!.match).toBe(false);
    expect(rows.mem_free!.match).toBe(false);
    // 4,000 B less heap: mem_free is smaller by that much, give or take a few blocks. The largest
    // payload is smaller too, by less or more: it is the largest free block, which depends on where
    // the firmware's live objects land (a smaller heap collects sooner, so they land elsewhere).
    const freeGap = Number(rows.mem_free!.prediction) - Number(rows.mem_free!.device);
    expect(freeGap).toBeGreaterThan(3900);
    expect(freeGap).toBeLessThan(4100);
    expect(predicted - device).toBeGreaterThan(0);
    expect(predicted - device).toBeLessThan(8000);
    // The bisection states its bounds and probe count (log2 of the span), and shows each probe as it runs.
    const { device: d, prediction: p } = json.checks[0]!;
    const bounds = [...d.info, ...p.info].map((i) => /^bisection (\d+)\.\.(\d+) B in (\d+) probes$/.exec(i)).filter((m) => m !== null);
    expect(bounds).toHaveLength(2);
    for (const [, lo, hi, probes] of bounds) expect(Number(probes)).toBe(Math.ceil(Math.log2(Number(hi) - Number(lo))));
    expect(run.stderr).toMatch(/device: probe 1\/\d+: \d+ B (received|MemoryError)/);
  }, 120_000);
});

describe("umqtt-bench conformance: bad input and interruption", () => {
  it("bad input: one line, exit 2", async () => {
    expectUsageError(await cli("conformance", "--target", "emulator", "--only", "nope"), /--only: unknown check "nope" \(checks: connect_session, /);
  });

  // The same checks in process (no run starts): each flag's problem, named.
  it.each([
    [{}, /--target is required/],
    [{ target: "usb0" }, /--target: expected serial:PORT, serial:auto or emulator\[:MODEL\], got "usb0"/],
    [{ target: "emulator", only: " , " }, /--only: no check named/],
    [{ target: "emulator", umqtt: "2.0" }, /--umqtt: unknown umqtt.simple version "2.0"/],
    [{ target: "emulator", targetUmqtt: "1.9" }, /--target-umqtt: unknown umqtt.simple version "1.9"/],
    [{ target: "emulator:esp9999" }, /--target: .*no such board/],
    [{ target: "emulator", board: "./missing.json" }, /--board: .*missing.json/],
    [{ target: "emulator", seed: "x" }, /--seed: expected an integer/],
    [{ target: "serial:/dev/ttyUSB9", targetUmqtt: "1.6.0" }, /--target-umqtt applies to --target emulator only/],
    [{ target: "emulator", wifi: "net:pass" }, /--wifi applies to --target serial only/],
    [{ target: "serial:/dev/ttyUSB9", wifi: "no-colon" }, /--wifi: expected SSID:PASSWORD/],
  ] as const)("%j is refused", async (flags, message) => {
    const error = await conformanceCommand({ ...flags }).then(() => undefined, (e: unknown) => e as Error);
    expect(error?.name).toBe("UsageError");
    expect(error?.message).toMatch(message);
  });

  it("a serial port that is not there is bad input (exit 2), before anything runs", async () => {
    const error = await conformanceCommand({ target: "serial:/dev/umqtt-bench-no-such-port" }).then(() => undefined, (e: unknown) => e as Error);
    expect(error?.name).toBe("BridgeError");
    expect(error?.message).toContain("/dev/umqtt-bench-no-such-port");
  });

  it("Ctrl-C: exit 130, the checks done so far reported, the rest listed as not run", async () => {
    const run = background("conformance", "--target", "emulator", "--only", "connect_session,keepalive,will", "--seed", "3");
    await run.waitFor("[2/3] keepalive: device", 60_000);
    run.child.kill("SIGINT");
    expect(await run.exited).toBe(130);
    expect(run.out()).toMatch(/connect_session\s+session_present\s+0,0,1,0\s+0,0,1,0\s+match/);
    expect(run.out()).toContain("interrupted, not run: keepalive, will");
  }, 120_000);
});
