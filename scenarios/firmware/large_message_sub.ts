// Subscribes to "blob" and reports each payload's size. umqtt.simple reads a
// whole payload into one bytes object, so a message larger than the heap's
// largest free block raises MemoryError on a small board.

import type { Firmware } from "../../src/emulator/firmware/context.ts";
import { b } from "../../src/emulator/firmware/py.ts";

const firmware: Firmware = async ({ machine, ubinascii, umqtt, gc, print, SERVER, params }) => {
  const CLIENT_ID = new TextDecoder().decode(ubinascii.hexlify(machine.unique_id()));
  const c = new umqtt.simple.MQTTClient(CLIENT_ID, SERVER);
  c.set_callback((_topic, msg) => {
    print(`received ${msg.length} bytes`);
  });
  await c.connect();
  await c.subscribe(b(String(params.topic ?? "blob")));
  gc.collect();
  print(`subscribed, ${gc.mem_free()} bytes free`);
  for (;;) await c.wait_msg();
};

export default firmware;
