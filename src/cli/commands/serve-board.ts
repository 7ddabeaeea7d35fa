// `umqtt-bench serve-board`: a MicroPython VM board on a pseudo-terminal, for
// trying the serial bridge and MicroPython's own tools without hardware.
// Prints the device path, then serves until interrupted.

import { ServedBoard } from "../../bridge/serve/serve-board.ts";
import { claimSignals } from "../signals.ts";

export async function serveBoardCommand(options: { board?: string; link?: string; fs?: string }): Promise<void> {
  const notice = (line: string): void => void process.stdout.write(`serve-board: ${line}\n`);
  const board = await ServedBoard.start({ board: options.board, link: options.link, fsDir: options.fs, notice });
  const files = options.fs === undefined ? "files in memory" : `files in ${options.fs}`;
  process.stdout.write(`serving a MicroPython board (${board.cpu.board.definition.id}, ${files}) on ${board.path} (Ctrl-C to stop)\n`);
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
