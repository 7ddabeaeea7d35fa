// Typed errors of the serial bridge. Each message is one line saying what
// went wrong on the wire and what to do; the CLI prints it as is (exit 2).
// All share the name "BridgeError" so src/cli/errors.ts needs no import.

export type BridgeErrorKind =
  | "open" // the port could not be opened
  | "no-device" // serial:auto found no board, or several
  | "not-answering" // nothing (or not the expected prompt) came back in time
  | "garbage" // bytes that no MicroPython REPL sends
  | "port-closed" // the port went away mid-operation (board unplugged)
  | "soft-reset" // the board rebooted in the middle of an operation
  | "exec" // Python raised on the board
  | "verify"; // a file read back differs from what was sent

export class BridgeError extends Error {
  override name = "BridgeError";
  constructor(
    readonly kind: BridgeErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** Shows received bytes in an error message: printable ASCII as is, the rest escaped, cut to `max` characters. */
export function showBytes(bytes: Uint8Array, max = 60): string {
  let s = "";
  for (const b of bytes) {
    if (b === 0x0d) s += "\\r";
    else if (b === 0x0a) s += "\\n";
    else if (b >= 0x20 && b < 0x7f) s += String.fromCharCode(b);
    else s += `\\x${b.toString(16).padStart(2, "0")}`;
  }
  return s.length > max ? `${s.slice(0, max)}...` : s;
}
