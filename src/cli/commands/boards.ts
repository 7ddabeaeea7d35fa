// `umqtt-bench boards`: the board models in boards/.

import { listBoards, loadBoard } from "../../emulator/board/board-file.ts";

export function boardsCommand(options: { json?: boolean }): void {
  const boards = listBoards().map((id) => loadBoard(id));
  if (options.json) {
    process.stdout.write(`${JSON.stringify(boards, null, 2)}\n`);
    return;
  }
  const width = Math.max(...boards.map((b) => b.id.length));
  for (const b of boards) {
    const leds = b.leds.map((l) => `${l.name}@${l.pin} active-${l.active}`).join(", ") || "none";
    const buttons = b.buttons.map((x) => `${x.name}@${x.pin} active-${x.active}`).join(", ") || "none";
    process.stdout.write(
      `${b.id.padEnd(width)}  ${b.name}\n${" ".repeat(width)}  heap ${b.heap.budget.toLocaleString("en-US")} B free, LEDs: ${leds}; buttons: ${buttons}; network: ${b.network}\n`,
    );
  }
}
