/**
 * A collapse fact MEASURED OUTSIDE THE FIGURE SCRIPTS (issue #25), quoted in the report beside the
 * preset's own counts and labelled as such: the authors' own code collapses too (an earlier
 * session's replay of their code). The counts of this project and of the PyTorch reference on the
 * same seeds, and the noise our runs drew, are not quoted: the check computes them from files it
 * verifies (collapse_check.ts, noise_extremes.ts).
 */

export interface ReferenceCount {
  /** Who ran it (our code, the PyTorch reference, the authors' code). */
  source: string;
  collapsed: number;
  runs: number;
  /** The setting and what the count consists of. */
  detail: string;
}

export const EARLIER_AUTHORS: ReferenceCount = {
  source: "the authors' code",
  collapsed: 1,
  runs: 3,
  detail: "Type III at width 1024: one of three seeds pruned 97.5% of units with 19.3% test " +
    "accuracy after pruning",
};
