// machine: Pin on the board's GPIO through the board's own machine module
// (src/emulator/board/machine.ts), unique_id, freq, idle, and the resets.

import type { MachinePin } from "../../emulator/board/machine.ts";
import type { PinId } from "../../emulator/board/board-file.ts";
import { int, type HostModule, type VmContext } from "./context.ts";

const pin = (ctx: VmContext, h: unknown): MachinePin => ctx.handles.get<MachinePin>(h as number, "Pin");

/** Python's -1 means "leave as is", None "no pull"; the board's Pin.init takes undefined and null. */
const keep = (v: unknown): number | undefined => (v === -1 || v === undefined ? undefined : (v as number));

export const machineModule: HostModule = {
  glue: ["machine.py"],
  ops: {
    "machine.pin_new": (ctx, [id]) => {
      if (typeof id !== "number" && typeof id !== "string") throw new TypeError("Pin id must be an int or a str");
      return ctx.handles.add(new ctx.board.machine.Pin(id as PinId));
    },
    "machine.pin_init": (ctx, [h, mode, pull, value]) => {
      const p = pin(ctx, h);
      p.init(keep(mode), pull === null ? null : keep(pull), value === null ? undefined : int(value, "value"));
    },
    "machine.pin_value": (ctx, [h]) => pin(ctx, h).value(),
    "machine.pin_set": (ctx, [h, v]) => pin(ctx, h).value(int(v, "value")),
    "machine.pin_toggle": (ctx, [h]) => pin(ctx, h).toggle(),
    "machine.pin_irq": (ctx, [h, fn, trigger]) => {
      const f = int(fn, "handler");
      pin(ctx, h).irq(f === 0 ? null : () => void ctx.invoke(f, []).catch((e: Error) => ctx.board.print(`Uncaught exception in IRQ callback handler: ${e.name}: ${e.message}`)), int(trigger, "trigger"));
    },
    "machine.unique_id": (ctx) => ctx.board.machine.unique_id(),
    "machine.freq": (ctx) => ctx.board.machine.freq(),
    "machine.idle": () => null,
    "machine.reset": (ctx) => ctx.reboot("reset"),
    "machine.soft_reset": (ctx) => ctx.reboot("soft reset"),
  },
  reset(ctx) {
    for (const o of ctx.handles.values()) {
      if (typeof (o as MachinePin).irq === "function") (o as MachinePin).irq(null);
    }
  },
};
