/**
 * A sweep grid: a base training config and axes whose values are crossed. Grid files are JSON:
 *
 *   { "base": { "dataset": "synthetic", "width": 16, …, "noise": { "type": 1, … } },
 *     "axes": { "seed": [1, 2, 3], "noise.alpha": [1.5, 1.9] },
 *     "mceError": 0.1 }
 *
 * An axis name is a TrainConfig field, or `noise.<field>`; its values replace the base's. The
 * points are the cartesian product, the first axis varying slowest (nested loops in the order the
 * axes are written). Every point must be a valid TrainConfig (parseTrainConfig); points that are
 * the same config after canonicalisation (e.g. SGD at two α) are run once; an SGD point
 * (`noise.type` 0) may leave out `alpha` and `sigma`. `mceError` (default
 * 0.1) is the squared-Frobenius error of the mce pruning criterion applied to every run.
 */
import { READ_LIMITS, readTextFileBounded, UnreadableFileError } from "../store/bounded_read.ts";
import { z } from "zod";
import { NoiseSettingsSchema } from "../noise/spec.ts";
import { parseTrainConfig, type TrainConfig, TrainConfigSchema } from "../train/config.ts";
import { trainRecordFor } from "../train/metrics.ts";
import { configRunKey } from "../train/run.ts";
import { assignmentKey } from "./shard.ts";

/** Most points a grid may expand to (a guard against a typo multiplying the work). */
export const MAX_GRID_POINTS = 100_000;

/** A grid file that is not valid JSON, not a valid grid, or holds an invalid point. */
export class GridError extends Error {
  constructor(readonly source: string, detail: string) {
    super(`${source}: ${detail}`);
    this.name = "GridError";
  }
}

const TOP_FIELDS = Object.keys(TrainConfigSchema.shape);
const NOISE_FIELDS = Object.keys(NoiseSettingsSchema.shape);

/** Why `path` is not a settable config field, or undefined when it is one. */
export function axisPathProblem(path: string): string | undefined {
  const parts = path.split(".");
  if (parts.length === 1 && TOP_FIELDS.includes(parts[0])) return undefined;
  if (parts.length === 2 && parts[0] === "noise" && NOISE_FIELDS.includes(parts[1])) {
    return undefined;
  }
  if (parts[0] === "noise" && parts.length === 2) {
    return `unknown noise field "${parts[1]}" (one of ${NOISE_FIELDS.join(", ")})`;
  }
  return `unknown config field "${path}" (one of ${TOP_FIELDS.join(", ")}, or noise.${
    NOISE_FIELDS.join("|")
  })`;
}

const AxisSchema = z.array(z.unknown()).min(1, "an axis needs at least one value").max(
  MAX_GRID_POINTS,
);

export const GridSchema = z.object({
  base: z.record(z.string(), z.unknown()),
  axes: z.record(z.string(), AxisSchema).default({}),
  mceError: z.number().gt(0).lte(1).default(0.1),
}).strict().superRefine((grid, ctx) => {
  for (const name of Object.keys(grid.axes)) {
    const problem = axisPathProblem(name);
    if (problem) ctx.addIssue({ code: "custom", path: ["axes", name], message: problem });
  }
});

export type Grid = z.infer<typeof GridSchema>;

export interface GridPoint {
  /** Position in the expanded grid (0-based, before duplicates are dropped). */
  index: number;
  /** The axis values of this point, by axis name. */
  values: Record<string, unknown>;
  /** e.g. "seed=2 noise.alpha=1.5" (empty for a grid without axes). */
  label: string;
  config: TrainConfig;
  /**
   * Config + code version (no data): the store key of the run also hashes the data actually
   * loaded (see lib/train/run.ts), so it is known only once the data are.
   */
  configKey: string;
  /** The key that assigns the point to a shard (config only). */
  shardKey: string;
}

export interface ExpandedGrid {
  grid: Grid;
  /** Distinct points, in grid order. */
  points: GridPoint[];
  /** Points dropped because an earlier point is the same config. */
  duplicates: number;
}

function issuePath(path: readonly PropertyKey[]): string {
  return path.map((p) => String(p)).join(".") || "(root)";
}

