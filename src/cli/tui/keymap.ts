// Which key presses which button, and which keys the view keeps for itself.

import type { BoardView } from "../../emulator/session-api.ts";

export interface ButtonBinding {
  key: string;
  board: string;
  button: string;
}

/** Keys the view uses for its own commands; a board file cannot take them. */
export const COMMAND_KEYS: ReadonlySet<string> = new Set(["q", "p", " ", "s", "f", "m", "t"]);

const NUMBER_KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"];

/**
 * Assigns a key to every button, in board order. A button's own `key` from the
 * board file wins when it is a single printable character that is neither a
 * command key nor already taken; every other button gets the next free digit
 * 1..9, 0. Buttons beyond that get no key (the view shows "-").
 */
export function bindButtons(boards: readonly Pick<BoardView, "name" | "buttons">[]): ButtonBinding[] {
  const taken = new Set<string>();
  const wanted = new Map<string, string>();
  for (const board of boards) {
    for (const button of board.buttons) {
      const key = button.key;
      if (key === undefined || Array.from(key).length !== 1) continue;
      if (COMMAND_KEYS.has(key) || COMMAND_KEYS.has(key.toLowerCase()) || taken.has(key)) continue;
      if (/[\u0000-\u001f\u007f]/.test(key)) continue;
      taken.add(key);
      wanted.set(`${board.name}\u0000${button.name}`, key);
    }
  }
  const free = NUMBER_KEYS.filter((k) => !taken.has(k));
  const bindings: ButtonBinding[] = [];
  for (const board of boards) {
    for (const button of board.buttons) {
      const id = `${board.name}\u0000${button.name}`;
      const key = wanted.get(id) ?? free.shift();
      if (key !== undefined) bindings.push({ key, board: board.name, button: button.name });
    }
  }
  return bindings;
}

export function keyFor(bindings: readonly ButtonBinding[], board: string, button: string): string | undefined {
  return bindings.find((b) => b.board === board && b.button === button)?.key;
}

export function bindingFor(bindings: readonly ButtonBinding[], key: string): ButtonBinding | undefined {
  return bindings.find((b) => b.key === key);
}
