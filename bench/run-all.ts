// `npm run bench`: every benchmark, each in its own child process
// (node --expose-gc --import tsx), then one summary. Benchmarks print
// figures; they are never part of `npm test`.
//
//   npm run bench                      # throughput, 100/1,000/10,000 boards, decoder, tcp, codec, start-up, seed sweep
//   npm run bench -- --quick           # 200 commands, 100/1,000 boards, short tcp/codec runs
//   npm run bench -- --sizes 100,1000 --seconds 10 --commands 1000

import type { ThroughputRow } from "./throughput.ts";
import { formatThroughput } from "./throughput.ts";
import type { ManyBoardsReport } from "./many-boards.ts";
import { formatManyBoards } from "./many-boards.ts";
import type { DecoderRow } from "./decoder.ts";
import { formatDecoder } from "./decoder.ts";
import type { TcpRow } from "./tcp.ts";
import { formatTcp } from "./tcp.ts";
import type { CodecRow } from "./codec.ts";
import { formatCodec } from "./codec.ts";
import type { StartupRow } from "./startup.ts";
import { GOAL_HEADER, goalRows, type SweepRow } from "./goals.ts";
import { describeMachine, fixed, int, kib, runChild, table } from "./lib.ts";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

const quick = process.argv.includes("--quick");
const commands = argValue("commands") ?? (quick ? "200" : "1000");
const sizes = argValue("sizes") ?? (quick ? "100,1000" : "100,1000,10000");
const seconds = argValue("seconds") ?? "10";
const repeat = argValue("repeat") ?? (quick ? "1" : "3");

// Start-up and sweeps run the command, which uses the sources through tsx when dist/ is older than src/: measure the current code compiled.
execFileSync(process.execPath, [fileURLToPath(new URL("../scripts/build.mjs", import.meta.url))], { stdio: "inherit" });

const started = Date.now();
console.log(`umqtt-bench benchmarks, ${new Date().toISOString().slice(0, 10)}`);
console.log(describeMachine());
console.log("");

console.log(`[1/7] throughput: example_sub_led, ${commands} commands, one per virtual second`);
let throughput: { rows: ThroughputRow[]; seed: number } | undefined;
try {
  throughput = await runChild("throughput.ts", ["--json", "--commands", commands, "--repeat", repeat], { timeoutMs: 900_000, echo: true });
} catch (error) {
  console.log(`  throughput failed: ${(error as Error).message}`);
}

console.log(`\n[2/7] many boards: ${sizes} boards on one embedded aedes and one virtual clock, ${seconds} virtual s`);
let many: ManyBoardsReport | undefined;
try {
  many = await runChild("many-boards.ts", ["--json", "--sizes", sizes, "--seconds", seconds], { timeoutMs: 1_800_000, echo: true });
} catch (error) {
  console.log(`  many boards failed: ${(error as Error).message}`);
}

console.log("\n[3/7] decoder: one large PUBLISH in 1,460-byte chunks");
let decoder: DecoderRow[] | undefined;
try {
  decoder = await runChild("decoder.ts", ["--json"], { timeoutMs: 300_000 });
} catch (error) {
  console.log(`  decoder failed: ${(error as Error).message}`);
}

console.log("\n[4/7] client on real TCP: ours vs MQTT.js on mosquitto and aedes (127.0.0.1)");
let tcp: TcpRow[] | undefined;
try {
  tcp = await runChild("tcp.ts", ["--json", ...(quick ? ["--rtt", "200", "--count", "5000", "--rounds", "1"] : [])], { timeoutMs: 600_000 });
} catch (error) {
  console.log(`  tcp failed: ${(error as Error).message}`);
}

console.log("\n[5/7] codec: PUBLISH encode and stream decode vs mqtt-packet");
let codec: CodecRow[] | undefined;
try {
  codec = await runChild("codec.ts", ["--json", ...(quick ? ["--packets", "5000", "--rounds", "1"] : [])], { timeoutMs: 300_000 });
} catch (error) {
  console.log(`  codec failed: ${(error as Error).message}`);
}

console.log("\n[6/7] start-up: umqtt-bench run example_sub_led, end to end, beside Node's own start");
let startup: StartupRow[] | undefined;
try {
  startup = await runChild("startup.ts", ["--json", "--rounds", quick ? "2" : "5"], { timeoutMs: 600_000 });
} catch (error) {
  console.log(`  start-up failed: ${(error as Error).message}`);
}

console.log("\n[7/7] seed sweeps: umqtt-bench sweep example_sub_led, TypeScript and MicroPython firmware, 1 job and 2");
let sweep: SweepRow[] | undefined;
try {
  const ts = await runChild<SweepRow[]>("sweep.ts", ["--json", "--seeds", quick ? "40" : "200", "--rounds", quick ? "1" : "2"], { timeoutMs: 900_000, echo: true });
  // The same with the firmware in MicroPython: each seed boots a VM (in the worker of the seed before).
  sweep = [...ts, ...(await runChild<SweepRow[]>("sweep.ts", ["--json", "--lang", "py", "--seeds", quick ? "20" : "100", "--rounds", quick ? "1" : "2"], { timeoutMs: 900_000, echo: true }))];
} catch (error) {
  console.log(`  sweep failed: ${(error as Error).message}`);
}

console.log("\n== throughput (median wall time of the repetitions) ==");
if (throughput) console.log(formatThroughput(throughput.rows));
console.log("\n== many boards ==");
if (many) console.log(formatManyBoards(many));

// One compact summary.
const summary: string[][] = [];
for (const r of throughput?.rows ?? []) {
  summary.push([`throughput ${r.profile} (${r.firmware.replace(/^.*\//, "")})`, r.status === "pass" ? `${int(r.ratio)}x real time` : r.status, `${int(r.commandsPerWallSecond)} commands/wall s`]);
}
for (const o of many?.ours ?? []) {
  if ("error" in o) {
    summary.push([`${int(o.boards)} boards`, "failed", o.error]);
    continue;
  }
  const bare = many!.bare.find((b) => b.conns === o.boards && "transport" in b && b.transport === "memory" && !("error" in b));
  const ratio = bare && !("error" in bare) ? ` (${fixed(o.perBoard / bare.perConn, 2)}x bare MQTT.js ${kib(bare.perConn)})` : "";
  summary.push([
    `${int(o.boards)} boards x ${o.seconds} virtual s`,
    `${fixed((o.bringUpWallMs + o.exchangeWallMs) / 1000, 1)} s wall`,
    `${kib(o.perBoard)} heap/board${ratio}`,
  ]);
}
for (const r of decoder ?? []) summary.push([`decoder ${r.mib} MiB in 1,460 B chunks`, `${fixed(r.wallMs, 1)} ms wall`, `${fixed(r.msPerMib, 2)} ms per MiB`]);
console.log("\n== client on real TCP (ratio > 1: ours faster) ==");
if (tcp) console.log(formatTcp(tcp));
console.log("\n== codec (ratio > 1: ours faster) ==");
if (codec) console.log(formatCodec(codec));
console.log("\n== the speed goals: ours and the peer's, from this run ==");
console.log(table(GOAL_HEADER, goalRows({ tcp, codec, many, startup, sweep })));
console.log("\n== summary ==");
console.log(table(["benchmark", "result", "detail"], summary));
console.log(`\n(${fixed((Date.now() - started) / 1000, 0)} s in all; ${describeMachine()})`);
