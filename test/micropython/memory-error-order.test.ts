// A received message too large for the heap: on a device, umqtt's
// `sock.read(sz)` fails to allocate before reading, so the payload stays in
// the socket and the next wait_msg() reads it as packets. Checked against
// genuine MicroPython (32-bit unix port, umqtt.simple 1.8.0, 40000-byte
// payload of "x" on a 36,896 B heap): "MemoryError memory allocation failed,
// allocating 40001 bytes", then "wait_msg -> 120" three times.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createSession } from "../../src/emulator/runner/session.ts";
import { parseScenarioText } from "../../src/emulator/scenario/parse.ts";
import { prints } from "../runner/run-scenario.ts";
import { createStreamPair } from "../../src/emulator/network/stream-pair.ts";
import { runVm, py } from "./fixtures/run-vm.ts";

const FIXTURES = join(import.meta.dirname, "fixtures");

async function run(board: string, payload: string, net = "wifi") {
  const yaml = [
    "name: memory_error_unread",
    "timeout: 30s",
    "boards:",
    `  - { name: board1, board: ${board}, firmware: ./memory_error_unread.py, net: ${net} }`,
    "steps:",
    '  - wait-serial: { board: board1, text: "subscribed", timeout: 10s }',
    `  - publish: { topic: blob, payload: "${payload}" }`,
    "  - delay: 20s",
  ].join("\n");
  const session = await createSession(parseScenarioText(yaml, "memory_error_unread.yaml", FIXTURES), { seed: 1 });
  await session.verdict;
  await session.stop();
  return { lines: prints(session.trace.events, "board1"), events: session.trace.events };
}

describe("a received message too large for the heap", () => {
  it("raises MemoryError before the payload is read: the next wait_msg() reads the payload's bytes, as on a device", async () => {
    const { lines } = await run("esp8266", "x".repeat(40_000));
    expect(lines).toEqual(["subscribed", "MemoryError memory allocation failed, allocating 40001 bytes", "wait_msg -> 120", "wait_msg -> 120", "wait_msg -> 120"]);
  });

  it("raises it as soon as the header is read, before a long payload has arrived over a slow link", async () => {
    const { lines, events } = await run("esp8266", "x".repeat(40_000), "gprs");
    expect(lines.slice(0, 2)).toEqual(["subscribed", "MemoryError memory allocation failed, allocating 40001 bytes"]);
    const raised = events.find((e) => e.kind === "print" && e.text.startsWith("MemoryError"))!.t;
    const arrived = events.find((e) => e.kind === "mqtt" && e.board === "board1" && e.dir === "in" && e.type === "publish")!.t;
    expect(raised).toBeLessThan(arrived - 1000); // 40 KB take seconds on GPRS
    expect(events.filter((e) => e.kind === "heap" && e.op === "oom")).toEqual([expect.objectContaining({ what: "publish.payload", bytes: 40_000 })]);
  });

  it("a message that fits is read whole: wait_msg() returns its packet type, 0x30, and the next one waits", async () => {
    const { lines } = await run("esp32", "x".repeat(40_000));
    expect(lines).toEqual(["subscribed", "received b'blob' 40000", "wait_msg -> 48"]);
  });
});

describe("socket.read(n) and recv(n) too large for the heap (a firmware's own protocol code)", () => {
  it("raise MemoryError before reading, whatever arrived, and leave the bytes in the socket, as a device's stream", async () => {
    const dial = () => {
      const [board, server] = createStreamPair();
      server.on("error", () => {});
      server.write("abcde" + "x".repeat(995));
      return board;
    };
    const { printed, end } = await runVm(
      py(
        "import socket",
        "s = socket.socket()",
        "s.connect(socket.getaddrinfo('broker.local', 1883)[0][-1])",
        "print(s.read(10))",
        "for f in (lambda: s.read(40000), lambda: s.recv(40000)):",
        "    try:",
        "        f()",
        "    except MemoryError as e:",
        "        print('MemoryError', e)",
        "print(s.read(5), s.recv(3), len(s.read(982)))",
      ),
      { board: "esp8266", dial },
    );
    expect(end).toEqual({ how: "exit" });
    expect(printed).toEqual(["b'abcdexxxxx'", "MemoryError memory allocation failed, allocating 40001 bytes", "MemoryError memory allocation failed, allocating 40001 bytes", "b'xxxxx' b'xxx' 982"]);
  });
});
