// Test helper: a real MicroPython VM with the heap budget installed, in its
// own worker thread (the package keeps its state on globalThis, so one VM per
// thread), driven by runs of Python code.

import { Worker } from "node:worker_threads";
import type { HeapVmInit, HeapVmReply, HeapVmRequest } from "./heap-vm-worker.ts";

export type { HeapVmReply } from "./heap-vm-worker.ts";

const BOOT = new URL("./heap-vm-boot.mjs", import.meta.url);

export class HeapVm {
  private constructor(
    private readonly worker: Worker,
    /** The state right after installHeapBudget. */
    readonly boot: HeapVmReply,
  ) {}

  static async start(init: HeapVmInit): Promise<HeapVm> {
    const worker = new Worker(BOOT, { workerData: init });
    const boot = await new Promise<HeapVmReply>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
      worker.once("exit", (code) => reject(new Error(`VM worker exited with ${code}`)));
    });
    return new HeapVm(worker, boot);
  }

  private request(message: HeapVmRequest): Promise<HeapVmReply> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.worker.once("error", onError);
      this.worker.once("message", (reply: HeapVmReply) => {
        this.worker.off("error", onError);
        resolve(reply);
      });
      this.worker.postMessage(message);
    });
  }

  /** Run Python; resolves with what it printed and the heap afterwards (a Python error is in `error`). */
  run(code: string): Promise<HeapVmReply> {
    return this.request({ t: "run", code });
  }

  /** Run Python that must not raise. */
  async ok(code: string): Promise<HeapVmReply> {
    const reply = await this.run(code);
    if (reply.error) throw new Error(`Python raised ${reply.error.type}: ${reply.error.message}\n${reply.out.join("\n")}`);
    return reply;
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}
