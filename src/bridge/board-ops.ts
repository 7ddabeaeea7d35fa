// What the bench asks of a board, built on Repl.exec: small Python snippets
// run on the board, with file data in base64 chunks and a SHA-256 check at the
// end. No protocol bytes here; every snippet is our own.

import { createHash } from "node:crypto";
import { BridgeError } from "./errors.ts";
import { boardText, exceptionLine, type Repl } from "./repl.ts";

export interface BoardInfo {
  /** sys.implementation.name, "micropython" on a MicroPython board. */
  implementation: string;
  /** "1.24.1", from sys.implementation.version. */
  version: string;
  /** sys.implementation._machine, e.g. "ESP32 module with ESP32" (may be absent). */
  machine: string | null;
  platform: string;
  /** os.uname() as a record; null on ports without it (the WebAssembly port). */
  uname: Record<string, string> | null;
  memFree: number | null;
}

export interface BoardEntry {
  name: string;
  dir: boolean;
  size: number;
}

/** Raw bytes per exec when writing: small enough for an ESP8266's heap once base64-encoded and compiled. */
export const PUT_CHUNK = 2048;
/** The smallest chunk tried when a board runs out of memory compiling one (mpremote writes 256 bytes at a time). */
const MIN_PUT_CHUNK = 256;
/** Raw bytes per print when reading. */
const GET_CHUNK = 1024;

export class BoardOps {
  constructor(readonly repl: Repl) {}

  /** Runs code; a Python exception on the board becomes an exec error naming `what`. Returns stdout as text. */
  async run(code: string, what: string, silentMs?: number): Promise<string> {
    const { stdout, stderr } = await this.repl.exec(code, { silentMs });
    if (stderr.length > 0) throw new BridgeError("exec", `${this.repl.name}: ${what} failed on the board: ${exceptionLine(stderr)}`);
    return boardText(stdout);
  }

  /** The last line the code printed, parsed as JSON. */
  private async runJson<T>(code: string, what: string): Promise<T> {
    const out = (await this.run(code, what)).trim().split("\n");
    const line = out[out.length - 1];
    try {
      return JSON.parse(line) as T;
    } catch {
      throw new BridgeError("garbage", `${this.repl.name}: ${what}: the board printed "${line.slice(0, 60)}" instead of JSON`);
    }
  }

  async info(): Promise<BoardInfo> {
    return this.runJson<BoardInfo>(
      [
        "import sys, json",
        "try:",
        " import os",
        " u = os.uname()",
        " u = {'sysname': u[0], 'nodename': u[1], 'release': u[2], 'version': u[3], 'machine': u[4]}",
        "except Exception:",
        " u = None",
        "try:",
        " import gc",
        " gc.collect()",
        " m = gc.mem_free()",
        "except Exception:",
        " m = None",
        "i = sys.implementation",
        "print(json.dumps({'implementation': i.name, 'version': '.'.join(str(x) for x in i.version[:3]), 'machine': getattr(i, '_machine', None), 'platform': sys.platform, 'uname': u, 'memFree': m}))",
      ].join("\n"),
      "reading the board",
    );
  }

  /** Writes `data` to `path` on the board in chunks, then checks its SHA-256 (or reads it back where hashlib lacks sha256). */
  async put(path: string, data: Uint8Array, onProgress?: (sent: number) => void): Promise<void> {
    await this.run(`import binascii\n_ub_f = open(${pyStr(path)}, 'wb')\n_ub_w = _ub_f.write\n_ub_d = binascii.a2b_base64`, `opening ${path} for writing`);
    let size = PUT_CHUNK;
    for (let at = 0; at < data.length; ) {
      const chunk = Buffer.from(data.subarray(at, at + size)).toString("base64");
      try {
        await this.run(`_ub_w(_ub_d(b'${chunk}'))`, `writing ${path}`);
      } catch (error) {
        // A small board (ESP8266) may not find room to compile a chunk: nothing was written, so retry it smaller.
        if (error instanceof BridgeError && error.kind === "exec" && error.message.includes("MemoryError") && size > MIN_PUT_CHUNK) {
          size /= 2;
          continue;
        }
        // The helpers vanish when the board reboots: say so rather than "NameError".
        if (error instanceof BridgeError && error.kind === "exec" && error.message.includes("NameError")) {
          throw new BridgeError("soft-reset", `${this.repl.name}: the board rebooted (soft reset) while ${path} was being written; run it again`);
        }
        throw error;
      }
      at = Math.min(at + size, data.length);
      onProgress?.(at);
    }
    await this.run("_ub_f.close()\ndel _ub_f, _ub_w, _ub_d", `closing ${path}`);
    await this.verify(path, data);
  }

