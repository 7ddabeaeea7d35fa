// The umqtt-bench command. Parses arguments (commander), runs the command,
// and turns every outcome into a documented exit code.

import { Command, CommanderError, Option } from "commander";
import { EXIT } from "./exit-codes.ts";
import { describeFailure } from "./errors.ts";
import { installSignalHandlers } from "./signals.ts";
import { registerSweep } from "./commands/sweep.ts";
import { registerMerge } from "./commands/merge.ts";

// Each command's module loads when that command runs: `run` does not pay
// for ink (watch) or the serial-port bindings (devices) at start-up.
type Commands = typeof import("./commands/run.ts") &
  typeof import("./commands/watch.ts") &
  typeof import("./commands/list.ts") &
  typeof import("./commands/boards.ts") &
  typeof import("./commands/broker.ts") &
  typeof import("./commands/serve-board.ts") &
  typeof import("./commands/devices.ts");
function lazy<K extends keyof Commands>(load: () => Promise<Pick<Commands, K>>, name: K): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const action = (await load())[name] as unknown as (...a: unknown[]) => void | Promise<void>;
    await action(...args);
  };
}
const runCommand = lazy(() => import("./commands/run.ts"), "runCommand");
const watchCommand = lazy(() => import("./commands/watch.ts"), "watchCommand");
const listCommand = lazy(() => import("./commands/list.ts"), "listCommand");
const boardsCommand = lazy(() => import("./commands/boards.ts"), "boardsCommand");
const brokerCommand = lazy(() => import("./commands/broker.ts"), "brokerCommand");
const serveBoardCommand = lazy(() => import("./commands/serve-board.ts"), "serveBoardCommand");
const devicesCommand = lazy(() => import("./commands/devices.ts"), "devicesCommand");

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Options shared by `run` and `watch`: which boards, network and broker a scenario runs on. */
function addRunOptions(command: Command): Command {
  return command
    .option("--board <model>", "run every board as this model (a name from `umqtt-bench boards` or a path to a board JSON file); NAME=MODEL for one board", collect)
    .option("--net <profile>", "network profile for every board: ideal, wifi, flaky-wifi, gprs")
    .option("--net-set <field=value>", "override one network profile field, e.g. latencyMs=80 (repeatable)", collect)
    .option("--umqtt <version>", "umqtt.simple release for every board: 1.3.4, 1.4.0, 1.5.0, 1.6.0, 1.7.0, 1.7.1 or 1.8.0 (default: the scenario's, else 1.8.0)")
    .option("--seed <n>", "seed for every random choice (network faults, jitter); printed with every run")
    .option("--timeout <duration>", "deadline for the whole run, e.g. 90s (default: the scenario's)")
    .option("--broker <url>", "use an external broker, e.g. mqtt://127.0.0.1:1883 (runs in real time)")
    .option("--trace <file>", "write every trace event as JSON lines, as they happen")
    .option("--firmware-lang <lang>", "built-in firmware as MicroPython on a VM (py, default) or its TypeScript port (ts, cheaper for fleets)");
}

export function buildProgram(): Command {
  const program = new Command("umqtt-bench")
    .description("Emulated MicroPython boards running umqtt firmware scenarios against a real MQTT broker.")
    .version("0.1.0")
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText("after", "\nExit codes: 0 pass, 1 a step failed, 2 bad usage or input, 3 internal error, 42 deadline passed, 130 interrupted.")
    .exitOverride();

  addRunOptions(
    program
      .command("run")
      .description("run a scenario to completion and report pass/fail")
      .argument("<scenario>", "built-in scenario name (see `umqtt-bench list`) or a .yaml/.json scenario file"),
  )
    .option("--realtime", "run on the wall clock instead of virtual time")
    .option("--json", "print the result as JSON instead of the human report")
    .option("--junit <file>", "write a JUnit XML report")
    .option("--quiet", "print only the verdict line")
    .action(runCommand);

  addRunOptions(
    program
      .command("watch")
      .description("run a scenario in an interactive terminal view: LEDs, buttons, traffic")
      .argument("<scenario>", "built-in scenario name or scenario file"),
  )
    .addOption(new Option("--speed <speed>", "initial speed: 1, 10 or max").default("1"))
    .action(watchCommand);

  program.command("list").description("list the built-in scenarios").option("--json", "as JSON").action(listCommand);
  program.command("boards").description("list the board models in boards/").option("--json", "as JSON").action(boardsCommand);
  program
    .command("broker")
    .description("serve the embedded aedes broker on TCP, for real boards on the LAN")
    .option("--port <n>", "TCP port", "1883")
    .option("--host <address>", "address to listen on", "0.0.0.0")
    .action(brokerCommand);
  program
    .command("serve-board")
    .description("serve a MicroPython board on a pseudo-terminal (REPL, raw REPL, raw-paste, soft reset); prints the device path")
    .option("--board <model>", "board model (see `umqtt-bench boards`)", "esp32")
    .option("--link <path>", "also make the device appear at this path")
    .action(serveBoardCommand);
  registerSweep(program);
  registerMerge(program);
  program.command("devices").description("list serial ports, marking likely MicroPython boards").option("--json", "as JSON").action(devicesCommand);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: "user" });
    return process.exitCode === undefined ? EXIT.pass : Number(process.exitCode);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; every other parse problem is bad usage.
      return error.exitCode === 0 ? EXIT.pass : EXIT.usage;
    }
    const { line, code } = describeFailure(error);
    process.stderr.write(`${line}\n`);
    return code;
  }
}

installSignalHandlers();
const code = await main(process.argv.slice(2));
process.exit(code);
