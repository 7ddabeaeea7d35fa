// The host modules a VM can import. To add one: write its Python glue in
// src/micropython/py/, its host operations in modules/<name>.ts as a
// HostModule, and list it here. Glue files shared by all modules come first.

import type { HostModule, Op } from "./context.ts";
import { machineModule } from "./machine.ts";
import { timeModule } from "./time.ts";
import { umqttModule } from "./umqtt.ts";
import { networkModule } from "./network.ts";
import { socketModule } from "./socket.ts";
import { selectModule } from "./select.ts";
import { osModule } from "./os.ts";
import { timerModule } from "./timer.ts";
import { wdtModule } from "./wdt.ts";

/** Always installed: the bridge, the boot runner, gc, micropython. */
export const CORE_GLUE = ["_benchcore.py", "_benchboot.py", "bench_gc.py", "bench_micropython.py", "bench_sys.py"];

export const HOST_MODULES: readonly HostModule[] = [machineModule, timeModule, umqttModule, networkModule, socketModule, selectModule, osModule, timerModule, wdtModule];

export function allOps(modules: readonly HostModule[] = HOST_MODULES): Map<string, Op> {
  const ops = new Map<string, Op>();
  for (const m of modules) for (const [name, op] of Object.entries(m.ops)) ops.set(name, op);
  return ops;
}

export function allGlue(modules: readonly HostModule[] = HOST_MODULES): string[] {
  return [...CORE_GLUE, ...modules.flatMap((m) => m.glue)];
}
