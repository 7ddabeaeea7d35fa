// What a board's VM boots with (BoardInit): its files, the host's glue
// modules, its heap budget and platform, and for coverage the settrace
// build. Made from the board's definition alone, so `run` can boot a VM
// before the emulator has built the board (vm-launch.ts), and a VmHost
// makes the very same init for the board it drives.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { BoardDefinition } from "../../emulator/board/board-file.ts";
import type { HostModule } from "../modules/context.ts";
import { allGlue, HOST_MODULES } from "../modules/registry.ts";
import { boardPort } from "../modules/os.ts";
import { PORT_CONSTANTS_MODULE, portConstantsModule } from "../modules/network.ts";
import type { BoardInit } from "./vm-launch.ts";
import type { ReplInit } from "../repl-protocol.ts";

const GLUE_DIR = new URL("../py/", import.meta.url);

export interface BoardInitOptions {
  /** The board's filesystem: path -> contents. */
  files: Record<string, string | Uint8Array>;
  /** Default: the board definition's. */
  heapBudget?: number;
  /** Host modules beyond the board's own (serve-board's REPL). */
  modules?: readonly HostModule[];
  repl?: ReplInit;
  /** Record which lines of the board's .py files run. `sources`: board path -> host path. */
  coverage?: { sources?: Record<string, string> };
}

/** The VM build with sys.settrace, shipped in the pinned package. */
function settraceWasm(): string {
  const entry = createRequire(import.meta.url).resolve("@micropython/micropython-webassembly-pyscript");
  return join(dirname(entry), "micropython-settrace.wasm");
}

/** The glue's files ship with the bench and do not change while it runs: each is read once per process (every VM board, and `run`'s early boot, make an init). */
const glueTexts = new Map<string, string>();
function glueText(path: string): string {
  let text = glueTexts.get(path);
  if (text === undefined) glueTexts.set(path, (text = readFileSync(new URL(path, GLUE_DIR), "utf8")));
  return text;
}

export function boardInit(definition: BoardDefinition, options: BoardInitOptions): BoardInit {
  const modules = [...HOST_MODULES, ...(options.modules ?? [])];
  const glue: Record<string, string> = {};
  for (const path of allGlue(modules)) glue[path] = glueText(path);
  glue[PORT_CONSTANTS_MODULE] = portConstantsModule({ definition });
  const init: BoardInit = {
    files: options.files,
    platform: boardPort({ definition }),
    heapBudget: options.heapBudget ?? definition.heap.budget,
    glue,
    ...(options.repl ? { repl: options.repl } : {}),
  };
  if (options.coverage) {
    // The firmware's own .py files (those read from the host, when known), not files the bench adds.
    const own = options.coverage.sources ? Object.keys(options.coverage.sources) : Object.keys(options.files);
    init.coverage = { wasm: settraceWasm(), files: own.filter((p) => p.endsWith(".py") && p in options.files).sort() };
  }
  return init;
}
