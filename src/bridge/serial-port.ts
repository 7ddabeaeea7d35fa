// A ByteLink over a serial port: @serialport/stream with the platform's real
// bindings (a USB-serial board, or a pseudo-terminal from serve-board).
// Tests pass @serialport/binding-mock instead.

import { existsSync } from "node:fs";
import { SerialPortStream } from "@serialport/stream";
import { autoDetect } from "@serialport/bindings-cpp";
import { BridgeError } from "./errors.ts";
import type { ByteLink } from "./link.ts";

/** The binding type @serialport/stream accepts (bindings-interface is not a direct dependency). */
type Binding = ConstructorParameters<typeof SerialPortStream>[0]["binding"];

export interface SerialOptions {
  /** MicroPython's USB and UART REPLs run at 115200 baud (USB-CDC ignores it). */
  baudRate?: number;
  /** Defaults to the platform binding; tests pass MockBinding. */
  binding?: Binding;
}

export class SerialLink implements ByteLink {
  private closeListeners: Array<(error?: Error) => void> = [];
  private closed = false;
  private pendingWrites = new Set<(error?: Error) => void>();

  private presence: NodeJS.Timeout | null = null;

  private constructor(
    readonly path: string,
    private readonly stream: SerialPortStream,
    watchDevice: boolean,
  ) {
    stream.on("close", (error?: Error | null) => this.finish(error ?? undefined));
    // A read error on a vanished device arrives as 'error' then 'close'; the close carries it.
    stream.on("error", (error: Error) => this.finish(error));
    // The bindings do not always notice a device going away (a pty whose other
    // end closed can read as empty forever), but its device node disappears,
    // as a USB board's does when unplugged: check for it.
    if (watchDevice) {
      this.presence = setInterval(() => {
        if (existsSync(path)) return;
        this.finish(new Error("the device disappeared"));
        if (stream.isOpen) stream.close(() => {});
      }, 200);
      this.presence.unref();
    }
  }

  static async open(path: string, options: SerialOptions = {}): Promise<SerialLink> {
    const binding = options.binding ?? autoDetect();
    const stream = new SerialPortStream({ binding, path, baudRate: options.baudRate ?? 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) =>
      stream.open((error) => (error ? reject(new BridgeError("open", `cannot open serial port ${path}: ${error.message} (check the path with \`umqtt-bench devices\` and that no other program holds the port)`)) : resolve())),
    );
    return new SerialLink(path, stream, options.binding === undefined);
  }

  /** The binding's port, for tests driving a mock. */
  get port(): unknown {
    return this.stream.port;
  }

  get isOpen(): boolean {
    return !this.closed && this.stream.isOpen;
  }

  write(bytes: Uint8Array): Promise<void> {
    if (!this.isOpen) return Promise.reject(new BridgeError("port-closed", `serial port ${this.path} is closed`));
    return new Promise((resolve, reject) => {
      // A write pending when the device vanishes never calls back: the close rejects it.
      const pending = (error?: Error) => reject(new BridgeError("port-closed", `${this.path} closed while writing${error ? ` (${error.message.split("\n")[0]})` : ""}`));
      this.pendingWrites.add(pending);
      this.stream.write(Buffer.from(bytes), (error) => {
        this.pendingWrites.delete(pending);
        if (error) reject(new BridgeError("port-closed", `writing to ${this.path} failed: ${error.message}`));
        else resolve();
      });
    });
  }

  onData(listener: (chunk: Uint8Array) => void): void {
    this.stream.on("data", (chunk: Buffer) => listener(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
  }

  onClose(listener: (error?: Error) => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }

  async close(): Promise<void> {
    if (this.closed || !this.stream.isOpen) {
      this.finish();
      return;
    }
    await new Promise<void>((resolve) => this.stream.close(() => resolve()));
    this.finish();
  }

  private finish(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    if (this.presence) clearInterval(this.presence);
    for (const reject of this.pendingWrites) reject(error);
    this.pendingWrites.clear();
    for (const listener of this.closeListeners.splice(0)) listener(error);
  }
}
