// Many boards on one broker: wall time and host heap per board for 100,
// 1,000 and 10,000 emulated boards sharing ONE embedded aedes broker and ONE
// VirtualClock, each connected and doing one publish/receive round trip on
// its own topic every virtual second; and the same per-connection figure for
// bare MQTT.js clients on the same in-process aedes (the baseline).
//
//   node --expose-gc --import tsx bench/many-boards.ts [--sizes 100,1000,10000] [--seconds 10] [--net wifi] [--quiet-turns 3]
//
// One size alone, with a heap snapshot taken after the exchange:
//   node --expose-gc --import tsx bench/many-boards.ts --child ours --boards 1000 --heap-snapshot boards.heapsnapshot
// One size alone, with a CPU profile of bring-up and one of the exchange
// (DIR/bring-up.cpuprofile, DIR/exchange.cpuprofile; open them in Chrome DevTools):
//   node --expose-gc --import tsx bench/many-boards.ts --child ours --boards 3000 --cpu-profile DIR
//
// --quiet-turns N settles the virtual clock by its older rule (N setImmediate
// turns without activity) instead of watching the immediate queue, to set the
// two side by side.
//
// Every size runs in its own child process (clean heap, --expose-gc):
//   --child ours --boards N    emulated boards (createBoardHosts + BoardHost.start,
//                              the per-board path of a session), bench/firmware/echo.ts
//   --child bare --conns N --transport memory|tcp
//                              MQTT.js v5 clients on aedes, through in-memory
//                              duplex pairs or a TCP server on 127.0.0.1
//
// Heap per board = (heapUsed after a full GC with all boards connected and
// exchanging) - (heapUsed after a full GC before the broker started), / N.
// Both sides first run a small warm-up (20 boards or clients, torn down) so
// module code compiled on first use is not counted as per-board heap. The
// broker's own fixed cost is in the delta, so it weighs most at 100 boards.
// The trace is Trace(false): events stream to listeners (the MQTT taps still
// decode every packet) but none is kept, so the trace does not grow with run length.

import { createHash } from "node:crypto";
import { once } from "node:events";
import { createServer, type AddressInfo, type Server } from "node:net";
import { performance } from "node:perf_hooks";
import { writeHeapSnapshot } from "node:v8";
import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { join } from "node:path";
import { Aedes } from "aedes";
import { MqttClient, connect as mqttConnect } from "mqtt";
import { EmbeddedBroker } from "../src/emulator/broker/embedded.ts";
import { createBoardHosts } from "../src/emulator/runner/board-host.ts";
import type { Scenario } from "../src/emulator/scenario/types.ts";
import { createStreamPair } from "../src/emulator/network/stream-pair.ts";
import { Trace } from "../src/emulator/trace.ts";
import { VirtualClock, type VirtualClockOptions } from "../src/emulator/clock/virtual-clock.ts";
import type { EchoStats } from "./firmware/echo.ts";
import { BENCH_DIR, describeMachine, emitResult, fixed, heapUsed, int, kib, machineInfo, runChild, table } from "./lib.ts";

export interface OursResult {
  kind: "ours";
  boards: number;
  seconds: number;
  net: string;
  ready: number;
  sent: number;
  received: number;
  done: number;
  bringUpWallMs: number;
  /** CPU time (user + system) of the process during bring-up. */
  bringUpCpuMs: number;
  exchangeWallMs: number;
  /** CPU time (user + system) of the process during the exchange: steadier than wall time on a loaded machine. */
  exchangeCpuMs: number;
  virtualMs: number;
  timersFired: number;
  traceEvents: number;
  /** sha256 of every trace event in order (with --hash): same seed, same hash. */
  traceHash?: string;
  heapBefore: number;
  heapUp: number;
  heapAfter: number;
  perBoardUp: number;
  perBoard: number;
  rssAfter: number;
}

