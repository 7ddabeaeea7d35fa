// Mirrors umqtt.simple's example_sub_led.py: an active-low LED on GPIO2
// driven by "on", "off" and "toggle" messages on topic "led".

import type { Firmware } from "../../src/emulator/firmware/context.ts";
import { b, bytesEqual } from "../../src/emulator/firmware/py.ts";

const firmware: Firmware = async ({ machine, ubinascii, umqtt, print, SERVER, params }) => {
  const { Pin } = machine;
  // ESP8266 ESP-12 modules have a blue, active-low LED on GPIO2.
  const led = new Pin(Number(params.led_pin ?? 2), Pin.OUT, null, 1);

  const CLIENT_ID = ubinascii.hexlify(machine.unique_id());
  const TOPIC = b(String(params.topic ?? "led"));
  let state = 0;

  function sub_cb(topic: Uint8Array, msg: Uint8Array): void {
    print([topic, msg]);
    if (bytesEqual(msg, "on")) {
      led.value(0);
      state = 1;
    } else if (bytesEqual(msg, "off")) {
      led.value(1);
      state = 0;
    } else if (bytesEqual(msg, "toggle")) {
      // The LED is inverted, so writing the current state flips it.
      led.value(state);
      state = 1 - state;
    }
  }

  async function main(server = SERVER): Promise<void> {
    const c = new umqtt.simple.MQTTClient(new TextDecoder().decode(CLIENT_ID), server);
    // Subscribed messages are delivered to this callback.
    c.set_callback(sub_cb);
    await c.connect();
    await c.subscribe(TOPIC);
    print(`Connected to ${server}, subscribed to b'${new TextDecoder().decode(TOPIC)}' topic`);
    try {
      for (;;) await c.wait_msg();
    } finally {
      await c.disconnect();
    }
  }

  await main();
};

export default firmware;
