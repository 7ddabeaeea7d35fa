// What the bench puts on a board for a run, as files: the instrumentation
// (src/bridge/py), its settings, the firmware under /umqtt_bench/fw, and the
// launcher that takes /main.py's place. install.ts uploads them; a
// prediction for such a board runs the same files on a VM board
// (mirror.ts), so both carry the same code.

import { readFileSync } from "node:fs";
import type { BoardDefinition } from "../../emulator/board/board-file.ts";

export const HOME = "/umqtt_bench";

const PY_DIR = new URL("../py/", import.meta.url);
const SHIMS = ["ubench_frame.py", "ubench_shim.py", "ubench_pin.py", "ubench_net.py", "ubench_run.py"];

/** The launcher that takes /main.py's place for the run. */
export const LAUNCHER = [
  "# umqtt-bench is running a scenario on this board: your main.py is kept in",
  "# /umqtt_bench/saved/ and put back when the run ends (or at the next run).",
  "import sys",
  `sys.path.insert(0, ${JSON.stringify(HOME)})`,
  "import ubench_run",
  "",
].join("\n");

/** What the shim reads at boot (ubench_run.py, ubench_shim.install). */
export interface ShimConfig {
  /** Address and port getaddrinfo() answers with: the bench's broker proxy. */
  host: string;
  port: number;
  /** Pins wired to buttons, at the level they read while released. */
  buttons: { pin: number | string; released: 0 | 1 }[];
  wifi: [string, string] | null;
}

/** The model's buttons as the shim holds them: at the level each reads while released. */
export function shimButtons(model: BoardDefinition): ShimConfig["buttons"] {
  return model.buttons.map((b) => ({ pin: b.pin, released: b.active === "low" ? 1 : 0 }));
}

/** The bench's files for a run, by absolute path on the board (the launcher, /main.py, apart). */
export function instrumentationFiles(firmware: Record<string, string>, config: ShimConfig): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of SHIMS) files[`${HOME}/${name}`] = readFileSync(new URL(name, PY_DIR), "utf8");
  files[`${HOME}/cfg.json`] = JSON.stringify(config);
  for (const [path, text] of Object.entries(firmware)) files[`${HOME}/fw/${path}`] = text;
  return files;
}
