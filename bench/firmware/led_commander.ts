// Bench-only firmware for the VM soak: a board that sends "on" and "off" to
// topic "led" in turn, one QoS 1 message a virtual second, for ever. Being a
// board, it runs on the run's clock, so a soak of any length needs no steps
// (steps and their results would grow with the run and hide a leak).

import type { Firmware } from "../../src/emulator/firmware/context.ts";
import { b } from "../../src/emulator/firmware/py.ts";

/** umqtt's packet id is never wrapped (a device quirk): after 65,535 QoS 1 publishes it would send id 0. */
const PUBLISHES_PER_CONNECTION = 60_000;

const firmware: Firmware = async ({ umqtt, time, SERVER, print }) => {
  for (let sent = 0; ; ) {
    // A fresh client (packet ids from 1 again) well before the id would wrap.
    const client = new umqtt.robust.MQTTClient("led-commander", SERVER);
    await client.connect();
    print("commander connected");
    for (let n = 0; n < PUBLISHES_PER_CONNECTION; n++, sent++) {
      await client.publish(b("led"), b(sent % 2 === 0 ? "on" : "off"), false, 1);
      await time.sleep(1);
    }
    await client.disconnect();
  }
};

export default firmware;
