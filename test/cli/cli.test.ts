// The umqtt-bench command as users run it: a real process, real exit codes,
// one-line errors, reports on stdout and in files.

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findMosquitto, freePort, startMosquitto, type MosquittoBroker } from "../support/mosquitto.ts";
import { MQTTClient } from "../../src/client/index.ts";
import { BIN, cli, expectUsageError, FIXTURES } from "./cli-process.ts";

const tmp = mkdtempSync(join(tmpdir(), "umqtt-bench-cli-"));

describe("umqtt-bench run", () => {
  it("passes example_sub_led and prints the report (exit 0)", async () => {
    const run = await cli("run", "example_sub_led", "--seed", "9");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("PASS  example_sub_led");
    expect(run.stdout).toContain("board1.led ON");
    expect(run.stdout).toContain("seed 9");
    expect(run.stdout).toMatch(/heap peak [\d,]+ B of 36,000 B/);
  });

  it("exits 1 with the failing step when an expectation fails", async () => {
    const run = await cli("run", join(FIXTURES, "failing.yaml"), "--seed", "1");
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("✗ wait-pin board1.led on");
    expect(run.stdout).toMatch(/FAIL\s+failing/);
  });

  it("exits 42 when the run's deadline passes", async () => {
    const run = await cli("run", join(FIXTURES, "deadline.yaml"), "--json");
    expect(run.code).toBe(42);
    const result = JSON.parse(run.stdout);
    expect(result.status).toBe("timeout");
    expect(result.steps[0].status).toBe("timeout");
    expect(result.virtualMs).toBe(2000);
  });

  it("--timeout overrides the scenario's deadline", async () => {
    const run = await cli("run", "example_sub_led", "--timeout", "10ms", "--quiet");
    expect(run.code).toBe(42);
    expect(run.stdout).toMatch(/^TIMEOUT example_sub_led/);
  });

  it("writes --json, --junit and --trace outputs", async () => {
    const junit = join(tmp, "report.xml");
    const trace = join(tmp, "trace.jsonl");
    const run = await cli("run", "led_button_pair", "--seed", "3", "--json", "--junit", junit, "--trace", trace);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ scenario: "led_button_pair", status: "pass", seed: 3, clock: "virtual" });
    expect(result.boards.map((b: { name: string }) => b.name)).toEqual(["board1", "board2"]);
    const xml = readFileSync(junit, "utf8");
    expect(xml).toContain('<testsuite name="led_button_pair" tests="8" failures="0"');
    const events = readFileSync(trace, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(events.some((e) => e.kind === "mqtt" && e.board === "board2" && e.fields.payload === "toggle")).toBe(true);
  });

  it("runs every fault kind through umqtt.robust", async () => {
    const run = await cli("run", join(FIXTURES, "faults.yaml"), "--seed", "5", "--quiet");
    expect(run.stdout).toMatch(/^PASS faults/);
    expect(run.code).toBe(0);
  });

  it("--realtime runs the same scenario on the wall clock", async () => {
    const run = await cli("run", "example_pub", "--realtime", "--json");
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.clock).toBe("real");
    // Real time passes while the board connects and publishes over the wifi profile's latency.
    expect(result.wallMs).toBeGreaterThanOrEqual(result.virtualMs * 0.9);
  });

  it("--realtime with a deadline beyond 2^31 ms runs to its verdict instead of timing out at once", async () => {
    const run = await cli("run", "example_pub", "--realtime", "--timeout", "1000h", "--quiet");
    expect(run.stdout).toMatch(/^PASS example_pub/);
    expect(run.code).toBe(0);
  });

  it("Ctrl-C stops the run, keeps the trace and reports (exit 130)", async () => {
    const trace = join(tmp, "interrupted.jsonl");
    // In real time this scenario takes over 3 s: interrupt it once it is under way.
    const child = spawn(process.execPath, [BIN, "run", "example_sub_led", "--realtime", "--net", "ideal", "--trace", trace], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    const deadline = Date.now() + 20_000;
    // Interrupt once the trace file shows the board booted (a MicroPython board takes a moment to start on a busy machine).
    const booted = (): boolean => existsSync(trace) && /"event":"boot"/.test(readFileSync(trace, "utf8"));
    while (!booted() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(out).toContain("stopped before the scenario finished");
    const events = readFileSync(trace, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    // The bench connected and the board booted before the interrupt: what was recorded is kept.
    expect(events.some((e) => e.kind === "board" && e.board === "board1" && e.event === "boot")).toBe(true);
    expect(events.some((e) => e.kind === "mqtt" && e.board === "bench" && e.type === "connack")).toBe(true);
  });

  it("runs a user's own firmware and board file named relative to the scenario", async () => {
    const run = await cli("run", join(FIXTURES, "own/blink.yaml"), "--json");
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.boards[0]).toMatchObject({ model: "my-board", firmware: "./blink.ts", net: "ideal" });
    expect(result.boards[0].heap.budget).toBe(20000);
  });

  it("applies --net and --net-set to every board", async () => {
    // ideal has no loss or random faults, so only the overridden latency moves the timeline.
    const run = await cli("run", "example_sub_led", "--seed", "1", "--net", "ideal", "--net-set", "latencyMs=300", "--json");
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.boards[0].net).toBe("ideal");
    // Connect, subscribe and four commands a second apart, each broker -> board trip 300 ms.
    expect(result.virtualMs).toBeGreaterThan(3000 + 4 * 300);
  });
});

