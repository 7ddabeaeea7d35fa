// socket / usocket on a real MicroPython VM, over the board's simulated
// network. The server here is a small line server on the far end of the
// in-memory stream the network dials (the same path aedes is reached by).
import type { Duplex } from "node:stream";
import { describe, expect, it } from "vitest";
import { createStreamPair } from "../../src/emulator/network/stream-pair.ts";
import { runVm, py } from "./fixtures/run-vm.ts";

/** Greets, then answers each line with it upper-cased; "bye" closes. */
function lineServer(): { dial: () => Duplex; received: string[] } {
  const received: string[] = [];
  const dial = () => {
    const [board, server] = createStreamPair();
    let pending = "";
    server.on("error", () => {}); // a reset fault destroys the board's end with ECONNRESET
    server.write("hello\r\n");
    server.on("data", (chunk: Buffer) => {
      pending += chunk.toString("latin1");
      let i: number;
      while ((i = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, i);
        pending = pending.slice(i + 1);
        received.push(line);
        if (line === "bye") server.end();
        else server.write(line.toUpperCase() + "\n");
      }
    });
    return board;
  };
  return { dial, received };
}

describe("socket on the simulated network", () => {
  it("getaddrinfo, connect, readline, sendall/send/write, recv, read(n), readinto, read() to EOF, close", async () => {
    const server = lineServer();
    const { printed, end } = await runVm(
      py(
        "import usocket as socket",
        "ai = socket.getaddrinfo('broker.example', 1883)",
        "print(ai[0][:3], ai[0][-1])",
        "s = socket.socket()",
        "s.connect(ai[0][-1])",
        "print(s.readline())",
        "s.sendall(b'one\\n')",
        "print(s.recv(100))",
        "s.send('two\\n')",
        "print(s.read(4))",
        "s.write(b'three\\n')",
        "buf = bytearray(10)",
        "n = s.readinto(buf, 3)",
        "print(n, bytes(buf[:n]), s.read(3))",
        "s.write(b'bye\\n')",
        "print(s.read())",
        "print(s.recv(10), s.readline())",
        "s.close()",
      ),
      { dial: server.dial },
    );
    expect(end).toEqual({ how: "exit" });
    expect(printed).toEqual([
      "(2, 1, 6) ('broker.example', 1883)",
      "b'hello\\r\\n'",
      "b'ONE\\n'",
      "b'TWO\\n'",
      "3 b'THR' b'EE\\n'",
      "b''",
      "b'' b''",
    ]);
    expect(server.received).toEqual(["one", "two", "three", "bye"]);
  });

  it("settimeout: recv and read raise ETIMEDOUT after the timeout in virtual time; non-blocking: EAGAIN and None", async () => {
    const { printed } = await runVm(
      py(
        "import socket, time, errno",
        "s = socket.socket()",
        "s.connect(('10.0.0.2', 1883))",
        "s.settimeout(1.5)",
        "for op in (lambda: s.recv(1), lambda: s.read(1)):",
        "    t0 = time.ticks_ms()",
        "    try:",
        "        op()",
        "    except OSError as e:",
        "        print(e.errno == errno.ETIMEDOUT, e, time.ticks_diff(time.ticks_ms(), t0) // 100)",
        "s.setblocking(False)",
        "try:",
        "    s.recv(1)",
        "except OSError as e:",
        "    print(e.errno == errno.EAGAIN, e)",
        "print(s.read(1), s.readline())",
      ),
    );
    expect(printed).toEqual(["True [Errno 110] ETIMEDOUT 15", "True [Errno 110] ETIMEDOUT 15", "True [Errno 11] EAGAIN", "None None"]);
  });

  it("errnos as on the device: EHOSTUNREACH without Wi-Fi, the board's DNS errno, ECONNRESET after a reset", async () => {
    const server = lineServer();
    const { printed } = await runVm(
      py(
        "import socket, time",
        "def attempt(what, f):",
        "    try:",
        "        print(what, f())",
        "    except OSError as e:",
        "        print(what, 'OSError', e.errno)",
        "time.sleep(1)",
        "attempt('connect', lambda: socket.socket().connect(('10.0.0.2', 1883)))",
        "attempt('dns', lambda: socket.getaddrinfo('broker.local', 1883))",
        "time.sleep(2)",
        "s = socket.socket()",
        "s.connect(socket.getaddrinfo('broker.local', 1883)[0][-1])",
        "print(s.readline())",
        "time.sleep(2)",
        "attempt('recv', lambda: s.recv(10))",
        "attempt('write', lambda: s.write(b'x\\n'))",
      ),
      {
        dial: server.dial,
        setup: (board, clock) => {
          clock.setTimer(500, () => board.network.injectFault("wifi-down", { durationMs: 1000 }));
          clock.setTimer(4500, () => board.network.injectFault("reset"));
        },
      },
    );
    expect(printed).toEqual(["connect OSError 113", "dns OSError -202", "b'hello\\r\\n'", "recv OSError 104", "write OSError 104"]);
  });

  it("a refused connection raises ECONNREFUSED; SOCK_DGRAM is not emulated", async () => {
    const { printed } = await runVm(
      py(
        "import socket",
        "try:",
        "    socket.socket().connect(('10.0.0.2', 1))",
        "except OSError as e:",
        "    print(e.errno)",
        "try:",
        "    socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
        "except OSError as e:",
        "    print(e.errno)",
      ),
      {
        dial: () => {
          throw new Error("refused");
        },
      },
    );
    expect(printed).toEqual(["111", "95"]);
  });
});
