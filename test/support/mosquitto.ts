// A real mosquitto for integration tests: found on PATH (or the usual sbin
// directories), started with a temporary config listening on 127.0.0.1 and a
// free port (never 1883: a distro may run a system mosquitto there), stopped
// on teardown. stop()/start() restart it on the same port.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import { tmpdir, userInfo } from "node:os";
import { delimiter, join } from "node:path";
import type { TestBroker, TestBrokerOptions } from "./aedes.ts";

const SBIN = ["/usr/sbin", "/usr/local/sbin", "/opt/homebrew/sbin", "/sbin"];

function findBinary(name: string): string | null {
  const dirs = [...(process.env.PATH ?? "").split(delimiter).filter(Boolean), ...SBIN];
  for (const d of dirs) {
    const p = join(d, name);
    if (existsSync(p)) return p;
  }
  return null;
}

export function findMosquitto(): string | null {
  return findBinary("mosquitto");
}

export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

async function waitForPort(port: number, proc: ChildProcess, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`mosquitto exited with code ${proc.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: "127.0.0.1", port });
      s.once("connect", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`mosquitto did not listen on ${port} within ${timeoutMs} ms`);
}

export class MosquittoBroker implements TestBroker {
  readonly name = "mosquitto";
  private proc: ChildProcess | null = null;
  private readonly dir: string;
  private readonly conf: string;
  private log = "";

  private constructor(
    private readonly bin: string,
    readonly port: number,
    options: TestBrokerOptions,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), "umqtt-bench-mosquitto-"));
    this.conf = join(this.dir, "mosquitto.conf");
    const lines = [`listener ${port} 127.0.0.1`, "allow_anonymous true", "persistence false", "log_dest stderr"];
    // Running as root, mosquitto drops to a "mosquitto" user that could not read our files.
    if (process.getuid?.() === 0) lines.push(`user ${userInfo().username}`);
    const users = Object.entries(options.users ?? {});
    if (users.length > 0) {
      const passwd = findBinary("mosquitto_passwd");
      if (!passwd) throw new Error("mosquitto_passwd not found (apt-get install mosquitto)");
      const file = join(this.dir, "passwd");
      users.forEach(([u, p], i) => {
        const r = spawnSync(passwd, i === 0 ? ["-b", "-c", file, u, p] : ["-b", file, u, p]);
        if (r.status !== 0) throw new Error(`mosquitto_passwd failed: ${r.stderr}`);
      });
      lines.push(`password_file ${file}`);
    }
    writeFileSync(this.conf, lines.join("\n") + "\n");
  }

  static async create(options: TestBrokerOptions = {}): Promise<MosquittoBroker> {
    const bin = findMosquitto();
    if (!bin) throw new Error("mosquitto not found: apt-get install mosquitto");
    const b = new MosquittoBroker(bin, await freePort(), options);
    await b.start();
    return b;
  }

  async start(): Promise<void> {
    if (this.proc) return;
    const proc = spawn(this.bin, ["-c", this.conf], { stdio: ["ignore", "ignore", "pipe"] });
    proc.stderr?.on("data", (d) => (this.log = (this.log + d).slice(-4000)));
    this.proc = proc;
    try {
      await waitForPort(this.port, proc);
    } catch (e) {
      await this.stop();
      throw new Error(`${(e as Error).message}\n${this.log}`);
    }
  }

  async stop(): Promise<void> {
    const proc = this.proc;
    this.proc = null;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    proc.kill("SIGTERM");
    const t = setTimeout(() => proc.kill("SIGKILL"), 3000);
    await exited;
    clearTimeout(t);
  }

  /** stop() and remove the temporary directory. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const startMosquitto = (options: TestBrokerOptions = {}) => MosquittoBroker.create(options);
