// Which keys press which button, and which keys the view keeps for itself.
//
// Every button gets a digit, in board order: 1 is the first board's first
// button, 2 the next button, and so on (1..9, then 0). A button's `key` from
// the board file ("space", or a single character) is an extra key for it when
// no earlier button took that key and it is not a command key. Space is the
// one command key a board may take: it pauses only while no button claims it
// (p always pauses).

import type { BoardView } from "../../emulator/runner/session-api.ts";

export interface ButtonBinding {
  /** Keys as ink reports them in `input` (" " for space); the digit first. */
  keys: string[];
  board: string;
  button: string;
}

/** Keys the view uses for its own commands; a board file cannot take them. */
export const COMMAND_KEYS: ReadonlySet<string> = new Set(["q", "p", "s", "f", "m", "t"]);

const DIGITS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"];

const NAMED_KEYS: Record<string, string> = { space: " ", spacebar: " " };

/** A board file's key name as the character ink reports, or undefined when it cannot be bound. */
export function keyFromName(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const named = NAMED_KEYS[name.trim().toLowerCase()];
  if (named) return named;
  const chars = Array.from(name);
  if (chars.length !== 1) return undefined;
  if (/[\u0000-\u001f\u007f]/.test(name)) return undefined;
  if (COMMAND_KEYS.has(name) || COMMAND_KEYS.has(name.toLowerCase()) || DIGITS.includes(name)) return undefined;
  return name;
}

export function keyLabel(key: string): string {
  return key === " " ? "space" : key;
}

export function bindButtons(boards: readonly Pick<BoardView, "name" | "buttons">[]): ButtonBinding[] {
  const bindings: ButtonBinding[] = [];
  const taken = new Set<string>();
  let next = 0;
  for (const board of boards) {
    for (const button of board.buttons) {
      const keys: string[] = [];
      const digit = DIGITS[next++];
      if (digit !== undefined) keys.push(digit);
      const preferred = keyFromName(button.key);
      if (preferred !== undefined && !taken.has(preferred)) {
        taken.add(preferred);
        keys.push(preferred);
      }
      bindings.push({ keys, board: board.name, button: button.name });
    }
  }
  return bindings;
}

/** The label shown next to a button, e.g. "1" or "1/space"; "-" when it has no key. */
export function keysFor(bindings: readonly ButtonBinding[], board: string, button: string): string {
  const b = bindings.find((x) => x.board === board && x.button === button);
  return b && b.keys.length > 0 ? b.keys.map(keyLabel).join("/") : "-";
}

export function bindingFor(bindings: readonly ButtonBinding[], key: string): ButtonBinding | undefined {
  return bindings.find((b) => b.keys.includes(key));
}

/** Whether space pauses (it does unless a button took it). */
export function spacePauses(bindings: readonly ButtonBinding[]): boolean {
  return !bindingFor(bindings, " ");
}
