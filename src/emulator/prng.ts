// A small deterministic PRNG (mulberry32) and seed mixing, so every random
// choice in a run follows from the run's seed.

export type Rng = () => number;

/** mulberry32: 32-bit state, uniform floats in [0, 1). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over a string, for deriving per-board, per-purpose seeds. */
export function hashString(text: string, h = 0x811c9dc5): number {
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Derive an independent seed for `label` (e.g. "board1/net") from a run seed. */
export function deriveSeed(seed: number, label: string): number {
  return hashString(label, (hashString(String(seed >>> 0)) ^ 0x9e3779b9) >>> 0);
}

/** An exponential waiting time in ms for an event of `ratePerMin`; Infinity when the rate is 0. */
export function exponentialMs(rng: Rng, ratePerMin: number): number {
  if (!(ratePerMin > 0)) return Infinity;
  return (-Math.log(1 - rng()) / ratePerMin) * 60_000;
}
