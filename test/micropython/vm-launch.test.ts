// An early VM launch (vm-launch.ts) is taken by a board's host only when it
// was given exactly the init the host makes; what the worker said before the
// host attached is handed over in order. Real VM workers throughout.
import { afterEach, describe, expect, it } from "vitest";
import { once } from "node:events";
import { loadBoard } from "../../src/emulator/board/board-file.ts";
import { boardInit } from "../../src/micropython/host/vm-init.ts";
import { discardEarlyLaunch, launchEarly, launchFor, VmLaunch } from "../../src/micropython/host/vm-launch.ts";

const esp8266 = loadBoard("esp8266");
const initFor = (text: string) => boardInit(esp8266, { files: { "main.py": text } });

const started: VmLaunch[] = [];
afterEach(async () => {
  discardEarlyLaunch();
  await Promise.all(started.splice(0).map((l) => l.worker.terminate()));
});

describe("an early VM launch", () => {
  it("keeps what the worker said before its host attached, and hands it over in order", async () => {
    const launch = new VmLaunch(initFor("print('x')\n"));
    started.push(launch);
    // The VM's first message (ready, once booted) arrives before anyone attaches.
    await once(launch.worker, "message");
    const got: unknown[] = [];
    launch.attach({ message: (m) => got.push(m), error: (e) => got.push(e), exit: (c) => got.push(c) });
    expect(got).toEqual([{ t: "ready" }]);
  }, 30_000);

  it("is taken for the same init; for another it is ended and a new VM boots", async () => {
    const early = launchEarly(initFor("print('a')\n"));
    expect(launchFor(initFor("print('a')\n"))).toBe(early);
    started.push(early);

    const stale = launchEarly(initFor("print('a')\n"));
    const exited = once(stale.worker, "exit");
    const other = launchFor(initFor("print('b')\n"));
    started.push(other);
    expect(other).not.toBe(stale);
    expect(other.init.files).toEqual({ "main.py": "print('b')\n" });
    await exited;
    // Nothing is left waiting to be taken.
    const fresh = launchFor(initFor("print('a')\n"));
    started.push(fresh);
    expect(fresh).not.toBe(stale);
  }, 30_000);

  it("not taken by anyone, is ended by discardEarlyLaunch", async () => {
    const early = launchEarly(initFor("print('a')\n"));
    const exited = once(early.worker, "exit");
    discardEarlyLaunch();
    await exited;
  }, 30_000);
});
