// `umqtt-bench serve-board`: a MicroPython board on a pseudo-terminal, for
// trying the serial bridge and MicroPython's own tools without hardware.
// Prints the device path, then serves until interrupted.

import { loadBoard } from "../../emulator/board/board-file.ts";
import { ServedBoard } from "../../bridge/serve/serve-board.ts";
import { claimSignals } from "../signals.ts";

export async function serveBoardCommand(options: { board?: string; link?: string }): Promise<void> {
  // Validates the model now (bad input: exit 2). Until the VM board lands, the
  // CPU is a plain VM: no machine, network or umqtt bound to this model yet.
  const model = loadBoard(options.board ?? "esp32");
  const board = await ServedBoard.start({ link: options.link });
  process.stdout.write(`serving a MicroPython board (${model.id}, plain VM) on ${board.path} (Ctrl-C to stop)\n`);
  const unplugged = new Promise<string>((resolve) => board.pty.onExit(() => resolve("the pseudo-terminal closed")));
  let release = (): void => {};
  const interrupted = new Promise<string>((resolve) => {
    release = claimSignals((_count, signal) => resolve(signal === "SIGINT" ? "interrupted" : "terminated"));
  });
  const why = await Promise.race([unplugged, interrupted]);
  release();
  await board.stop();
  process.stdout.write(`board stopped (${why})\n`);
}
