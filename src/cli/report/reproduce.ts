// The report's `reproduce:` line: the command again, with the seed and every
// flag that changes what runs (boards, network, deadline, clock, broker,
// umqtt version, firmware language), and
// none of the output-only ones, quoted for a POSIX shell.

import type { RunFlags } from "../session-options.ts";

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function reproduceCommand(scenarioArg: string, flags: RunFlags, seed: number): string {
  const args = ["umqtt-bench", "run", scenarioArg, "--seed", String(seed)];
  for (const board of flags.board ?? []) args.push("--board", board);
  if (flags.net !== undefined) args.push("--net", flags.net);
  for (const field of flags.netSet ?? []) args.push("--net-set", field);
  if (flags.timeout !== undefined) args.push("--timeout", flags.timeout);
  if (flags.realtime) args.push("--realtime");
  if (flags.broker !== undefined) args.push("--broker", flags.broker);
  if (flags.umqtt !== undefined) args.push("--umqtt", flags.umqtt);
  if (flags.firmwareLang !== undefined) args.push("--firmware-lang", flags.firmwareLang);
  return args.map(quote).join(" ");
}