  /** Reads `path` from the board, checked against its SHA-256 on the board when it has one. */
  async get(path: string): Promise<Uint8Array> {
    const out = await this.run(
      [
        "import binascii",
        `with open(${pyStr(path)}, 'rb') as f:`,
        " while True:",
        `  b = f.read(${GET_CHUNK})`,
        "  if not b:",
        "   break",
        "  print(binascii.b2a_base64(b).decode().strip())",
      ].join("\n"),
      `reading ${path}`,
      30_000,
    );
    const data = new Uint8Array(Buffer.concat(out.split("\n").filter((l) => l.length > 0).map((l) => Buffer.from(l, "base64"))));
    const remote = await this.hash(path);
    if (remote !== null && remote !== sha256(data)) throw new BridgeError("verify", `${this.repl.name}: ${path} read back differs from the board's copy (SHA-256 mismatch): the line dropped bytes; try again`);
    return data;
  }

  /** The file's SHA-256 in hex computed on the board, or null if its hashlib has no sha256. */
  async hash(path: string): Promise<string | null> {
    const out = await this.run(
      [
        "import binascii",
        "try:",
        " from hashlib import sha256",
        "except ImportError:",
        " sha256 = None",
        "if sha256:",
        " h = sha256()",
        ` with open(${pyStr(path)}, 'rb') as f:`,
        "  while True:",
        "   b = f.read(512)",
        "   if not b:",
        "    break",
        "   h.update(b)",
        " print(binascii.hexlify(h.digest()).decode())",
        "else:",
        " print('-')",
      ].join("\n"),
      `hashing ${path}`,
      30_000,
    );
    const line = out.trim();
    return line === "-" ? null : line;
  }

  private async verify(path: string, data: Uint8Array): Promise<void> {
    const remote = await this.hash(path);
    const ok = remote !== null ? remote === sha256(data) : Buffer.from(await this.get(path)).equals(Buffer.from(data));
    if (!ok) throw new BridgeError("verify", `${this.repl.name}: ${path} on the board differs from what was sent (${remote !== null ? "SHA-256" : "read-back"} mismatch): the line dropped bytes; try again`);
  }

  async list(dir = ""): Promise<BoardEntry[]> {
    return this.runJson<BoardEntry[]>(
      [
        "import os, json",
        "r = []",
        `d = ${pyStr(dir)}`,
        "for e in os.ilistdir(d):",
        " isdir = e[1] == 0x4000",
        " r.append({'name': e[0], 'dir': isdir, 'size': 0 if isdir else os.stat((d.rstrip('/') + '/' if d else '') + e[0])[6]})",
        "print(json.dumps(r))",
      ].join("\n"),
      `listing ${dir || "the current folder"}`,
    );
  }

  async remove(path: string): Promise<void> {
    await this.run(`import os\nos.remove(${pyStr(path)})`, `removing ${path}`);
  }

  /** Creates a folder and its parents; existing ones are fine. */
  async mkdirs(path: string): Promise<void> {
    await this.run(
      [
        "import os",
        "p = ''",
        `for part in ${pyStr(path)}.split('/'):`,
        " if not part:",
        "  p = '/' if not p else p",
        "  continue",
        " p = p + part if p.endswith('/') or not p else p + '/' + part",
        " try:",
        "  os.mkdir(p)",
        " except OSError:",
        "  pass",
      ].join("\n"),
      `creating ${path}`,
    );
  }
}

export function sha256(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** A Python string literal for a path (JSON escapes are valid Python for the characters paths use). */
function pyStr(text: string): string {
  return JSON.stringify(text);
}
