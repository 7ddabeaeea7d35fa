// Heap checkpoints of a VM board: the `heap` events with op "checkpoint" that
// a run on a real board records (src/bridge/py/ubench_shim.py), taken at the
// same moments, so `ab` and `diff` compare heap between emulator and board.
// The board's instrumentation reads gc.mem_free():
//   boot      at every boot, before the firmware runs
//   connect   when the firmware resolves its server (socket.getaddrinfo)
//   tick      after a pin write or a read of a button pin, at most once a second
//   crash     after the firmware's uncaught exception
//   exit      after the firmware's end
// Here the figure is the VM's heap as it last reported it (at its last
// blocking call), what gc.mem_free() would give there.

import type { Board } from "../../emulator/board/board.ts";
import type { PinId } from "../../emulator/board/board-file.ts";
import type { HeapFigures } from "../protocol.ts";

/** As the board's HEAP_EVERY_MS: the least time between two checkpoints taken at pin activity. */
export const HEAP_TICK_MS = 1000;

/** Starts taking checkpoints on `board`; returns a function that stops it. */
export function recordHeapCheckpoints(board: Board, figures: () => HeapFigures): () => void {
  let freeAtBoot: number | undefined;
  let last = -Infinity;
  const take = (what: string): void => {
    const { free } = figures();
    // As a board run does: "used" is what the firmware took since the boot checkpoint.
    freeAtBoot ??= free;
    last = board.clock.now();
    const used = Math.max(0, freeAtBoot - free);
    board.trace.emit({ t: last, kind: "heap", board: board.name, op: "checkpoint", what, used, free, largestFree: figures().largestFree });
  };
  const tick = (): void => {
    if (board.clock.now() - last >= HEAP_TICK_MS) take("tick");
  };

  const buttons = new Set(board.definition.buttons.map((b) => board.gpio.resolve(b.pin)));
  const { gpio, network } = board;
  const write = gpio.write;
  const read = gpio.read;
  const getaddrinfo = network.getaddrinfo;
  gpio.write = (id, value) => {
    write.call(gpio, id, value);
    tick();
  };
  gpio.read = (id: PinId) => {
    const level = read.call(gpio, id);
    if (buttons.has(gpio.resolve(id))) tick();
    return level;
  };
  network.getaddrinfo = (host, port) => {
    take("connect");
    return getaddrinfo.call(network, host, port);
  };
  const unsubscribe = board.trace.subscribe((e) => {
    if (e.kind === "board" && e.board === board.name) take(e.event);
  });
  return () => {
    unsubscribe();
    gpio.write = write;
    gpio.read = read;
    network.getaddrinfo = getaddrinfo;
  };
}
