// Bench-only firmware: example_sub_led on umqtt.robust, so 1,000 commands
// survive the resets, partitions and Wi-Fi drops of the flaky-wifi profile.
// Differences from scenarios/firmware/example_sub_led.ts:
// - umqtt.robust's client with a persistent session (clean_session=False)
//   and a QoS 1 subscription: commands published while the link is down
//   are queued by the broker and delivered after robust's reconnect;
// - the first connect is retried too (flaky-wifi fails 5% of DNS lookups).

import type { Firmware } from "../../src/emulator/firmware/context.ts";
import { OSError } from "../../src/client/errors.ts";
import { b, bytesEqual } from "../../src/emulator/firmware/py.ts";

const firmware: Firmware = async ({ machine, time, ubinascii, umqtt, print, SERVER, params }) => {
  const { Pin } = machine;
  const led = new Pin(Number(params.led_pin ?? 2), Pin.OUT, null, 1);
  const CLIENT_ID = new TextDecoder().decode(ubinascii.hexlify(machine.unique_id()));
  const TOPIC = b(String(params.topic ?? "led"));
  let state = 0;

  function sub_cb(_topic: Uint8Array, msg: Uint8Array): void {
    if (bytesEqual(msg, "on")) {
      led.value(0);
      state = 1;
    } else if (bytesEqual(msg, "off")) {
      led.value(1);
      state = 0;
    } else if (bytesEqual(msg, "toggle")) {
      led.value(state);
      state = 1 - state;
    }
  }

  const c = new umqtt.robust.MQTTClient(CLIENT_ID, SERVER);
  c.DEBUG = true; // reconnects show on the serial console
  c.set_callback(sub_cb);
  let present = false;
  for (let attempt = 1; ; attempt++) {
    try {
      present = Boolean(await c.connect(false));
      break;
    } catch (e) {
      if (!(e instanceof OSError) || attempt >= 50) throw e;
      print(`connect failed: ${e.message}; retrying`);
      await time.sleep(2);
    }
  }
  if (!present) await c.subscribe(TOPIC, 1);
  print(`Connected to ${SERVER}, subscribed to b'${new TextDecoder().decode(TOPIC)}' topic`);
  for (;;) await c.wait_msg();
};

export default firmware;
