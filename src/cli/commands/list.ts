// `umqtt-bench list`: the built-in scenarios.

import { builtinScenarioNames, resolveScenario } from "../../emulator/scenario/resolve.ts";

export function listCommand(options: { json?: boolean }): void {
  const scenarios = builtinScenarioNames().map((name) => {
    const s = resolveScenario(name);
    return { name, description: s.description, boards: s.boards.map((b) => `${b.board}:${b.firmware}`) };
  });
  if (options.json) {
    process.stdout.write(`${JSON.stringify(scenarios, null, 2)}\n`);
    return;
  }
  const width = Math.max(...scenarios.map((s) => s.name.length));
  for (const s of scenarios) process.stdout.write(`${s.name.padEnd(width)}  ${s.description}\n`);
}
