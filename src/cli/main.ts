// The umqtt-bench command. Parses arguments (commander), runs the command,
// and turns every outcome into a documented exit code.

import { Command, CommanderError, Option } from "commander";
import { EXIT } from "./exit-codes.ts";
import { describeFailure } from "./errors.ts";
import { installSignalHandlers } from "./signals.ts";
import { registerSweep } from "./commands/sweep.ts";
import { registerMerge } from "./commands/merge.ts";
import { timing } from "../timing.ts";

// Each command's module loads when that command runs: `run` does not pay
// for ink (watch) or the serial-port bindings (devices) at start-up.
type Commands = typeof import("./commands/run.ts") &
  typeof import("./commands/watch.ts") &
  typeof import("./commands/list.ts") &
  typeof import("./commands/boards.ts") &
  typeof import("./commands/broker.ts") &
  typeof import("./commands/serve-board.ts") &
  typeof import("./commands/devices.ts") &
  typeof import("./commands/diff.ts") &
  typeof import("./commands/ab.ts") &
  typeof import("./commands/conformance.ts");
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
const diffCommand = lazy(() => import("./commands/diff.ts"), "diffCommand");
const abCommand = lazy(() => import("./commands/ab.ts"), "abCommand");
const conformanceCommand = lazy(() => import("./commands/conformance.ts"), "conformanceCommand");

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
    .option("--coverage [file]", "record which lines of .py firmware ran: a summary in the report and an lcov file (default coverage/lcov.info)")
    .option("--target <target>", "run on a real MicroPython board: serial:PATH (e.g. serial:/dev/ttyUSB0) or serial:auto")
    .option("--a-firmware <path>", "run this firmware on side A's boards instead of the scenario's (NAME=PATH for one board)", collect)
    .option("--b-firmware <path>", "run this firmware on side B's boards instead of the scenario's (NAME=PATH for one board)", collect)
    .option("--wifi <ssid:password>", "with --target: Wi-Fi credentials for the firmware's network.WLAN (joined before the firmware starts)")
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
    .description("serve a MicroPython VM board on a pseudo-terminal (machine, network, socket, umqtt; REPL, raw REPL, raw-paste, soft reset); prints the device path")
    .option("--board <model>", "board model (see `umqtt-bench boards`)", "esp32")
    .option("--link <path>", "also make the device appear at this path")
    .option("--fs <dir>", "keep the board's filesystem in this folder, so files survive stopping (default: in memory)")
    .action(serveBoardCommand);
  registerSweep(program);
  registerMerge(program);
  program
    .command("conformance")
    .description("run the conformance pack on a board and compare each result with the emulator's prediction for its model")
    .option("--target <target>", "where the checks run: serial:PORT, serial:auto, or emulator[:MODEL] (an emulated stand-in)")
    .option("--board <model>", "board model the prediction is made for (a name from `umqtt-bench boards` or a board JSON file)")
    .option("--umqtt <version>", "umqtt.simple release the prediction assumes (default 1.8.0)")
    .option("--target-umqtt <version>", "umqtt.simple release of an emulator target (default: the prediction's)")
    .option("--wifi <ssid:password>", "Wi-Fi the board's firmware joins (serial targets)")
    .option("--only <checks>", "run only these checks, separated by commas")
    .option("--seed <n>", "seed for both sides; printed in the report")
    .option("--json", "print the result as JSON")
    .option("--junit <file>", "write a JUnit XML report, one test case per check")
    .action(conformanceCommand);
  program.command("devices").description("list serial ports, marking likely MicroPython boards").option("--json", "as JSON").action(devicesCommand);
  program
    .command("diff")
    .description("compare two --trace files once what must differ is normalised; exit 0 equivalent, 1 different")
    .argument("<a>", "first trace (JSON lines from run --trace)")
    .argument("<b>", "second trace")
    .option("--json", "print the comparison as JSON")
    .option("--pin-tolerance-ms <n>", "how far apart the same pin change may be, in ms after its cause (default 200)")
    .option("--heap-tolerance <percent>", "how far apart free heap at a checkpoint may be (default 10%)")
    .action(diffCommand);
  program
    .command("ab")
    .description("run a scenario on two sides (emulator, or a board on serial:PORT), write both traces and diff them")
    .argument("<scenario>", "built-in scenario name or scenario file")
    .option("--board <model>", "board model for both sides (NAME=MODEL for one board)", collect)
    .option("--net <profile>", "network profile for both sides: ideal, wifi, flaky-wifi, gprs")
    .option("--net-set <field=value>", "override one network profile field on both sides (repeatable)", collect)
    .option("--umqtt <version>", "umqtt.simple release for both sides")
    .option("--seed <n>", "seed for both sides (default: one random seed, printed)")
    .option("--timeout <duration>", "deadline for each side's run, e.g. 90s")
    .option("--broker <url>", "an external broker for both sides, e.g. mqtt://127.0.0.1:1883")
    .option("--firmware-lang <lang>", "built-in firmware as py (default) or ts on emulator sides")
    .option("--a <side>", "side A: emulator (default) or serial:PORT")
    .option("--b <side>", "side B: emulator or serial:PORT (required)")
    .option("--a-seed <n>", "seed for side A only")
    .option("--b-seed <n>", "seed for side B only")
    .option("--a-umqtt <version>", "umqtt.simple release for side A only")
    .option("--b-umqtt <version>", "umqtt.simple release for side B only")
    .option("--a-net <profile>", "network profile for side A only")
    .option("--b-net <profile>", "network profile for side B only")
    .option("--a-net-set <field=value>", "override one network profile field on side A only (repeatable)", collect)
    .option("--b-net-set <field=value>", "override one network profile field on side B only (repeatable)", collect)
    .option("--a-firmware-lang <lang>", "py or ts for side A only")
    .option("--b-firmware-lang <lang>", "py or ts for side B only")
    .option("--a-board <model>", "board model for side A only (NAME=MODEL for one board)", collect)
    .option("--b-board <model>", "board model for side B only (NAME=MODEL for one board)", collect)
    .option("--a-firmware <path>", "run this firmware on side A's boards instead of the scenario's (NAME=PATH for one board)", collect)
    .option("--b-firmware <path>", "run this firmware on side B's boards instead of the scenario's (NAME=PATH for one board)", collect)
    .option("--wifi <ssid:password>", "Wi-Fi for a board on serial:PORT (its firmware's network.WLAN joins it)")
    .option("--out <dir>", "folder for A.jsonl and B.jsonl (default: a new temporary folder)")
    .option("--json", "print the sides and the comparison as JSON")
    .option("--pin-tolerance-ms <n>", "how far apart the same pin change may be, in ms after its cause (default 200)")
    .option("--heap-tolerance <percent>", "how far apart free heap at a checkpoint may be (default 10%)")
    .action(abCommand);
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

/** The process's command: runs it and exits with its code. */
export async function runCommandLine(args: string[]): Promise<never> {
  timing("main", "command line loaded");
  installSignalHandlers();
  const code = await main(args);
  timing("main", "exit");
  process.exit(code);
}
