/**
 * Splitting a sweep over N machines. A shard is written `k/N` with a 0-BASED index k (0 ≤ k < N),
 * the convention of both `sbatch --array=0-(N-1)` ($SLURM_ARRAY_TASK_ID) and Kubernetes Indexed
 * Jobs ($JOB_COMPLETION_INDEX), so a job array passes its index through unchanged.
 *
 * Assignment: a config belongs to shard `h mod N`, where h is the first 8 hex digits (32 bits) of
 * sha256(canonicalJson(config)) — the config and its record kind, not the code version, so a
 * config stays on the same shard across commits (VGG configs moved once, when their runs got a
 * record kind of their own), and adding points to a grid never moves the existing ones. Every
 * config lands on exactly one shard; the shares of a small grid can be uneven (even empty; an
 * empty shard exits at once).
 *
 * "balanced" assignment (sweep --balance) instead sorts the grid's keys and deals them out in
 * turn (rank mod N): shares differ by at most one point, but the share of a config then depends
 * on the whole grid, so every shard must be given the same grid, and editing the grid moves
 * points between shards (their finished runs stay in the old shard's store until merged).
 */
import { canonicalJson, sha256Hex } from "../store/hash.ts";
import { UsageError } from "../cli/args.ts";

export interface Shard {
  /** 0-based: 0 ≤ index < count. */
  index: number;
  count: number;
}

/** The whole grid as one shard. */
export const ALL: Shard = Object.freeze({ index: 0, count: 1 });

/** Most shards a sweep may be split into (a SLURM array is usually capped near 1000). */
export const MAX_SHARDS = 100_000;

/**
 * Parses `--shard k/N` (0-based k). Errors are UsageErrors naming `--shard` (or `flag`) and saying
 * what is valid.
 */
export function parseShard(text: string, flag = "--shard"): Shard {
  const m = /^(\d{1,9})\/(\d{1,9})$/.exec(text.trim());
  if (!m) {
    throw new UsageError(
      `${flag}: "${text}" is not of the form k/N (0-based index k of N shards, e.g. 0/4 … 3/4)`,
    );
  }
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > MAX_SHARDS) {
    throw new UsageError(`${flag}: "${text}": the shard count N must be in 1..${MAX_SHARDS}`);
  }
  if (index >= count) {
    throw new UsageError(
      `${flag}: "${text}": shards are 0-based, so the index must be in 0..${count - 1}` +
        (index === count ? ` (did you mean ${index - 1}/${count}?)` : ""),
    );
  }
  return { index, count };
}

export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

/** The assignment key of a config: 16 hex chars of sha256 of its canonical JSON. */
export function assignmentKey(config: unknown): string {
  return sha256Hex(canonicalJson(config)).slice(0, 16);
}

/** The shard (0-based) that a hex key belongs to among `count` shards. */
export function shardIndexOf(key: string, count: number): number {
  if (!/^[0-9a-f]{8}/i.test(key)) {
    throw new TypeError(`shard key "${key}" must start with 8 hex digits`);
  }
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`bad shard count ${count}`);
  return parseInt(key.slice(0, 8), 16) % count;
}

/** True when the hex `key` belongs to `shard`. */
export function inShard(key: string, shard: Shard): boolean {
  return shardIndexOf(key, shard.count) === shard.index;
}

/** The items whose key belongs to `shard`, in their original order. */
export function filterShard<T>(items: readonly T[], keyOf: (item: T) => string, shard: Shard): T[] {
  return items.filter((item) => inShard(keyOf(item), shard));
}

export type Assignment = "hash" | "balanced";

/**
 * The items of `shard` under an assignment mode, in their original order. With "balanced", items
 * with equal keys share a rank (and a shard).
 */
export function shareOf<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  shard: Shard,
  mode: Assignment = "hash",
): T[] {
  if (mode === "hash") return filterShard(items, keyOf, shard);
  const ranks = new Map([...new Set(items.map(keyOf))].sort().map((k, rank) => [k, rank]));
  return items.filter((item) => ranks.get(keyOf(item))! % shard.count === shard.index);
}

/** How many of `keys` each of `count` shards gets (for reports and dry runs). */
export function shardSizes(
  keys: readonly string[],
  count: number,
  mode: Assignment = "hash",
): number[] {
  return Array.from(
    { length: count },
    (_, index) => shareOf(keys, (k) => k, { index, count }, mode).length,
  );
}
