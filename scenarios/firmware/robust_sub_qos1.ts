// example_sub_robust with a QoS 1 subscription, so the broker queues the
// messages sent while the board is away (robust_reconnect).

import type { Firmware } from "../../src/emulator/firmware/context.ts";
import exampleSubRobust from "./example_sub_robust.ts";

const firmware: Firmware = (board) => exampleSubRobust({ ...board, params: { ...board.params, qos: 1 } });

export default firmware;
