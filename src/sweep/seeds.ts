// `--seeds` and `--jobs` of `umqtt-bench sweep`, checked with one line per
// bad value (exit 2). Seeds come out in the order given: that order is the
// order of the report and what --shard splits.

import { UsageError } from "../cli/errors.ts";

/** Seeds a sweep may list; a bound keeps the unit list (and the loop building it) small. */
export const MAX_SEEDS = 1_000_000;
const MAX_SEED = 2 ** 32 - 1;

function seedValue(text: string, whole: string): number {
  if (!/^\d+$/.test(text) || Number(text) > MAX_SEED) {
    throw new UsageError(`--seeds: "${text}" is not a seed (an integer from 0 to ${MAX_SEED}) in "${whole}"`);
  }
  return Number(text);
}

/** "1..1000", "7", "1,5,9" or a mix ("1..10,42"), each seed once. */
export function parseSeeds(text: string): number[] {
  const seeds: number[] = [];
  const seen = new Set<number>();
  for (const part of text.split(",")) {
    const range = /^(.*)\.\.(.*)$/.exec(part.trim());
    const from = seedValue(range ? range[1].trim() : part.trim(), text);
    const to = range ? seedValue(range[2].trim(), text) : from;
    if (to < from) throw new UsageError(`--seeds: range ${part.trim()} ends before it starts (write ${to}..${from})`);
    if (seeds.length + (to - from + 1) > MAX_SEEDS) throw new UsageError(`--seeds: more than ${MAX_SEEDS.toLocaleString("en-US")} seeds in "${text}"`);
    for (let seed = from; seed <= to; seed++) {
      if (seen.has(seed)) throw new UsageError(`--seeds: seed ${seed} is listed twice in "${text}"`);
      seen.add(seed);
      seeds.push(seed);
    }
  }
  return seeds;
}

/** A positive number of parallel runs, at most `max` (a few hundred threads help nobody). */
export function parseJobs(text: string | undefined, fallback: number, max = 256): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max) throw new UsageError(`--jobs: expected an integer from 1 to ${max}, got "${text}"`);
  return Number(text);
}
