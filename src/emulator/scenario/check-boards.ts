// Checks a scenario's steps against the boards they name, once the board
// files are loaded: every LED, button and pin a step uses must exist on that
// board's model, so a typo is bad input (exit 2) before the run, not a step
// failing halfway through it.

import type { BoardDefinition } from "../board/board-file.ts";
import { ScenarioError } from "./parse.ts";
import type { PinTarget, Scenario, Step } from "./types.ts";

function problem(step: Step, definition: BoardDefinition): { field: string; message: string } | undefined {
  const leds = definition.leds.map((l) => l.name);
  const buttons = definition.buttons.map((b) => b.name);
  const pins = [...new Set([...definition.pins, ...Object.values(definition.named_pins)])].sort((a, b) => a - b);
  const target = (t: PinTarget): { field: string; message: string } | undefined => {
    if ("led" in t) {
      return leds.includes(t.led) ? undefined : { field: "led", message: `no LED "${t.led}" (LEDs: ${leds.join(", ") || "none"})` };
    }
    return pins.includes(t.pin) ? undefined : { field: "pin", message: `no GPIO ${t.pin} (pins: ${pins.join(", ")})` };
  };
  switch (step.type) {
    case "expect-pin":
    case "wait-pin":
      return target(step.target);
    case "set-control":
    case "press":
      return buttons.includes(step.control)
        ? undefined
        : { field: "control", message: `no button "${step.control}" (buttons: ${buttons.join(", ") || "none"})` };
    default:
      return undefined;
  }
}

function boardOf(step: Step): string | undefined {
  if (step.type === "expect-pin" || step.type === "wait-pin") return step.target.board;
  return "board" in step ? step.board : undefined;
}

/** Throws a ScenarioError naming the file, the step and the field. */
export function checkStepsAgainstBoards(scenario: Scenario, definitionOf: (board: string) => BoardDefinition): void {
  for (const [index, step] of scenario.steps.entries()) {
    const board = boardOf(step);
    if (board === undefined) continue;
    const definition = definitionOf(board);
    const found = problem(step, definition);
    if (found) {
      throw new ScenarioError(`${scenario.source}: steps[${index}].${step.type}.${found.field}: ${board} (${definition.id}) has ${found.message}`);
    }
  }
}
