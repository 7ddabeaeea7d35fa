// Splitting a sweep across machines. A sweep's units (scenario x seed, in
// the order the command lists them) are dealt round-robin: unit i belongs to
// shard (i mod N) + 1. The split depends only on the command line, so every
// shard of a CI matrix or a Kubernetes Indexed Job agrees on it without
// talking to the others, and `merge` can tell whether a shard is missing.

import { UsageError } from "../cli/errors.ts";

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

const MAX_SHARDS = 10_000;

function shardCount(text: string, flag: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX_SHARDS) {
    throw new UsageError(`${flag}: expected a shard count from 1 to ${MAX_SHARDS}, got "${text}"`);
  }
  return Number(text);
}

/**
 * `--shard K/N` (K from 1), or Kubernetes' JOB_COMPLETION_INDEX (from 0) with
 * `--shard-count N`. Neither: no sharding.
 */
export function parseShard(shard: string | undefined, shardCountFlag: string | undefined, env: NodeJS.ProcessEnv = process.env): Shard | undefined {
  if (shard !== undefined) {
    if (shardCountFlag !== undefined) throw new UsageError(`--shard and --shard-count: give one (--shard K/N, or --shard-count N with JOB_COMPLETION_INDEX)`);
    const match = /^(\d+)\/(\d+)$/.exec(shard);
    if (!match) throw new UsageError(`--shard: expected K/N such as 2/5, got "${shard}"`);
    const count = shardCount(match[2], "--shard");
    const index = Number(match[1]);
    if (index < 1 || index > count) throw new UsageError(`--shard: shard ${index} of ${count} does not exist (K runs from 1 to ${count})`);
    return { index, count };
  }
  if (shardCountFlag === undefined) return undefined;
  const count = shardCount(shardCountFlag, "--shard-count");
  const raw = env.JOB_COMPLETION_INDEX;
  if (raw === undefined || raw === "") throw new UsageError(`--shard-count: JOB_COMPLETION_INDEX is not set (it is set by a Kubernetes Indexed Job; elsewhere use --shard K/N)`);
  if (!/^\d+$/.test(raw) || Number(raw) >= count) {
    throw new UsageError(`--shard-count ${count}: JOB_COMPLETION_INDEX "${raw}" is not an index from 0 to ${count - 1}`);
  }
  return { index: Number(raw) + 1, count };
}

/** The positions (into the full unit list) that belong to `shard`. */
export function shardPositions(total: number, shard: Shard | undefined): number[] {
  const positions: number[] = [];
  const start = shard ? shard.index - 1 : 0;
  const step = shard ? shard.count : 1;
  for (let i = start; i < total; i += step) positions.push(i);
  return positions;
}
