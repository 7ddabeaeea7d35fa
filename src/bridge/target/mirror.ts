// The bench's board instrumentation on a VM board: a prediction for a board
// run under `run --target` (conformance, ab) runs the firmware inside the
// same files the board gets, so the VM's heap carries the same code and
// its fragments. Measured on serve-board's esp8266, that code holds about
// 12 KB of the heap at the firmware's start: a prediction without it overstates
// what a firmware has under the bench.
//
// What differs from the board: getaddrinfo answers with an address the
// emulator routes to its broker, as on the board it routes to the proxy. The
// shim holds the model's buttons at their released level and polls stdin
// for the bench's presses as on the board, but nobody sends any here: a
// prediction so wrapped suits scenarios that press no button (the
// conformance pack's).

import { FrameDecoder } from "../frames.ts";
import type { FirmwareWrapper, WrappedLine } from "../../micropython/firmware/firmware-wrapper.ts";
import { instrumentationFiles, LAUNCHER, shimButtons } from "./instrumentation.ts";


const utf8 = new TextEncoder();
const text = new TextDecoder();

/** One printed line: the firmware's text, the shim's crash report (its other reports are the run's own on an emulated board). */
function splitLine(line: string): WrappedLine {
  const decoder = new FrameDecoder();
  let own = "";
  let reported = false;
  let crash: string | undefined;
  for (const event of [...decoder.push(utf8.encode(line)), ...decoder.flush()]) {
    if (event.kind === "text") {
      own += text.decode(event.bytes);
      continue;
    }
    reported = true;
    const value = event.value as { k?: unknown; exc?: unknown };
    if (value.k === "crash" && typeof value.exc === "string") crash = value.exc;
  }
  // A line that held only reports prints nothing; an empty print() stays an empty line.
  return { ...(own !== "" || !reported ? { text: own } : {}), ...(crash !== undefined ? { crash } : {}) };
}

export const boardInstrumentation: FirmwareWrapper = {
  files(firmware, model) {
    const config = { host: "127.0.0.1", port: 1883, buttons: shimButtons(model), wifi: null };
    const files: Record<string, string> = { "main.py": LAUNCHER };
    for (const [path, body] of Object.entries(instrumentationFiles(firmware, config))) files[path.replace(/^\//, "")] = body;
    return files;
  },
  line: splitLine,
};
