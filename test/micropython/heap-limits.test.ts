// The largest message a MicroPython board can receive and the largest payload
// it can build and publish, on a real VM board running its .py firmware with
// our umqtt, through the embedded aedes broker. The device figures were
// measured on genuine MicroPython (32-bit unix port, umqtt.simple 1.8.0
// frozen, 36,000 B free after boot); other boards scale by their budgets
// (the same overhead below the budget).

import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { prints, runScenario } from "../runner/run-scenario.ts";

const DEVICE_FREE_AFTER_BOOT = 36_000;
const DEVICE_LARGEST_RECEIVE = 33_551;
const DEVICE_LARGEST_PUBLISH = 33_839;
const TOLERANCE = 0.03;

const BOARDS_DIR = new URL("../../boards/", import.meta.url);
const budgets = Object.fromEntries(
  readdirSync(BOARDS_DIR)
    .filter((f) => f.endsWith(".json"))
    .map((f) => JSON.parse(readFileSync(new URL(f, BOARDS_DIR), "utf8")) as { id: string; heap: { budget: number } })
    .map((b) => [b.id, b.heap.budget]),
);

const dir = mkdtempSync(join(tmpdir(), "umqtt-bench-limits-"));

// Binary search for the largest bytes(n) the firmware can build and hand to publish().
writeFileSync(
  join(dir, "publish_limit.py"),
  `import gc
from umqtt.simple import MQTTClient

client = MQTTClient(b"limits", "broker.local")
client.connect()


def can_publish(n):
    gc.collect()
    try:
        client.publish(b"limits/out", bytes(n))
        return True
    except MemoryError:
        return False


low, high = 0, 200000
while low < high:
    middle = (low + high + 1) // 2
    if can_publish(middle):
        low = middle
    else:
        high = middle - 1
print("largest publish", low)
`,
);

// Reports the size of each message it receives, or MemoryError, and keeps going.
writeFileSync(
  join(dir, "receive_limit.py"),
  `from umqtt.simple import MQTTClient


def on_message(topic, msg):
    print("received", len(msg))


def start():
    client.connect()
    client.subscribe(b"limits/in")


client = MQTTClient(b"limits", "broker.local")
client.set_callback(on_message)
start()
print("subscribed")
while True:
    try:
        client.wait_msg()
    except MemoryError:
        print("MemoryError")
        # The payload that did not fit is still in the socket, as on a device: start over on a new connection.
        start()
`,
);

const scenario = (board: string, firmware: string, steps: string): string => `
name: limits
timeout: 5m
boards:
  - { name: b1, board: ${board}, firmware: ${join(dir, firmware)}, net: ideal }
steps:
${steps}`;

/** Sizes around `expected`: the board reports which of them it could receive. */
function ladder(expected: number): number[] {
  const sizes: number[] = [];
  // Rounded away from the device figure, so that each rung is within its own percentage of it (the -3% rung passes the 3% bound).
  for (let f = -0.05; f <= 0.05 + 1e-9; f += 0.01) sizes.push(f < 0 ? Math.ceil(expected * (1 + f)) : Math.floor(expected * (1 + f)));
  return sizes;
}

describe("heap limits of a MicroPython board (real VM, our umqtt, embedded aedes)", () => {
  for (const [board, budget] of Object.entries(budgets)) {
    const expectedPublish = budget - (DEVICE_FREE_AFTER_BOOT - DEVICE_LARGEST_PUBLISH);
    it(`${board}: the largest payload built and published is within 3% of ${expectedPublish} B`, async () => {
      const { events } = await runScenario(scenario(board, "publish_limit.py", `  - wait-serial: { board: b1, text: "largest publish", timeout: 4m }\n`));
      const line = prints(events, "b1").find((l) => l.startsWith("largest publish"));
      const largest = Number(line?.split(" ").at(-1));
      expect(Math.abs(largest - expectedPublish) / expectedPublish).toBeLessThanOrEqual(TOLERANCE);
    });
  }

  for (const [board, budget] of Object.entries(budgets)) {
    const expectedReceive = budget - (DEVICE_FREE_AFTER_BOOT - DEVICE_LARGEST_RECEIVE);
    it(`${board}: the largest message received is within 3% of ${expectedReceive} B`, async () => {
      await expectReceiveLimit(board, expectedReceive);
    });
  }
});

/** Publishes a ladder of sizes around `expected` to the board and checks where MemoryError starts. */
async function expectReceiveLimit(board: string, expected: number): Promise<void> {
  const sizes = ladder(expected);
  const steps = [
    `  - wait-serial: { board: b1, text: "subscribed", timeout: 30s }`,
    ...sizes.flatMap((size) => [`  - publish: { topic: limits/in, size: ${size} }`, `  - delay: 500ms`]),
  ].join("\n");
  const { events } = await runScenario(scenario(board, "receive_limit.py", `${steps}\n`));
  const lines = prints(events, "b1").filter((l) => l.startsWith("received") || l === "MemoryError");
  expect(lines).toHaveLength(sizes.length);
  const received = sizes.filter((_, i) => lines[i] === `received ${sizes[i]}`);
  const failed = sizes.filter((_, i) => lines[i] === "MemoryError");
  // Every size either arrived or raised MemoryError, small ones first.
  expect(received.length + failed.length).toBe(sizes.length);
  expect(Math.max(...received)).toBeLessThan(Math.min(...failed));
  // The limit lies between the largest received and the smallest refused: both within 3% of the device's.
  expect(Math.max(...received)).toBeGreaterThanOrEqual(expected * (1 - TOLERANCE));
  expect(Math.min(...failed)).toBeLessThanOrEqual(expected * (1 + TOLERANCE));
}
