import { describe, expect, it } from "vitest";
import { VirtualClock, type WallClock } from "../../src/emulator/clock/virtual-clock.ts";
import { RealClock } from "../../src/emulator/clock/real-clock.ts";
import { immediatesQueued } from "../../src/emulator/clock/immediates.ts";

describe("VirtualClock", () => {
  it("fires timers in (due, scheduling order) and jumps time", async () => {
    const clock = new VirtualClock();
    const log: string[] = [];
    clock.setTimer(30, () => log.push(`c@${clock.now()}`));
    clock.setTimer(10, () => log.push(`a@${clock.now()}`));
    clock.setTimer(10, () => log.push(`b@${clock.now()}`));
    clock.setTimer(0, () => log.push(`z@${clock.now()}`));
    const cancelled = clock.setTimer(20, () => log.push("never"));
    cancelled.cancel();
    expect(await clock.run()).toBe("idle");
    expect(log).toEqual(["z@0", "a@10", "b@10", "c@30"]);
    expect(clock.now()).toBe(30);
    expect(clock.idle).toBe(true);
  });

  it("runs async firmware loops of many tasks deterministically", async () => {
    async function trial(): Promise<string[]> {
      const clock = new VirtualClock();
      const log: string[] = [];
      const task = async (id: number, period: number, n: number) => {
        for (let i = 0; i < n; i++) {
          await clock.sleep(period);
          await Promise.resolve(); // some microtask work between sleeps
          log.push(`${id}:${clock.now()}`);
        }
      };
      const tasks = [task(1, 20, 5), task(2, 30, 4), task(3, 20, 5), task(4, 7, 10)];
      expect(await clock.run()).toBe("idle");
      await Promise.all(tasks);
      return log;
    }
    const first = await trial();
    expect(first).toContain("4:70");
    expect(first.indexOf("1:20")).toBeLessThan(first.indexOf("3:20"));
    expect(first.indexOf("2:60")).toBeLessThan(first.indexOf("1:80"));
    expect(await trial()).toEqual(first);
  });

  it("lets setImmediate and nextTick work settle before time jumps", async () => {
    const clock = new VirtualClock();
    const seen: number[] = [];
    clock.setTimer(5, () => {
      // work deferred through several host queues, like a broker reacting to a packet
      setImmediate(() =>
        process.nextTick(() =>
          setImmediate(() => {
            clock.markActivity();
            setImmediate(() => seen.push(clock.now()));
          }),
        ),
      );
    });
    clock.setTimer(6, () => seen.push(-clock.now()));
    await clock.run();
    expect(seen).toEqual([5, -6]);
  });

  it("counts the immediates Node has queued (what the settle relies on)", () => {
    const before = immediatesQueued();
    const queued = [setImmediate(() => {}), setImmediate(() => {}), setImmediate(() => {})];
    expect(immediatesQueued() - before).toBe(3);
    queued[0]!.unref(); // an unref'ed immediate does not keep the host busy
    expect(immediatesQueued() - before).toBe(2);
    clearImmediate(queued[1]);
    expect(immediatesQueued() - before).toBe(1);
    clearImmediate(queued[2]);
    expect(immediatesQueued()).toBe(before);
  });

  it("waits out a long chain of setImmediate hand-offs that move no bytes", async () => {
    // aedes and mqemitter hand work on through setImmediate without touching
    // the network; six such turns in a row outlast the older three-turn rule.
    async function trial(quietTurns?: number): Promise<string[]> {
      const clock = new VirtualClock({ quietTurns });
      const log: string[] = [];
      clock.setTimer(5, () => {
        let left = 6;
        const hop = (): void => {
          if (--left > 0) setImmediate(hop);
          else log.push(`chain done@${clock.now()}`);
        };
        setImmediate(hop);
      });
      clock.setTimer(6, () => log.push(`next timer@${clock.now()}`));
      await clock.run();
      return log;
    }
    expect(await trial()).toEqual(["chain done@5", "next timer@6"]);
    // The older rule lets time move on mid-chain: what the queue watch fixes.
    expect(await trial(3)).toEqual(["next timer@6", "chain done@6"]);
  });

  it("keeps time moving while something spins on setImmediate without activity", async () => {
    const clock = new VirtualClock();
    let spins = 0;
    let spinning = true;
    const spin = (): void => {
      spins++;
      if (spinning && spins < 100_000) setImmediate(spin); // bounded in case the clock hangs
    };
    setImmediate(spin);
    const fired: number[] = [];
    for (let t = 10; t <= 50; t += 10) clock.setTimer(t, () => fired.push(clock.now()));
    const outcome = await clock.runUntil(100);
    spinning = false;
    expect(outcome).toBe("idle");
    expect(fired).toEqual([10, 20, 30, 40, 50]);
    expect(spins).toBeLessThan(10 * 64);
  });

  it("settles an instant whose work ends in microtasks in one setImmediate turn", async () => {
    const clock = new VirtualClock();
    let turns = 0;
    let counting = true;
    // An unref'ed immediate is not pending work: it counts the loop's turns without holding the clock back.
    const count = (): void => {
      turns++;
      if (counting) setImmediate(count).unref();
    };
    setImmediate(count).unref();
    for (let t = 1; t <= 1000; t++) clock.setTimer(t, () => void Promise.resolve().then(() => clock.markActivity()));
    await clock.run();
    counting = false;
    expect(clock.firedCount).toBe(1000);
    // One turn per instant plus a few for the run's start and end; the older rule took four.
    expect(turns).toBeLessThan(1100);
    expect(turns).toBeGreaterThanOrEqual(1000);
  });

  it("handles 10,000 tasks each waking every virtual second", async () => {
    const clock = new VirtualClock();
    let wakes = 0;
    const tasks: Promise<void>[] = [];
    for (let b = 0; b < 10_000; b++) {
      tasks.push(
        (async () => {
          await clock.sleep(b % 1000); // staggered start
          for (let i = 0; i < 5; i++) {
            await clock.sleep(1000);
            wakes++;
          }
        })(),
      );
    }
    expect(await clock.runUntil(3_500)).toBe("deadline");
    expect(clock.now()).toBe(3_500);
    expect(await clock.run()).toBe("idle");
    await Promise.all(tasks);
    expect(wakes).toBe(50_000);
    expect(clock.now()).toBe(999 + 5000);
  }, 60_000);

  it("runUntil stops at the deadline and can continue", async () => {
    const clock = new VirtualClock();
    const log: number[] = [];
    for (const t of [100, 200, 300]) clock.setTimer(t, () => log.push(t));
    expect(await clock.runUntil(250)).toBe("deadline");
    expect(log).toEqual([100, 200]);
    expect(clock.now()).toBe(250);
    expect(clock.idle).toBe(false);
    expect(await clock.runUntil(1000)).toBe("idle");
    expect(log).toEqual([100, 200, 300]);
    expect(clock.now()).toBe(300);
  });

  it("stop() ends a run; start() keeps driving through idle periods", async () => {
    const clock = new VirtualClock();
    clock.start();
    expect(clock.running).toBe(true);
    await new Promise((r) => setTimeout(r, 5));
    // A UI event arrives while the clock has nothing to do:
    const at = await new Promise<number>((resolve) => clock.setTimer(50, () => resolve(clock.now())));
    expect(at).toBe(50);
    clock.stop();
    await new Promise((r) => setTimeout(r, 5));
    expect(clock.running).toBe(false);
  });

  it("pause() freezes virtual time until resume()", async () => {
    const clock = new VirtualClock();
    const log: number[] = [];
    clock.setTimer(10, () => log.push(clock.now()));
    clock.pause();
    const run = clock.run();
    await new Promise((r) => setTimeout(r, 10));
    expect(log).toEqual([]);
    expect(clock.now()).toBe(0);
    clock.resume();
    expect(await run).toBe("idle");
    expect(log).toEqual([10]);
  });

  it("hold() keeps time from advancing until released", async () => {
    const clock = new VirtualClock();
    const log: string[] = [];
    clock.setTimer(10, () => log.push(`timer@${clock.now()}`));
    const release = clock.hold("real connect");
    setTimeout(() => {
      log.push(`released@${clock.now()}`);
      release();
    }, 15);
    await clock.run();
    expect(log).toEqual(["released@0", "timer@10"]);
  });

  it("paces virtual time against the wall clock at the requested speed", async () => {
    let wallNow = 1000;
    const waits: number[] = [];
    const wall: WallClock = {
      now: () => wallNow,
      wait: async (ms) => {
        waits.push(ms);
        wallNow += ms;
      },
    };
    const clock = new VirtualClock({ speed: 10, wall });
    const log: number[] = [];
    const firmware = (async () => {
      for (let i = 0; i < 3; i++) {
        await clock.sleep(500);
        log.push(clock.now());
      }
    })();
    await clock.run();
    await firmware;
    expect(log).toEqual([500, 1000, 1500]); // virtual time is unchanged by pacing
    expect(waits).toEqual([50, 50, 50]); // 500 virtual ms at 10x = 50 wall ms each
    clock.setSpeed("max");
    clock.setTimer(1000, () => log.push(clock.now()));
    await clock.run();
    expect(waits).toHaveLength(3);
    expect(log.at(-1)).toBe(2500);
    expect(() => clock.setSpeed(0)).toThrow(RangeError);
  });

  it("paced mode with a real wall clock gives the same virtual schedule as max speed", async () => {
    async function schedule(speed: number | "max"): Promise<number[]> {
      const clock = new VirtualClock({ speed });
      const log: number[] = [];
      for (const t of [3, 1, 2]) clock.setTimer(t, () => log.push(clock.now()));
      await clock.run();
      return log;
    }
    expect(await schedule(1000)).toEqual(await schedule("max"));
  });

  it("reports a throwing timer as a rejected run", async () => {
    const clock = new VirtualClock();
    clock.setTimer(1, () => {
      throw new Error("boom");
    });
    await expect(clock.run()).rejects.toThrow("boom");
    expect(clock.running).toBe(false);
  });
});

describe("RealClock", () => {
  it("follows the wall clock", async () => {
    const clock = new RealClock();
    const start = clock.now();
    await clock.sleep(15);
    expect(clock.now() - start).toBeGreaterThanOrEqual(14);
    let fired = false;
    clock.setTimer(1, () => (fired = true)).cancel();
    await clock.sleep(5);
    expect(fired).toBe(false);
  });
});
