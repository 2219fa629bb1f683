/**
 * deno task reproduce -- --preset smoke|small|paper: every figure script with the shared figure
 * flags, in order (2306.08125: fig:alpha, fig:width, fig:curves, table:results, fig:cnn,
 * fig:theory; 2106.03795: the fig:hd-* views of one (lr, batch) sweep; see
 * lib/figures/registry.ts), in one process, sharing one GPU, one results store and one data
 * cache, then figures/index.html with every figure, its claim and the numbers. fig:synthetic has
 * flags of its own and runs apart (`deno task fig:synthetic`).
 */
import { etaText } from "../lib/train/progress.ts";
import { figureTaskMain, figureUsage, runFigureCore } from "../lib/figures/common/cli.ts";
import { buildIndexHtml } from "../lib/figures/common/index_html.ts";
import { FIGURE_SCRIPTS } from "../lib/figures/registry.ts";
import { estimateLines } from "../lib/figures/preset_estimate.ts";
import { formatDuration } from "../lib/figures/common/cost_model.ts";
import { updateRunInfo } from "../lib/figures/common/report.ts";
import { presetTiming, timingLine } from "../lib/figures/preset_timing.ts";

const USAGE = figureUsage(
  "reproduce",
  "Runs every figure script in order (runs shared through the store), then writes index.html.",
);

figureTaskMain("reproduce", USAGE, async (args, ctx, started) => {
  const estimate = estimateLines(args.preset, args.seeds);
  for (const line of estimate) console.log(line);
  const summaries: string[] = [];
  for (const [i, script] of FIGURE_SCRIPTS.entries()) {
    const t0 = performance.now();
    console.log(`\n=== (${i + 1}/${FIGURE_SCRIPTS.length}) ${script.task} ===`);
    const outcome = await runFigureCore(script.core, ctx);
    if (!outcome) continue;
    const secs = ((performance.now() - t0) / 1000).toFixed(1);
    console.log(`=== ${script.task} done in ${secs} s: ${outcome.files.join(", ")}`);
    summaries.push(...outcome.summary);
    if (i + 1 < FIGURE_SCRIPTS.length) {
      const elapsed = (performance.now() - started) / 1000;
      console.error(
        `reproduce: ${i + 1}/${FIGURE_SCRIPTS.length} scripts done, ` +
          etaText(i + 1, FIGURE_SCRIPTS.length, elapsed),
      );
    }
  }
  if (args.shard) {
    console.log(`\nshard ${args.shard.index}/${args.shard.count} done; no index.html for a shard`);
    return;
  }
  const seconds = (performance.now() - started) / 1000;
  const timing = timingLine(await presetTiming(ctx.store, args.preset, args.seeds));
  await updateRunInfo(args.out, [
    `Preset \`${args.presetName}\` (${args.preset.description}), seeds ` +
    `${args.seeds.join(",")}; regenerate with \`deno task reproduce -- --preset ` +
    `${args.presetName}\`.`,
    `Adapter: ${ctx.adapter}.`,
    timing,
    `Measured wall time of the last \`reproduce\` run: ${formatDuration(seconds)} ` +
    `(${seconds.toFixed(0)} s; runs already in the store were loaded, not retrained; ` +
    `fig:synthetic runs apart).`,
    ...estimate.map((l) => `Printed before the run: ${l.trim()}`),
  ]);
  const index = await buildIndexHtml(args.out);
  console.log(`\n${summaries.join("\n")}`);
  console.log(`\n${timing}`);
  console.log(`wrote ${index}`);
  console.log(`total ${seconds.toFixed(1)} s (${formatDuration(seconds)})`);
});