export interface BareResult {
  kind: "bare";
  transport: "memory" | "tcp";
  conns: number;
  rounds: number;
  received: number;
  wallMs: number;
  /** CPU time (user + system) of the process over `wallMs`. */
  cpuMs: number;
  heapBefore: number;
  heapAfter: number;
  perConn: number;
  rssAfter: number;
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

function argInt(name: string, fallback: number, max: number): number {
  const raw = argValue(name);
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 1 || v > max) throw new Error(`--${name}: expected an integer from 1 to ${max}`);
  return v;
}

export interface RunOursOptions {
  /** Run 20 boards for 2 s first, so compiling code is not counted as heap (default true). */
  warmUp?: boolean;
  /** Hash every trace event (for determinism checks). */
  hash?: boolean;
  /** Measure heap with full GCs (needs --expose-gc; default true). */
  measureHeap?: boolean;
  /** The run's seed (default 1). */
  seed?: number;
  clockOptions?: Omit<VirtualClockOptions, "speed">;
  /** Write a heap snapshot here after the exchange (to see what each board holds). */
  heapSnapshot?: string;
  /** Write a CPU profile of bring-up and one of the exchange into this folder. */
  cpuProfileDir?: string;
}

/** Profiles one phase at a time with the inspector, so bring-up and exchange are not mixed in one file. */
class PhaseProfiler {
  private readonly session = new Session();
  private constructor(private readonly dir: string) {}

  static async open(dir: string | undefined): Promise<PhaseProfiler | undefined> {
    if (!dir) return undefined;
    mkdirSync(dir, { recursive: true });
    const profiler = new PhaseProfiler(dir);
    profiler.session.connect();
    await profiler.session.post("Profiler.enable");
    return profiler;
  }

  async start(): Promise<void> {
    await this.session.post("Profiler.start");
  }

  async stop(phase: string): Promise<void> {
    const { profile } = await this.session.post("Profiler.stop");
    writeFileSync(join(this.dir, `${phase}.cpuprofile`), JSON.stringify(profile));
  }
}

/** Boards on the emulator: one broker, one clock, one (non-recording) trace. */
export async function runOurs(boards: number, seconds: number, net: string, options: RunOursOptions = {}): Promise<OursResult> {
  const { warmUp = true, hash = false, measureHeap = true, seed = 1, clockOptions = {}, heapSnapshot, cpuProfileDir } = options;
  const heap = measureHeap ? heapUsed : () => 0;
  // Load and compile every module first (a few boards, two seconds), so the
  // heap delta counts boards, not code.
  if (warmUp) await runOurs(Math.min(boards, 20), 2, net, { warmUp: false, measureHeap, clockOptions });
  const heapBefore = heap();
  const clock = new VirtualClock({ ...clockOptions, speed: "max" });
  const trace = new Trace(false);
  let traceEvents = 0;
  const hasher = hash ? createHash("sha256") : undefined;
  trace.subscribe((event) => {
    traceEvents++;
    hasher?.update(`${JSON.stringify(event)}\n`);
  });
  const broker = await EmbeddedBroker.start({ clock, trace, onActivity: () => clock.markActivity() });
  const stats: EchoStats = { ready: 0, sent: 0, received: 0, done: 0 };
  const scenario: Scenario = {
    name: "bench_many_boards",
    description: `${boards} boards, one round trip each per virtual second`,
    source: "bench/many-boards",
    baseDir: BENCH_DIR,
    timeoutMs: (seconds + 60) * 1000,
    boards: Array.from({ length: boards }, (_, i) => ({
      name: `b${i}`,
      board: "esp8266",
      firmware: "firmware/echo.ts",
      net,
      params: { stats, seconds, index: i, phase_ms: (i * 997) % 1000 },
    })),
    steps: [],
  };

  const profiler = await PhaseProfiler.open(cpuProfileDir);
  await profiler?.start();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const hosts = await createBoardHosts(scenario, { clock, trace, broker, seed });
  for (const host of hosts) host.start();
  // Bring-up: every board connects and subscribes (bounded: at most 60 virtual seconds).
  for (let t = 0; stats.ready < boards && t < 60_000; ) {
    t += 100;
    await clock.runUntil(t);
  }
  const bringUpWallMs = performance.now() - t0;
  const bringUpCpu = process.cpuUsage(cpu0);
  await profiler?.stop("bring-up");
  const upAt = clock.now();
  const heapUp = heap();

  await profiler?.start();
  const t1 = performance.now();
  const cpu1 = process.cpuUsage();
  // The exchange: `seconds` round trips per board, then a little slack (bounded).
  const end = Math.ceil(upAt / 1000) * 1000 + (seconds + 1) * 1000;
  for (let t = upAt; stats.done < boards && t < end + 30_000; ) {
    t += 1000;
    await clock.runUntil(t);
  }
  const exchangeWallMs = performance.now() - t1;
  const cpuUsed = process.cpuUsage(cpu1);
  await profiler?.stop("exchange");
  const exchangeCpuMs = (cpuUsed.user + cpuUsed.system) / 1000;
  const virtualMs = clock.now() - upAt;
  const heapAfter = heap();
  const rssAfter = process.memoryUsage().rss;
  if (heapSnapshot) writeHeapSnapshot(heapSnapshot);

  for (const host of hosts) host.stop();
  await broker.close();
  return {
    kind: "ours",
    boards,
    seconds,
    net,
    ...stats,
    bringUpWallMs,
    bringUpCpuMs: (bringUpCpu.user + bringUpCpu.system) / 1000,
    exchangeWallMs,
    exchangeCpuMs,
    virtualMs,
    timersFired: clock.firedCount,
    traceEvents,
    ...(hasher ? { traceHash: hasher.digest("hex") } : {}),
    heapBefore,
    heapUp,
    heapAfter,
    perBoardUp: (heapUp - heapBefore) / boards,
    perBoard: (heapAfter - heapBefore) / boards,
    rssAfter,
  };
}

