// `umqtt-bench broker`: the embedded aedes broker on a TCP port, on the wall
// clock, for real boards on the LAN or other tools. Runs until interrupted.

import { RealClock } from "../../emulator/clock/real-clock.ts";
import { EmbeddedBroker } from "../../emulator/broker/embedded.ts";
import { Trace } from "../../emulator/trace.ts";
import { UsageError } from "../errors.ts";
import { claimSignals, signalsReceived } from "../signals.ts";

export async function brokerCommand(options: { port: string; host: string }): Promise<void> {
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: expected 0 to 65535, got "${options.port}"`);
  const clock = new RealClock();
  const broker = await EmbeddedBroker.start({ clock, trace: new Trace(false) });
  const bound = await broker.listen(port, options.host);
  broker.aedes.on("client", (client) => process.stdout.write(`client connected: ${client.id}\n`));
  broker.aedes.on("clientDisconnect", (client) => process.stdout.write(`client disconnected: ${client.id}\n`));
  process.stdout.write(`embedded aedes broker listening on ${options.host}:${bound} (Ctrl-C to stop)\n`);
  let release = (): void => {};
  await new Promise<void>((resolve) => {
    release = claimSignals(() => resolve());
    if (signalsReceived() > 0) resolve(); // interrupted while starting
  });
  release();
  await broker.close();
  process.stdout.write("broker stopped\n");
}
