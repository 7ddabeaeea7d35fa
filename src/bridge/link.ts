// The byte transport under the REPL protocol: a duplex of bytes that can
// close under us. A serial port (serial-port.ts) is one; tests and tools may
// supply others. Nothing here knows about MicroPython.

export interface ByteLink {
  /** Resolves once the bytes are handed to the OS; rejects if the link is closed. */
  write(bytes: Uint8Array): Promise<void>;
  /** Every chunk received, in order. */
  onData(listener: (chunk: Uint8Array) => void): void;
  /** Called once when the link closes, by us or by the other side (cable pulled). */
  onClose(listener: (error?: Error) => void): void;
  readonly isOpen: boolean;
  close(): Promise<void>;
}
