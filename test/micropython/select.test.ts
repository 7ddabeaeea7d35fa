// select / uselect poll on a real MicroPython VM over the board's sockets,
// waiting on the virtual clock.
import type { Duplex } from "node:stream";
import { describe, expect, it } from "vitest";
import { createStreamPair } from "../../src/emulator/network/stream-pair.ts";
import type { VirtualClock } from "../../src/emulator/clock/virtual-clock.ts";
import { runVm, py } from "./fixtures/run-vm.ts";

/** A server that writes `text` at each of `atMs` (virtual), then closes after `closeAtMs`. */
function talker(clock: () => VirtualClock, schedule: [number, string][], closeAtMs?: number): () => Duplex {
  return () => {
    const [board, server] = createStreamPair();
    server.on("error", () => {});
    for (const [at, text] of schedule) clock().setTimer(at - clock().now(), () => server.write(text));
    if (closeAtMs !== undefined) clock().setTimer(closeAtMs - clock().now(), () => server.end());
    return board;
  };
}

describe("select.poll on the virtual clock", () => {
  it("poll(timeout) waits exactly the timeout when nothing comes, and wakes when bytes arrive", async () => {
    let clk!: VirtualClock;
    const { printed, end } = await runVm(
      py(
        "import uselect as select, socket, time",
        "s = socket.socket()",
        "s.connect(('10.0.0.2', 1883))",
        "p = select.poll()",
        "p.register(s, select.POLLIN)",
        "t0 = time.ticks_ms()",
        "print(p.poll(500), time.ticks_diff(time.ticks_ms(), t0))",
        "r = p.poll(5000)",
        "print(r[0][0] is s, r[0][1] == select.POLLIN, time.ticks_diff(time.ticks_ms(), t0) // 10 * 10)",
        "print(s.recv(10))",
        "p.modify(s, select.POLLIN | select.POLLOUT)",
        "print(p.poll(0)[0][1] == select.POLLOUT)",
        "p.modify(s, select.POLLIN)",
        "for obj, ev in p.ipoll(-1, 1):",
        "    print('ipoll', ev, s.recv(10))",
        "print(p.poll(100))",
        "p.modify(s, select.POLLIN)",
        "print(p.poll(-1)[0][1], s.recv(10))",
        "p.unregister(s)",
        "t1 = time.ticks_ms()",
        "print(p.poll(250), time.ticks_diff(time.ticks_ms(), t1))",
      ),
      {
        setup: (_b, clock) => (clk = clock),
        dial: talker(() => clk, [[1200, "abc"], [2000, "def"]], 3000),
      },
    );
    expect(end).toEqual({ how: "exit" });
    expect(printed).toEqual([
      "[] 500",
      "True True 1200",
      "b'abc'",
      "True",
      "ipoll 1 b'def'",
      // One-shot: no event for s until modify().
      "[]",
      "1 b''",
      "[] 250",
    ]);
  });

  it("select.select and an error reported as POLLERR | POLLHUP after a reset", async () => {
    let clk!: VirtualClock;
    const { printed } = await runVm(
      py(
        "import select, socket",
        "s = socket.socket()",
        "s.connect(('10.0.0.2', 1883))",
        "r, w, x = select.select([s], [s], [], 1)",
        "print(len(r), len(w))",
        "r, w, x = select.select([s], [], [], 2)",
        "print(r == [s], s.recv(5))",
        "p = select.poll()",
        "p.register(s, select.POLLIN)",
        "ev = p.poll(-1)[0][1]",
        "print(ev & select.POLLERR != 0, ev & select.POLLHUP != 0)",
        "try:",
        "    s.recv(1)",
        "except OSError as e:",
        "    print('OSError', e.errno)",
      ),
      {
        setup: (board, clock) => {
          clk = clock;
          clock.setTimer(3000, () => board.network.injectFault("reset"));
        },
        dial: talker(() => clk, [[1500, "hello"]]),
      },
    );
    expect(printed).toEqual(["0 1", "True b'hello'", "True True", "OSError 104"]);
  });

  it("sys.stdin registers as on a board with nothing sent on its serial line: never ready, sockets still served", async () => {
    let clk!: VirtualClock;
    const { printed } = await runVm(
      py(
        "import select, socket, sys, time",
        "p = select.poll()",
        "p.register(sys.stdin, select.POLLIN)",
        "t0 = time.ticks_ms()",
        "print(p.poll(0), p.poll(300), time.ticks_diff(time.ticks_ms(), t0))",
        "s = socket.socket()",
        "s.connect(('10.0.0.2', 1883))",
        "p.register(s, select.POLLIN)",
        "r = p.poll(5000)",
        "print(len(r), r[0][0] is s, time.ticks_diff(time.ticks_ms(), t0) // 100 * 100)",
      ),
      { dial: talker(() => clk, [[1000, "hi"]]), setup: (_board, clock) => (clk = clock) },
    );
    expect(printed).toEqual(["[] [] 300", "1 True 1000"]);
  });
});