/** Bare MQTT.js v5 clients on aedes: the per-connection cost without any emulation. */
async function runBare(conns: number, rounds: number, transport: "memory" | "tcp", warmUp = true): Promise<BareResult> {
  if (warmUp) await runBare(Math.min(conns, 20), 2, transport, false); // load the code first, as for ours
  const heapBefore = heapUsed();
  const aedes = await Aedes.createBroker({ heartbeatInterval: 500_000_000 });
  let server: Server | undefined;
  let port = 0;
  if (transport === "tcp") {
    server = createServer((socket) => aedes.handle(socket));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    port = (server.address() as AddressInfo).port;
  }
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const clients: MqttClient[] = [];
  let received = 0;
  const options = { keepalive: 0, reconnectPeriod: 0, protocolVersion: 4 as const };
  // Connect in batches of 500 so the TCP accept queue and the event loop keep up.
  for (let start = 0; start < conns; start += 500) {
    const batch: Promise<unknown>[] = [];
    for (let i = start; i < Math.min(conns, start + 500); i++) {
      const clientId = `bare-${i}`;
      const client =
        transport === "tcp"
          ? mqttConnect({ ...options, host: "127.0.0.1", port, clientId })
          : new MqttClient(
              () => {
                const [clientEnd, brokerEnd] = createStreamPair();
                aedes.handle(brokerEnd);
                return clientEnd;
              },
              { ...options, clientId },
            );
      client.on("message", () => void received++);
      clients.push(client);
      const connected = new Promise<void>((resolve, reject) => {
        client.once("connect", () => resolve());
        client.once("error", reject);
      });
      batch.push(connected.then(() => client.subscribeAsync(`bench/${i}`)));
    }
    await Promise.all(batch);
  }
  // `rounds` publish/receive round trips per client, on its own topic.
  for (let r = 0; r < rounds; r++) {
    const target = received + conns;
    await Promise.all(clients.map((c, i) => c.publishAsync(`bench/${i}`, `tick ${r}`)));
    const deadline = performance.now() + 30_000;
    while (received < target && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const wallMs = performance.now() - t0;
  const cpuUsed = process.cpuUsage(cpu0);
  const heapAfter = heapUsed();
  const rssAfter = process.memoryUsage().rss;
  await Promise.all(clients.map((c) => c.endAsync(true)));
  server?.close();
  await new Promise<void>((resolve) => aedes.close(() => resolve()));
  return { kind: "bare", transport, conns, rounds, received, wallMs, cpuMs: (cpuUsed.user + cpuUsed.system) / 1000, heapBefore, heapAfter, perConn: (heapAfter - heapBefore) / conns, rssAfter };
}

export interface ManyBoardsReport {
  seconds: number;
  net: string;
  ours: (OursResult | { kind: "ours"; boards: number; error: string })[];
  bare: (BareResult | { kind: "bare"; transport: string; conns: number; error: string })[];
}

/** Per-size child timeouts: 10,000 boards must finish within a few minutes on 2 cores. */
function childTimeout(n: number): number {
  return n >= 10_000 ? 360_000 : n >= 1000 ? 120_000 : 60_000;
}

export async function manyBoards(sizes: number[], seconds: number, net: string, log: (line: string) => void, childArgs: string[] = []): Promise<ManyBoardsReport> {
  const report: ManyBoardsReport = { seconds, net, ours: [], bare: [] };
  for (const n of sizes) {
    const transports: ("memory" | "tcp")[] = n <= 5000 ? ["memory", "tcp"] : ["memory"]; // tcp: 2 fds a connection
    for (const transport of transports) {
      log(`  bare MQTT.js x ${int(n)} (${transport}) ...`);
      try {
        report.bare.push(await runChild<BareResult>("many-boards.ts", ["--child", "bare", "--conns", String(n), "--rounds", String(seconds), "--transport", transport], { timeoutMs: childTimeout(n) }));
      } catch (error) {
        report.bare.push({ kind: "bare", transport, conns: n, error: (error as Error).message });
      }
    }
    log(`  emulated boards x ${int(n)} ...`);
    try {
      report.ours.push(await runChild<OursResult>("many-boards.ts", ["--child", "ours", "--boards", String(n), "--seconds", String(seconds), "--net", net, ...childArgs], { timeoutMs: childTimeout(n) }));
    } catch (error) {
      report.ours.push({ kind: "ours", boards: n, error: (error as Error).message });
    }
  }
  return report;
}

/** Exchange CPU per board per virtual second at each size, against the smallest: flat means the design scales. */
function costPerBoard(report: ManyBoardsReport): string {
  const done = report.ours.filter((o): o is OursResult => !("error" in o) && o.virtualMs > 0);
  if (done.length === 0) return "cost per board: no size finished";
  const cost = (o: OursResult) => (o.exchangeCpuMs * 1000) / (o.boards * (o.virtualMs / 1000)); // µs of CPU per board-second
  const base = cost(done[0]!);
  const parts = done.map((o) => `${int(o.boards)}: ${fixed(cost(o), 0)} µs (${fixed(cost(o) / base, 2)}x)`);
  return `exchange CPU per board per virtual second: ${parts.join(", ")}`;
}

export function formatManyBoards(report: ManyBoardsReport): string {
  const bareAt = (n: number, transport: string) => report.bare.find((b): b is BareResult => b.conns === n && "transport" in b && b.transport === transport && !("error" in b));
  const rows = report.ours.map((o) => {
    if ("error" in o) return [int(o.boards), "failed", "", "", "", "", "", "", "", "", "", "", "", "", "", o.error];
    const mem = bareAt(o.boards, "memory");
    const tcp = bareAt(o.boards, "tcp");
    const ratio = (b: { perConn: number } | undefined) => (b ? `${fixed(o.perBoard / b.perConn, 2)}x` : "-");
    const total = o.bringUpWallMs + o.exchangeWallMs;
    return [
      int(o.boards),
      `${int(o.ready)}/${int(o.received)}`,
      fixed(o.bringUpWallMs / 1000, 2),
      fixed(o.bringUpCpuMs / 1000, 2),
      fixed(o.exchangeWallMs / 1000, 2),
      fixed(o.exchangeCpuMs / 1000, 2),
      `${fixed(o.virtualMs / 1000, 0)} s`,
      `${fixed(o.virtualMs / o.exchangeWallMs, 2)}x`,
      mem ? `${fixed(total / mem.wallMs, 2)}x` : "-",
      mem ? `${fixed((o.bringUpCpuMs + o.exchangeCpuMs) / mem.cpuMs, 2)}x` : "-",
      int(o.received / (total / 1000)),
      kib(o.perBoardUp),
      kib(o.perBoard),
      mem ? kib(mem.perConn) : "-",
      tcp ? kib(tcp.perConn) : "-",
      `${ratio(mem)} / ${ratio(tcp)}`,
    ];
  });
  const ours = table(
    ["boards", "up/msgs rcvd", "bring-up s", "bring-up cpu s", "exchange s", "exchange cpu s", "virtual", "x real time", "wall vs bare mem", "cpu vs bare mem", "msgs/wall s", "heap/board up", "after exchange", "bare mem", "bare tcp", "heap ratio mem/tcp"],
    rows,
  );
  const bareRows = report.bare.map((b) =>
    "error" in b
      ? [b.transport, int(b.conns), "failed", "", "", "", b.error]
      : [b.transport, int(b.conns), int(b.received), fixed(b.wallMs / 1000, 2), fixed(b.cpuMs / 1000, 2), kib(b.perConn), `${fixed(b.rssAfter / 2 ** 20, 0)} MiB`],
  );
  const bare = table(["bare MQTT.js", "conns", "msgs rcvd", "wall s", "cpu s", "heap/conn", "rss"], bareRows);
  return `${ours}\n\n${costPerBoard(report)}\n\n${bare}`;
}

async function main(): Promise<void> {
  const child = argValue("child");
  if (child === "ours") {
    const hash = process.argv.includes("--hash");
    // --quiet-turns N: settle by the clock's older rule, to compare figures and trace hashes.
    const quietTurns = argValue("quiet-turns") === undefined ? undefined : argInt("quiet-turns", 3, 100);
    const heapSnapshot = argValue("heap-snapshot");
    const cpuProfileDir = argValue("cpu-profile");
    emitResult(
      await runOurs(argInt("boards", 100, 100_000), argInt("seconds", 10, 3600), argValue("net") ?? "wifi", {
        hash,
        clockOptions: { quietTurns },
        ...(heapSnapshot ? { heapSnapshot } : {}),
        ...(cpuProfileDir ? { cpuProfileDir } : {}),
      }),
    );
    process.exit(0);
  }
  if (child === "bare") {
    const transport = argValue("transport") === "tcp" ? "tcp" : "memory";
    emitResult(await runBare(argInt("conns", 100, 100_000), argInt("rounds", 10, 3600), transport));
    process.exit(0);
  }
  const sizes = (argValue("sizes") ?? "100,1000,10000").split(",").map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1 || n > 50_000) throw new Error(`--sizes: expected integers from 1 to 50000, got "${s}"`);
    return n;
  });
  const seconds = argInt("seconds", 10, 600);
  const net = argValue("net") ?? "wifi";
  const json = process.argv.includes("--json");
  const log = (line: string) => (json ? process.stderr.write(`${line}\n`) : console.log(line));
  log(`many boards: ${sizes.map(int).join(", ")} boards on one embedded aedes and one virtual clock, ${seconds} virtual s, net ${net}`);
  log(describeMachine());
  const quietTurns = argValue("quiet-turns");
  if (quietTurns !== undefined) log(`settle: the older rule, ${quietTurns} quiet turns`);
  const report = await manyBoards(sizes, seconds, net, log, quietTurns === undefined ? [] : ["--quiet-turns", quietTurns]);
  if (json) emitResult({ machine: machineInfo(), ...report });
  else console.log(`\n${formatManyBoards(report)}`);
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  await main();
}
