// A pseudo-terminal for the served board. Node cannot open a pty pair without
// a native addon; socat can: its pty end is the board's device path (what a
// host tool opens), its other end is socat's stdin and stdout, which we hold.

import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { BridgeError } from "../errors.ts";

export class Pty {
  private constructor(
    /** The device path to give a host tool: the link if one was asked for, else /dev/pts/N. */
    readonly path: string,
    private readonly socat: ChildProcessWithoutNullStreams,
  ) {}

  /** Starts socat; with `link`, the device also appears at that path (a stable name across runs). */
  static open(options: { link?: string } = {}): Promise<Pty> {
    const address = `pty,raw,echo=0${options.link ? `,link=${options.link}` : ""}`;
    const socat = spawn("socat", ["-d", "-d", address, "STDIO"], { stdio: ["pipe", "pipe", "pipe"] });
    return new Promise((resolve, reject) => {
      let log = "";
      const timer = setTimeout(() => fail(new BridgeError("open", `socat did not create a pseudo-terminal within 5 s: ${log.trim().split("\n").pop() ?? ""}`)), 5000);
      function fail(error: Error): void {
        clearTimeout(timer);
        socat.kill();
        reject(error);
      }
      socat.on("error", (error: NodeJS.ErrnoException) =>
        fail(error.code === "ENOENT" ? new BridgeError("open", "serve-board needs socat to make a pseudo-terminal: install it (apt-get install socat, brew install socat)") : error),
      );
      socat.on("exit", (code) => fail(new BridgeError("open", `socat exited (code ${code}) before making a pseudo-terminal: ${log.trim().split("\n").pop() ?? ""}`)));
      socat.stderr.on("data", (chunk: Buffer) => {
        log += chunk.toString();
        const match = /PTY is (\S+)/.exec(log);
        if (match) {
          clearTimeout(timer);
          socat.removeAllListeners("exit");
          socat.removeAllListeners("error");
          socat.stderr.removeAllListeners("data");
          socat.stderr.resume();
          resolve(new Pty(options.link ?? match[1], socat));
        }
      });
    });
  }

  /** Bytes the host tool wrote to the device. */
  onData(listener: (bytes: Uint8Array) => void): void {
    this.socat.stdout.on("data", (chunk: Buffer) => listener(new Uint8Array(chunk)));
  }

  /** Bytes for the host tool to read. */
  write(bytes: Uint8Array): void {
    if (this.socat.stdin.writable) this.socat.stdin.write(bytes);
  }

  onExit(listener: () => void): void {
    this.socat.on("exit", listener);
  }

  /** Removes the device: a host tool holding it sees the port close, as when a board is unplugged. */
  close(): Promise<void> {
    if (this.socat.exitCode !== null || this.socat.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.socat.once("exit", () => resolve());
      this.socat.kill("SIGTERM");
    });
  }
}