describe("bad input: one line, exit 2", () => {
  it("unknown scenario", async () => {
    expectUsageError(await cli("run", "no_such_scenario"), /unknown scenario "no_such_scenario" \(built in: .*example_sub_led/);
  });

  it("missing scenario file", async () => {
    expectUsageError(await cli("run", "./nope.yaml"), /nope\.yaml: no such scenario file/);
  });

  it("scenario file that is not YAML", async () => {
    expectUsageError(await cli("run", join(FIXTURES, "not-yaml.yaml")), /not-yaml\.yaml: not valid YAML or JSON/);
  });

  it("unknown step in a scenario file", async () => {
    expectUsageError(await cli("run", join(FIXTURES, "unknown-step.yaml")), /unknown-step\.yaml: steps\[0\]: expected exactly one step/);
  });

  it("firmware that is missing or has no default export", async () => {
    expectUsageError(await cli("run", join(FIXTURES, "own/missing-firmware.yaml")), /firmware file \.\/nowhere\.ts not found/);
    expectUsageError(await cli("run", join(FIXTURES, "own/bad-firmware.yaml")), /firmware \.\/no-default\.ts must export a default async function/);
  });

  it("unknown board model", async () => {
    expectUsageError(await cli("run", "example_sub_led", "--board", "esp9000"), /esp9000/);
  });

  it("--board for a board the scenario does not have", async () => {
    expectUsageError(await cli("run", "example_sub_led", "--board", "nosuch=esp32"), /example_sub_led has no board "nosuch" \(boards: board1\)/);
  });

  it("malformed board file", async () => {
    expectUsageError(await cli("run", "example_sub_led", "--board", join(FIXTURES, "broken-board.json")), /broken-board\.json: leds\[0\]\.pin/);
  });

  it("unknown network profile and bad override", async () => {
    expectUsageError(await cli("run", "example_sub_led", "--net", "carrier-pigeon"), /carrier-pigeon/);
    expectUsageError(await cli("run", "example_sub_led", "--net-set", "loss=2"), /loss/);
  });

  it("unknown flag", async () => {
    const run = await cli("run", "example_sub_led", "--frobnicate");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown option '--frobnicate'");
  });

  it("bad seed", async () => {
    expectUsageError(await cli("run", "example_sub_led", "--seed", "banana"), /--seed: expected an integer/);
  });

  it("unreachable broker", async () => {
    const port = await freePort(); // nothing listens there
    expectUsageError(await cli("run", "example_sub_led", "--broker", `mqtt://127.0.0.1:${port}`), /cannot reach broker mqtt:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  });

  it("watch without a terminal points to run", async () => {
    expectUsageError(await cli("watch", "example_sub_led"), /needs an interactive terminal.*umqtt-bench run/);
  });
});

describe("list and boards", () => {
  it("lists the built-in scenarios and boards", async () => {
    const list = await cli("list", "--json");
    expect(JSON.parse(list.stdout).map((s: { name: string }) => s.name)).toContain("led_button_pair");
    const boards = await cli("boards", "--json");
    expect(JSON.parse(boards.stdout).map((b: { id: string }) => b.id)).toEqual(expect.arrayContaining(["esp8266", "esp32", "rp2-pico-w"]));
  });
});

describe("umqtt-bench broker", () => {
  it("serves the embedded broker on a loopback port until interrupted", async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [BIN, "broker", "--port", String(port), "--host", "127.0.0.1"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    const deadline = Date.now() + 20_000;
    while (!out.includes("listening") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(out).toContain(`listening on 127.0.0.1:${port}`);

    const received: string[] = [];
    const client = new MQTTClient("broker-test", "127.0.0.1", { port });
    client.set_callback((_topic, msg) => received.push(new TextDecoder().decode(msg)));
    await client.connect();
    await client.subscribe("t");
    await client.publish("t", "through the broker command");
    await client.wait_msg();
    await client.disconnect();
    expect(received).toEqual(["through the broker command"]);

    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(out).toContain("broker stopped");
  });

  it("stops within a second on SIGTERM while a client stays connected, closing it", async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [BIN, "broker", "--port", String(port), "--host", "127.0.0.1"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    const deadline = Date.now() + 20_000;
    while (!out.includes("listening") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const client = new MQTTClient("stays-connected", "127.0.0.1", { port });
    await client.connect();
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    const sent = performance.now();
    child.kill("SIGTERM");
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r("still running after 10 s"), 10_000))]);
    child.kill("SIGKILL"); // no-op once it exited
    expect(code).toBe(0);
    expect(performance.now() - sent).toBeLessThan(5000); // loose: the machine may be loaded
    expect(out).toContain("broker stopped");
    // The broker closed the client's connection: its next read sees the end of the stream.
    await expect(client.wait_msg()).rejects.toThrow();
  });

  it("rejects a bad port with one line", async () => {
    expectUsageError(await cli("broker", "--port", "70000"), /--port: expected 0 to 65535/);
  });
});

