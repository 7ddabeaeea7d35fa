// runWatch end to end on in-memory streams (the real-terminal test is
// watch.e2e.test.ts): the view draws, q stops the session, the result comes
// back and the terminal is handed back (alternate screen left, cursor shown,
// raw mode off). Uses FakeSession, the test double for the runner.

import { EventEmitter } from "node:events";
import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import { runWatch } from "../../src/cli/tui/index.ts";
import { FakeSession } from "./fake-session.ts";

class FakeTtyIn extends EventEmitter {
  isTTY = true;
  rawMode = false;
  rawModeCalls: boolean[] = [];
  private queue: string[] = [];
  setRawMode(on: boolean) {
    this.rawMode = on;
    this.rawModeCalls.push(on);
    return this;
  }
  setEncoding() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read(): string | null {
    return this.queue.shift() ?? null;
  }
  type(text: string) {
    this.queue.push(text);
    this.emit("readable");
  }
}

class FakeTtyOut extends EventEmitter {
  isTTY = true;
  columns = 110;
  rows = 36;
  output = "";
  write(chunk: string, cb?: () => void) {
    this.output += chunk;
    if (cb) setImmediate(cb);
    return true;
  }
}

async function until(check: () => boolean, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("runWatch", () => {
  it("draws even when CI is set, quits on q, stops the session and restores the terminal", async () => {
    const saved = process.env.CI;
    process.env.CI = "true"; // ink would otherwise hold every frame back until exit
    try {
      const session = new FakeSession();
      let subscribed = 0;
      const subscribe = session.trace.subscribe.bind(session.trace);
      session.trace.subscribe = (listener) => {
        subscribed++;
        const off = subscribe(listener);
        return () => {
          subscribed--;
          return off();
        };
      };
      const stdin = new FakeTtyIn();
      const stdout = new FakeTtyOut();
      const stderr = new FakeTtyOut();
      const done = runWatch(session, {
        stdin: stdin as unknown as NodeJS.ReadStream,
        stdout: stdout as unknown as NodeJS.WriteStream,
        stderr: stderr as unknown as NodeJS.WriteStream,
        handleSignals: false,
        patchConsole: false, // vitest owns the console
        refreshMs: 5,
      });
      await until(() => stdout.output.includes("board2") && stdout.output.includes("q quit"), "the first frame");
      expect(process.env.CI).toBe("true");
      expect(stdout.output.startsWith("\u001B[?1049h")).toBe(true);
      expect(stdin.rawMode).toBe(true);
      expect(subscribed).toBe(1);

      session.setLed("board2", "led", true);
      await until(() => stripVTControlCharacters(stdout.output).includes("● led ON"), "the LED lit");

      stdin.type("q");
      const result = await done;
      expect(result.status).toBe("fail"); // what FakeSession.stop() reports for an unfinished run
      expect(session.stopped).toBe(1);
      expect(subscribed).toBe(0);
      expect(stdin.rawMode).toBe(false);
      expect(stdout.output.endsWith("\u001B[?1049l\u001B[?25h")).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.CI;
      else process.env.CI = saved;
    }
  });

  it("returns the verdict's result with exitOnVerdict, without an alternate screen when asked", async () => {
    const session = new FakeSession();
    const stdin = new FakeTtyIn();
    const stdout = new FakeTtyOut();
    const done = runWatch(session, {
      stdin: stdin as unknown as NodeJS.ReadStream,
      stdout: stdout as unknown as NodeJS.WriteStream,
      stderr: new FakeTtyOut() as unknown as NodeJS.WriteStream,
      handleSignals: false,
      patchConsole: false,
      alternateScreen: false,
      exitOnVerdict: true,
      refreshMs: 5,
    });
    await until(() => stdout.output.includes("board1"), "the first frame");
    session.finish("pass");
    const result = await done;
    expect(result.status).toBe("pass");
    expect(session.stopped).toBe(1);
    expect(stdout.output).not.toContain("\u001B[?1049");
    expect(stdout.output.endsWith("\u001B[?25h")).toBe(true);
  });
});
