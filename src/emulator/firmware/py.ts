// Python's str()/repr() for the values firmware prints, so captured serial
// output reads as it would on a device: print((topic, msg)) shows
// "(b'led', b'on')".

import { bytesEqual as sameBytes, bytesOf, toHex, type Text } from "../../client/bytes.ts";

function bytesRepr(bytes: Uint8Array): string {
  let text = "";
  for (const b of bytes) {
    if (b === 0x5c) text += "\\\\";
    else if (b === 0x27) text += "\\'";
    else if (b === 0x0a) text += "\\n";
    else if (b === 0x0d) text += "\\r";
    else if (b === 0x09) text += "\\t";
    else if (b >= 0x20 && b < 0x7f) text += String.fromCharCode(b);
    else text += `\\x${b.toString(16).padStart(2, "0")}`;
  }
  return `b'${text}'`;
}

export function pyRepr(value: unknown): string {
  if (value instanceof Uint8Array) return bytesRepr(value);
  if (typeof value === "string") return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  if (Array.isArray(value)) {
    // Firmware passes tuples as arrays: (a,) for one element, as Python prints it.
    const inner = value.map(pyRepr).join(", ");
    return value.length === 1 ? `(${inner},)` : `(${inner})`;
  }
  return pyStr(value);
}

export function pyStr(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (value instanceof Uint8Array || Array.isArray(value)) return pyRepr(value);
  return String(value);
}

/** print(*args) as one line. */
export function pyPrintLine(args: readonly unknown[]): string {
  return args.map(pyStr).join(" ");
}

/** ubinascii.hexlify */
export function hexlify(bytes: Uint8Array): Uint8Array {
  return bytesOf(toHex(bytes));
}

/** b"..." literal helper: bytes from a string. */
export function b(text: string): Uint8Array {
  return bytesOf(text);
}

/** bytes == b"...", as Python compares them. */
export function bytesEqual(a: Uint8Array, other: Text): boolean {
  return sameBytes(a, bytesOf(other));
}