const mosquitto = findMosquitto();
if (!mosquitto) {
  if (process.env.CI) throw new Error("mosquitto is required in CI (apt-get install mosquitto)");
  console.warn("skipping external-broker tests: mosquitto not installed (apt-get install mosquitto)");
}

describe.skipIf(!mosquitto)("umqtt-bench run --broker (mosquitto)", () => {
  let broker: MosquittoBroker;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it("runs example_sub_led against mosquitto in real time", async () => {
    const trace = join(tmp, "mosquitto.jsonl");
    const run = await cli("run", "example_sub_led", "--broker", `mqtt://127.0.0.1:${broker.port}`, "--json", "--trace", trace);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ status: "pass", clock: "real", broker: `mqtt://127.0.0.1:${broker.port}` });
    // The board's connection is reported with the broker's real port, not umqtt's default 1883.
    const events = readFileSync(trace, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const connect = events.find((e) => e.kind === "net" && e.board === "board1" && e.event === "connect");
    expect(connect.detail).toBe(`#1 127.0.0.1:${broker.port}`);
  });

  it("runs led_button_pair against mosquitto", async () => {
    const run = await cli("run", "led_button_pair", "--broker", `mqtt://127.0.0.1:${broker.port}`, "--quiet");
    expect(run.stdout).toMatch(/^PASS led_button_pair/);
    expect(run.code).toBe(0);
  });
});
