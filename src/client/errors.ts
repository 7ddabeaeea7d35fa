// Errors the firmware can see. They mirror MicroPython's exception types so a
// ported `try/except OSError` reads the same in TypeScript.

/** MicroPython errno values (its `errno` module, as on ESP and RP2 ports). */
export const errno = {
  EPERM: 1,
  ENOENT: 2,
  EIO: 5,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EEXIST: 17,
  ENODEV: 19,
  EINVAL: 22,
  EPIPE: 32,
  EOPNOTSUPP: 95,
  EADDRINUSE: 98,
  ECONNABORTED: 103,
  ECONNRESET: 104,
  ENOBUFS: 105,
  ENOTCONN: 107,
  ETIMEDOUT: 110,
  ECONNREFUSED: 111,
  EHOSTUNREACH: 113,
  EALREADY: 114,
  EINPROGRESS: 115,
} as const;

const errnoNames = new Map<number, string>(
  Object.entries(errno).map(([name, code]) => [code, name]),
);

/** MicroPython's OSError: `errno` is what firmware tests, e.g. `e.errno === errno.ECONNRESET`. */
export class OSError extends Error {
  override name = "OSError";
  constructor(
    readonly errno: number,
    detail?: string,
  ) {
    // MicroPython prints known codes as "[Errno 104] ECONNRESET" and others as "-1".
    const known = errnoNames.get(errno);
    super(detail ?? (known ? `[Errno ${errno}] ${known}` : String(errno)));
  }
}

/** umqtt's MQTTException: raised with the CONNACK return code or a SUBACK failure (0x80). */
export class MQTTException extends Error {
  override name = "MQTTException";
  constructor(readonly code: number) {
    super(String(code));
  }
}

/** MicroPython's MemoryError: an allocation did not fit the heap even after a collection. */
export class MemoryError extends Error {
  override name = "MemoryError";
  constructor(readonly requested: number, detail?: string) {
    super(detail ?? `memory allocation failed, allocating ${requested} bytes`);
  }
}

/** Python's AssertionError: umqtt uses `assert` for protocol checks (bad CONNACK, QoS 2). */
export class AssertionError extends Error {
  override name = "AssertionError";
  constructor(detail = "") {
    super(detail);
  }
}

/** `assert cond` as umqtt writes it. */
export function pyAssert(condition: unknown, detail?: string): asserts condition {
  if (!condition) throw new AssertionError(detail);
}

/**
 * Python's IndexError: umqtt indexes the bytes a read returned (`resp[3]`),
 * so a short read after the peer closed surfaces as this, as on a device.
 */
export class IndexError extends Error {
  override name = "IndexError";
  constructor(detail = "index out of range") {
    super(detail);
  }
}

/** Python's AttributeError: e.g. `wait_msg()` before `connect()` (`self.sock` is None). */
export class AttributeError extends Error {
  override name = "AttributeError";
  constructor(detail: string) {
    super(detail);
  }
}
