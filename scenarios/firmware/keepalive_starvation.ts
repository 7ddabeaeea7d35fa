// umqtt.simple with a keepalive but no ping(): the client never pings by
// itself, so an idle connection is dropped by the broker after 1.5 x keepalive
// and the next wait_msg() raises OSError(-1) (the peer closed).

import type { Firmware } from "../../src/emulator/firmware/context.ts";
import { b } from "../../src/emulator/firmware/py.ts";

const firmware: Firmware = async ({ machine, ubinascii, umqtt, print, SERVER, params }) => {
  const keepalive = Number(params.keepalive ?? 10);
  const CLIENT_ID = new TextDecoder().decode(ubinascii.hexlify(machine.unique_id()));
  const c = new umqtt.simple.MQTTClient(CLIENT_ID, SERVER, { keepalive });
  c.set_callback((topic, msg) => print([topic, msg]));
  await c.connect();
  await c.subscribe(b("quiet"));
  print(`Connected with keepalive ${keepalive}`);
  for (;;) await c.wait_msg();
};

export default firmware;
