// Tells a supervisor which board's firmware runs next, so firmware that never
// yields can be named. Firmware resumes right after a promise it awaited
// settles (a sleep, a socket read inside umqtt), so the promises the board's
// modules hand out mark their board when they settle.

export interface FirmwareWatch {
  /** `board`'s firmware is about to run again. */
  resumed(board: string): void;
}

/**
 * `value`, marking when it settles. The firmware's continuation runs one
 * microtask after the mark; other boards resuming in the same turn would mark
 * in between, so the mark is repeated in a microtask queued just before that
 * continuation: the last mark before a continuation is always its own board.
 */
function marked<T>(value: T, mark: () => void): T {
  if (!(value instanceof Promise)) return value;
  const settle = (): void => {
    mark();
    queueMicrotask(mark);
  };
  return value.then(
    (v) => {
      settle();
      return v;
    },
    (error: unknown) => {
      settle();
      throw error;
    },
  ) as T;
}

/** A copy of a module object whose functions mark `mark` when the promises they return settle. */
export function markingModule<T extends object>(module: T, mark: () => void): T {
  const copy: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(module)) {
    copy[name] = typeof value === "function" ? (...args: unknown[]) => marked((value as (...a: unknown[]) => unknown).apply(module, args), mark) : value;
  }
  return copy as T;
}

/** The methods firmware awaits on an umqtt client. */
const CLIENT_METHODS = ["connect", "disconnect", "ping", "publish", "subscribe", "unsubscribe", "wait_msg", "check_msg", "reconnect"] as const;

/** Makes an umqtt client instance's awaited methods mark `mark` when they settle. */
export function markClientMethods(client: object, mark: () => void): void {
  const methods = client as Record<string, unknown>;
  for (const name of CLIENT_METHODS) {
    const method = methods[name];
    if (typeof method !== "function") continue;
    Object.defineProperty(client, name, {
      value: (...args: unknown[]) => marked((method as (...a: unknown[]) => unknown).apply(client, args), mark),
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
}