/** Validates a parsed grid object; the error names every bad field. */
export function parseGrid(candidate: unknown, source = "grid"): Grid {
  const result = GridSchema.safeParse(candidate);
  if (!result.success) {
    const lines = result.error.issues.map((i) =>
      `  ${issuePath(i.path)}: ${
        i.message.replace(/^Invalid input: expected \w+, received undefined$/, "required")
      }`
    );
    throw new GridError(source, `invalid sweep grid:\n${lines.join("\n")}`);
  }
  return result.data;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let obj = target;
  for (const part of parts.slice(0, -1)) {
    const next = obj[part];
    obj[part] = next !== null && typeof next === "object" && !Array.isArray(next)
      ? { ...next as Record<string, unknown> }
      : {};
    obj = obj[part] as Record<string, unknown>;
  }
  obj[parts[parts.length - 1]] = value;
}

function formatValue(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

/**
 * Plain SGD (`noise.type` 0) needs no `alpha`/`sigma`, as on the command line: missing ones get
 * the canonical SGD values (α 2, σ 0) that parseTrainConfig would set anyway.
 */
export function fillSgdNoise(candidate: Record<string, unknown>): void {
  const noise = candidate.noise;
  if (noise === null || typeof noise !== "object" || Array.isArray(noise)) return;
  const n = noise as Record<string, unknown>;
  if (n.type !== 0) return;
  n.alpha ??= 2;
  n.sigma ??= 0;
}

/** The grid's points, each a validated TrainConfig; the first invalid points are the error. */
export function expandGrid(grid: Grid, source = "grid"): ExpandedGrid {
  const axes = Object.entries(grid.axes);
  const total = axes.reduce((n, [, values]) => n * values.length, 1);
  if (total > MAX_GRID_POINTS) {
    throw new GridError(
      source,
      `the axes expand to ${total} points, more than the limit of ${MAX_GRID_POINTS}`,
    );
  }
  const points: GridPoint[] = [];
  const seen = new Set<string>();
  const bad: string[] = [];
  let badCount = 0;
  let duplicates = 0;
  for (let index = 0; index < total; index++) {
    const values: Record<string, unknown> = {};
    let rest = index;
    for (let a = axes.length - 1; a >= 0; a--) {
      const [name, list] = axes[a];
      values[name] = list[rest % list.length];
      rest = Math.floor(rest / list.length);
    }
    const ordered = Object.fromEntries(axes.map(([name]) => [name, values[name]]));
    const label = axes.map(([name]) => `${name}=${formatValue(values[name])}`).join(" ");
    const candidate = structuredClone(grid.base);
    for (const [name] of axes) setPath(candidate, name, structuredClone(values[name]));
    fillSgdNoise(candidate);
    let config: TrainConfig;
    try {
      config = parseTrainConfig(candidate);
    } catch (err) {
      if (++badCount <= 5) {
        const detail = (err as Error).message.replace(/^invalid training config:\n/, "");
        bad.push(`point ${index}${label ? ` (${label})` : ""}:\n${detail}`);
      }
      continue;
    }
    const shardKey = assignmentKey({ kind: trainRecordFor(config).kind, ...config });
    if (seen.has(shardKey)) {
      duplicates++;
      continue;
    }
    seen.add(shardKey);
    points.push({
      index,
      values: ordered,
      label,
      config,
      configKey: configRunKey(config),
      shardKey,
    });
  }
  if (badCount) {
    const more = badCount > bad.length
      ? `\n… and ${badCount - bad.length} more invalid points`
      : "";
    throw new GridError(
      source,
      `${badCount} of ${total} grid points are invalid training configs:\n${bad.join("\n")}${more}`,
    );
  }
  return { grid, points, duplicates };
}

/** Reads, validates and expands a grid file. */
export async function loadGridFile(path: string): Promise<ExpandedGrid> {
  let text: string;
  try {
    text = await readTextFileBounded(path, READ_LIMITS.text, "a grid file");
  } catch (err) {
    if (err instanceof UnreadableFileError) throw new GridError(path, err.detail);
    throw new GridError(path, `cannot read the grid file: ${(err as Error).message}`);
  }
  return expandGridText(text, path);
}

/** Parses grid JSON text, validates and expands it. */
export function expandGridText(text: string, source = "grid"): ExpandedGrid {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new GridError(source, `not valid JSON: ${(err as Error).message}`);
  }
  return expandGrid(parseGrid(json, source), source);
}
