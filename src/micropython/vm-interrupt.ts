// Raising KeyboardInterrupt in a VM that is spinning in pure Python, from
// another thread. A loop with no bridged call never runs JavaScript in its
// worker, so nothing there can act; but the VM checks MicroPython's pending
// exception at every backward jump. With the VM's memory shared, the host
// writes the two words `mp_sched_keyboard_interrupt()` writes (the pending
// exception and the scheduler state), and the loop raises KeyboardInterrupt
// where it is, with a traceback naming its file and line, as Ctrl-C on a
// device's serial line does.

import type { MicroPython } from "@micropython/micropython-webassembly-pyscript";

/** The words to write, as [byte address, value]: what mp_sched_keyboard_interrupt() changed when probed. */
export interface InterruptWords {
  memory: SharedArrayBuffer;
  writes: [number, number][];
  /** What each word held when probed: a word that no longer does is left alone (the scheduler is busy). */
  idle: number[];
}

const MEMORY_SECTION = 5;
const HAS_MAX = 0x01;
const SHARED = 0x02;

function readLeb(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (!(b & 0x80)) return [value, at];
  }
}

/**
 * Marks the binary's one memory as shared, in place (the flags byte only, so
 * nothing moves). Shared memory needs a maximum; the build has one (2 GB).
 * Returns false, changing nothing, for a binary it does not recognise.
 */
export function shareWasmMemory(bytes: Uint8Array): boolean {
  let at = 8; // magic and version
  while (at < bytes.length) {
    const id = bytes[at];
    const [size, body] = readLeb(bytes, at + 1);
    if (id === MEMORY_SECTION) {
      const [count, flagsAt] = readLeb(bytes, body);
      if (count !== 1 || bytes[flagsAt] !== HAS_MAX) return false;
      bytes[flagsAt] = HAS_MAX | SHARED;
      return true;
    }
    at = body + size;
  }
  return false;
}

/** Bytes either side of `near` compared: MicroPython's state is one static struct of a few KB (comparing all memory takes 100+ ms). */
const NEAR_BYTES = 64 * 1024;

/**
 * Finds the words by calling mp_sched_keyboard_interrupt() with nothing
 * running and comparing memory before and after, then puts them back. Call in
 * the VM's thread, with the VM idle. `near` is an address in MicroPython's
 * state (the heap module's collect flag): only memory around it is compared
 * (all of it without `near`). The probe runs once: a second call would not
 * change words the first left set. Undefined when memory is not shared or
 * the probe does not change exactly two words.
 */
export function probeInterruptWords(mp: MicroPython, near?: number): InterruptWords | undefined {
  const buffer = mp._module.HEAPU8.buffer;
  if (!(buffer instanceof SharedArrayBuffer)) return undefined;
  const words = new Int32Array(buffer);
  const around = near !== undefined && near >= 0;
  const from = around ? Math.max(0, (near - NEAR_BYTES) >> 2) : 0;
  const to = around ? Math.min(words.length, (near + NEAR_BYTES) >> 2) : words.length;
  const found = probeIn(mp, words, from, to);
  return found && { memory: buffer as SharedArrayBuffer, ...found };
}

function probeIn(mp: MicroPython, words: Int32Array, from: number, to: number): Omit<InterruptWords, "memory"> | undefined {
  const before = words.slice(from, to);
  mp._module.ccall("mp_sched_keyboard_interrupt", null, [], []);
  const writes: [number, number][] = [];
  const idle: number[] = [];
  for (let i = 0; i < before.length; i++) {
    if (words[from + i] !== before[i]) {
      writes.push([(from + i) * 4, words[from + i]]);
      idle.push(before[i]);
      words[from + i] = before[i];
    }
  }
  return writes.length === 2 ? { writes, idle } : undefined;
}

/** Asks the VM to raise KeyboardInterrupt at its next backward jump or call. Safe from any thread. */
export function interruptVm(words: InterruptWords): void {
  const memory = new Int32Array(words.memory);
  words.writes.forEach(([addr, value], i) => {
    Atomics.compareExchange(memory, addr / 4, words.idle[i], value);
  });
}
