/**
 * The paper's numbers we can compare with (docs/papers.md, "Numbers the papers publish"), and our numbers for the same
 * setting where a preset has it: real MNIST, one hidden layer, Type I, α = 1.75, σ = 0.003, at
 * n = 10,000 (the headline quoted by summaries of the paper) and n = 5000 (the README run).
 */
import { formatSummary } from "./mean_sd.ts";
import type { GroupStats } from "./run_stats.ts";
import type { FigurePreset } from "./presets.ts";

export const PAPER_HEADLINE =
  "Unverified, from summaries of the paper (see docs/papers.md; the PDF was not available): on " +
  "MNIST with n = 10,000 hidden units, heavy-tailed SGD gives ≈44% of units pruned (mce 0.1) at " +
  "≈94% test accuracy, vs ≈10% with plain SGD. The authors' README run (Type I, α = 1.75, " +
  "σ = 0.003, n = 5000, lr 0.01, batch 5000, stop at 95% train accuracy) publishes no number.";

/** The headline in a few words, for the summary table. */
export const PAPER_REF = "≈44% of units pruned at ≈94% test accuracy vs ≈10% for SGD (MNIST, " +
  "n = 10,000; unverified summary)";

const SETTINGS = [
  { width: 10000, what: "n = 10,000 (the unverified ≈44% @ ≈94% vs ≈10% headline)" },
  { width: 5000, what: "n = 5000 (the README run)" },
];

/** Our numbers at the paper's settings, or a line saying this preset does not have them. */
export function headlineLines(preset: FigurePreset, stats: GroupStats[], sigma = 0.003): string[] {
  const out: string[] = [];
  const realMnist = preset.datasets.filter((d) => d.base.dataset === "mnist" && d.base.depth === 2)
    .map((d) => d.id);
  for (const s of SETTINGS) {
    const at = stats.filter((g) => realMnist.includes(g.dataset) && g.width === s.width);
    const sgd = at.find((g) => g.method === "SGD");
    const ht = at.find((g) => g.method === "Type I" && g.alpha === 1.75 && g.sigma === sigma);
    if (!sgd || !ht) continue;
    out.push(
      `Paper setting, MNIST ${s.what}: Type I α=1.75 σ=${sigma} prunes ` +
        `${formatSummary(ht.pruningRatio)}% at ${formatSummary(ht.prunedTestAcc)}% test ` +
        `accuracy; SGD prunes ${formatSummary(sgd.pruningRatio)}% at ` +
        `${formatSummary(sgd.prunedTestAcc)}%.`,
    );
  }
  if (out.length === 0) {
    out.push(
      "No run of this preset matches the paper's setting (real MNIST, n = 5000 or 10,000, " +
        "Type I α = 1.75 σ = 0.003); run `--preset paper` for the comparable numbers.",
    );
  }
  return out;
}
