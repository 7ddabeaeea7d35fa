// What a freshly booted board's heap holds before the firmware runs: the
// firmware script, umqtt as it was loaded, and the holes boot leaves
// (heap-calibration.ts BOOT_LAYOUT_32). Without the holes the largest free
// block would equal all free memory, which genuine MicroPython never shows.

import type { Heap } from "./heap.ts";
import { BOARD_CHARGES_32, BOOT_LAYOUT_32, type UmqttLoad } from "./heap-calibration.ts";

/** One block: the small long-lived object that closes each hole. */
const SEPARATOR_BYTES = 16;

export function bootHeap(heap: Heap, load: UmqttLoad, firmwareBytes: number): void {
  if (firmwareBytes > 0) heap.reserve(firmwareBytes, "firmware");
  const layout = BOOT_LAYOUT_32[load];
  const umqttBytes = BOARD_CHARGES_32.umqtt[load] + layout.extraReserve;
  if (umqttBytes > 0) heap.reserve(umqttBytes, `umqtt (${load})`);
  const blocksOf = (bytes: number) => Math.ceil(bytes / heap.blockSize);
  let at = heap.firstFreeBlock;
  for (const hole of layout.holes) {
    at += blocksOf(hole);
    if (at >= heap.blockCount) return;
    heap.pinAt(at, SEPARATOR_BYTES, "boot");
    at += blocksOf(SEPARATOR_BYTES);
  }
  if (layout.fragmentEvery) {
    for (at += blocksOf(layout.fragmentEvery); at < heap.blockCount; at += blocksOf(layout.fragmentEvery) + 1) {
      heap.pinAt(at, SEPARATOR_BYTES, "compiler leftovers");
    }
  }
}
