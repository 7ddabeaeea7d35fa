// What a host module's operations get: the board the VM runs on, a way to
// run Python callables in the VM, and a table of host objects (pins, MQTT
// clients) the VM holds by number.

import type { Board } from "../../emulator/board/board.ts";
import type { HeapFigures, Value } from "../protocol.ts";
import type { UmqttVersion } from "../../client/versions.ts";

export class Handles {
  private next = 1;
  private readonly objects = new Map<number, unknown>();

  add(object: unknown): number {
    const h = this.next++;
    this.objects.set(h, object);
    return h;
  }

  get<T>(h: Value, what: string): T {
    const object = typeof h === "number" ? this.objects.get(h) : undefined;
    if (object === undefined) throw new TypeError(`not a ${what}`);
    return object as T;
  }

  values(): unknown[] {
    return [...this.objects.values()];
  }

  clear(): void {
    this.objects.clear();
  }
}

export interface VmContext {
  readonly board: Board;
  readonly handles: Handles;
  /** The umqtt.simple release the board's umqtt behaves as. */
  readonly umqttVersion: UmqttVersion;
  /**
   * Run Python callable `fn` (an id from the VM's `ref`) in the VM; resolves
   * with what it returned. `unmade(i)` is called, just before the promise
   * rejects, when the VM could not make `args[i]` (MemoryError before `fn` ran).
   */
  invoke(fn: number, args: Value[], unmade?: (argument: number) => void): Promise<Value>;
  /** machine.reset() / soft_reset(): the VM reboots once this call returns. */
  reboot(kind: "reset" | "soft reset" | "watchdog reset"): void;
  /**
   * Answer the VM's innermost blocked call with `error` (raised in Python: the
   * very object for a Python exception a callback raised, else a new exception
   * of the class named `error.name`, looked up in register_exc()'s and builtins) as
   * soon as it waits, instead of that call's own answer; invocations still
   * queued are dropped. For events that unwind the firmware from outside (a
   * watchdog reset). False when the VM has already ended.
   */
  interrupt(error: Error): boolean;
  /** The VM's heap as it last reported it (at blocking calls, and with a MemoryError a callable raised). */
  heap(): HeapFigures;
  /** The VM is still running (not ended or stopped). */
  alive(): boolean;
}

/** One host operation: `op(ctx, args)`; a promise makes the Python caller block until it settles. */
export type Op = (ctx: VmContext, args: Value[]) => Value | void | Promise<Value | void>;

/** A module the VM can import: its Python glue (files in src/micropython/py/) and the host operations it calls. */
export interface HostModule {
  /** Glue files (paths under py/) installed in the VM's own folder. */
  glue: string[];
  /** Operations by full name, e.g. "machine.pin_new". */
  ops: Record<string, Op>;
  /** Called when the VM reboots or stops: let go of what the module holds for it. */
  reset?(ctx: VmContext): void;
}

export function int(v: Value | undefined, what: string): number {
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v !== "number") throw new TypeError(`${what}: can't convert ${v === null || v === undefined ? "NoneType" : typeof v} to int`);
  return v;
}
