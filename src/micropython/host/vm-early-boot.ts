// `umqtt-bench run` boots the VM of a scenario's first MicroPython board
// while it loads the broker and the emulator, instead of after: the VM's
// boot (its wasm instantiated, the glue compiled, the heap budget installed)
// and that loading take about as long as each other. Everything the VM boots
// with comes from the scenario and the board's definition, so the init is
// made here as the board's VmHost will make it, and the host takes this VM
// only if its own init is the same (vm-launch.ts); otherwise this one is
// ended and the host boots its own, as it would have without it.

import { boardModel, loadBoard } from "../../emulator/board/board-file.ts";
import type { Scenario } from "../../emulator/scenario/types.ts";
import type { SessionOptions } from "../../emulator/runner/session.ts";
import { pythonFirmware } from "../firmware/firmware-files.ts";
import { withParams } from "../firmware/params-module.ts";
import { boardInit } from "./vm-init.ts";
import { launchEarly } from "./vm-launch.ts";

type EarlyOptions = Pick<SessionOptions, "boardModel" | "boardModels" | "firmwareLang" | "coverage" | "wrapFirmware">;

/** Starts booting the first .py board's VM; does nothing when there is none or anything about it is wrong (the run then reports it as usual). */
export function bootFirstVmEarly(scenario: Scenario, options: EarlyOptions): void {
  // Instrumented firmware's files are made from the built board (firmware-wrapper.ts): left to the host.
  if (options.wrapFirmware) return;
  try {
    for (const spec of scenario.boards) {
      const python = pythonFirmware(spec.firmware, scenario.baseDir, options.firmwareLang);
      if (!python) continue;
      const definition = loadBoard(boardModel(spec, options, scenario.baseDir));
      launchEarly(boardInit(definition, { files: withParams(spec, python), ...(options.coverage ? { coverage: { sources: python.sources } } : {}) }));
      return;
    }
  } catch {
    // A bad board file, firmware or params: the run's own loading says so, with its exit code.
  }
}
