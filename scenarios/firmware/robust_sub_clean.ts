// A common umqtt.robust mistake: connect() with the default clean session,
// subscribe once, then rely on robust to keep things going. After a network
// error robust reconnects with connect(False) and never resubscribes, and the
// broker dropped the clean session's subscriptions, so messages stop arriving.

import type { Firmware } from "../../src/emulator/firmware/context.ts";
import { b } from "../../src/emulator/firmware/py.ts";

const firmware: Firmware = async ({ umqtt, print, SERVER }) => {
  const c = new umqtt.robust.MQTTClient("umqtt_client", SERVER);
  c.DEBUG = true;
  c.set_callback((topic, msg) => print([topic, msg]));
  await c.connect(); // clean_session=True: the session ends with this connection
  await c.subscribe(b("foo_topic"));
  print("Subscribed to b'foo_topic'");
  for (;;) await c.wait_msg();
};

export default firmware;
