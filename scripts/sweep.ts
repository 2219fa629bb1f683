/**
 * deno task sweep -- --grid GRID.json [--shard k/N] [--store DIR] [flags]: trains and prunes
 * (mce) every point of a sweep grid that belongs to shard k of N (0-based), through the results
 * store: finished runs are loaded, interrupted ones resume from their checkpoints. Progress goes
 * to stderr, one JSON line per run to stdout. See lib/shard/grid.ts for the grid format and
 * deploy/ for SLURM and Kubernetes templates that run the shards on many machines.
 */
import { numberFlag, parseTaskFlags, runMain, stringFlags, UsageError } from "../lib/cli/args.ts";
import { Gpu } from "../lib/gpu/runtime.ts";
import { loadGridFile } from "../lib/shard/grid.ts";
import { checkStoreWritable } from "../lib/store/hygiene.ts";
import { ALL, formatShard, parseShard, shardSizes, shareOf } from "../lib/shard/shard.ts";
import { runSweep } from "../lib/shard/sweep.ts";
import { ResultStore } from "../lib/store/results.ts";

const USAGE = `usage: npx deno task sweep -- --grid GRID.json [--shard k/N] [--store DIR] [flags]
  --grid FILE            sweep grid: {"base": {...training config}, "axes": {"seed": [1, 2],
                         "noise.alpha": [1.5, 1.9]}, "mceError": 0.1}
  --shard k/N            run only shard k of N (0-based: 0/N … (N-1)/N; default 0/1 = all)
  --balance              deal points to shards by rank (sizes differ by ≤ 1; every shard needs
                         the same grid) instead of by config hash (stable when the grid grows)
  --store DIR            results store (default results/)
  --data-dir DIR         read dataset files from DIR instead of the download cache
  --checkpoint-every K   checkpoint every K steps (default 500)
  --list                 print this shard's points (JSON lines) and the shard sizes; run nothing
  --quiet                no per-step training lines on stderr`;

runMain(async () => {
  const values = parseTaskFlags(Deno.args, {
    ...stringFlags("grid", "shard", "store", "data-dir", "checkpoint-every"),
    list: { type: "boolean" },
    balance: { type: "boolean" },
    quiet: { type: "boolean" },
  }, USAGE);
  if (values.grid === undefined) throw new UsageError(`--grid is required\n${USAGE}`);
  const shard = values.shard === undefined ? ALL : parseShard(values.shard);
  const checkpointEvery = numberFlag("checkpoint-every", values["checkpoint-every"], {
    integer: true,
    min: 1,
  });
  const expanded = await loadGridFile(values.grid);
  const { points } = expanded;
  const assignment = values.balance ? "balanced" : "hash";
  if (expanded.duplicates) {
    console.error(`${expanded.duplicates} grid point(s) repeat an earlier config: run once`);
  }
  if (values.list) {
    const sizes = shardSizes(points.map((p) => p.shardKey), shard.count, assignment);
    console.error(
      `${points.length} points; ${assignment} shard sizes for N=${shard.count}: ${sizes.join(" ")}`,
    );
    for (const p of shareOf(points, (q) => q.shardKey, shard, assignment)) {
      console.log(JSON.stringify({
        configKey: p.configKey,
        index: p.index,
        label: p.label,
        shard: formatShard(shard),
        config: p.config,
      }));
    }
    return;
  }
  const store = new ResultStore(values.store ?? "results");
  await checkStoreWritable(store.dir); // before the GPU: a bad --store fails at once
  const gpu = await Gpu.shared();
  console.error(`adapter: ${gpu.describe()}`);
  await runSweep(gpu, store, points, {
    shard,
    assignment,
    mceError: expanded.grid.mceError,
    checkpointEvery,
    dataDir: values["data-dir"],
    log: (line) => console.error(line),
    trainLog: values.quiet ? undefined : (line) => console.error(`    ${line}`),
    onResult: (result) => console.log(JSON.stringify(result)),
  });
});
