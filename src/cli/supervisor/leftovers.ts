// What a finished run left on its session thread that a fresh thread would
// not have: a timer still set, a socket or file still open, a global added
// or replaced. A sweep's reusable session thread (session-thread.ts) takes
// another seed only when a run left none of these.

import { promisify } from "node:util";

/** Each global's name and its value (none for an accessor). */
type Globals = Map<string, { value?: unknown; accessor: boolean }>;

export interface LeftoverWatch {
  /** What the last run left behind; empty when the thread can take another run. */
  find(): Promise<string[]>;
}

/**
 * Call before the first run: it wraps the global setTimeout/setInterval to
 * count the timers not yet fired or cleared (unref()'d ones too, which
 * process.getActiveResourcesInfo() does not list), then notes the globals.
 */
export function watchLeftovers(): LeftoverWatch {
  const liveTimers = new Set<NodeJS.Timeout>();
  trackTimers(liveTimers);
  const globalsBefore = globalsNow();
  return { find: () => find(liveTimers, globalsBefore) };
}

/** Keeps `liveTimers` the set of timers made by the global functions and not yet fired or cleared. */
function trackTimers(liveTimers: Set<NodeJS.Timeout>): void {
  const realTimeout = globalThis.setTimeout;
  const realInterval = globalThis.setInterval;
  const realClearTimeout = globalThis.clearTimeout;
  const realClearInterval = globalThis.clearInterval;
  const tracked = <T extends (...args: never[]) => unknown>(real: T, wrapped: (...args: Parameters<T>) => ReturnType<T>): T =>
    Object.assign(wrapped, { [promisify.custom]: (real as unknown as Record<symbol, unknown>)[promisify.custom] }) as unknown as T;
  globalThis.setTimeout = tracked(realTimeout, (callback, ...rest) => {
    // Not a function: Node's own error, thrown here.
    if (typeof callback !== "function") return realTimeout(callback, ...rest);
    const timer: NodeJS.Timeout = realTimeout(function (this: unknown, ...args: unknown[]) {
      liveTimers.delete(timer);
      return (callback as (...a: unknown[]) => unknown).apply(this, args);
    }, ...rest);
    liveTimers.add(timer);
    return timer;
  });
  globalThis.setInterval = tracked(realInterval, (...args) => {
    const timer = realInterval(...args);
    liveTimers.add(timer);
    return timer;
  });
  globalThis.clearTimeout = (timer) => {
    if (timer && typeof timer === "object") liveTimers.delete(timer as NodeJS.Timeout);
    realClearTimeout(timer);
  };
  globalThis.clearInterval = (timer) => {
    if (timer && typeof timer === "object") liveTimers.delete(timer as NodeJS.Timeout);
    realClearInterval(timer);
  };
}

function globalsNow(): Globals {
  const descriptors = Object.getOwnPropertyDescriptors(globalThis) as Record<string, PropertyDescriptor>;
  return new Map(Object.entries(descriptors).map(([name, d]) => [name, "value" in d ? { value: d.value, accessor: false } : { accessor: true }]));
}

/**
 * Added, or holding another value. Some of Node's globals (btoa, say) are
 * accessors that turn into plain values when first read: an accessor before
 * counts as unchanged.
 */
function globalsChanged(globalsBefore: Globals): string[] {
  return [...globalsNow()]
    .filter(([name, now]) => {
      const was = globalsBefore.get(name);
      return !was || (!was.accessor && (now.accessor || !Object.is(was.value, now.value)));
    })
    .map(([name]) => name);
}

/** What keeps this thread's event loop going besides its port: timers, sockets, file requests. */
function activeResources(): string[] {
  return process.getActiveResourcesInfo().filter((r) => r !== "MessagePort");
}

/** File requests finish on their own; give the ones in flight a few milliseconds. */
const IN_FLIGHT = /^(FSReq|CloseReq|FileHandleCloseReq)/;
const IN_FLIGHT_WAITS = 10;

async function find(liveTimers: Set<NodeJS.Timeout>, globalsBefore: Globals): Promise<string[]> {
  // Let the session's last callbacks (closes, settles) run before looking.
  await new Promise((resolve) => setImmediate(resolve));
  for (let wait = 0; wait < IN_FLIGHT_WAITS && activeResources().some((r) => IN_FLIGHT.test(r)); wait++) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const found: string[] = [];
  const resources = activeResources();
  if (resources.length > 0) found.push(`still active: ${resources.join(", ")}`);
  if (liveTimers.size > 0) found.push(`${liveTimers.size} timer(s) still set`);
  const changed = globalsChanged(globalsBefore);
  if (changed.length > 0) found.push(`globals added or replaced: ${changed.join(", ")}`);
  return found;
}
