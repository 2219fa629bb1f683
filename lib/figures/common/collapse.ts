/**
 * A **collapsed** run: heavy-tailed noise left one (or a few) hidden units holding most of ‖W‖²_F,
 * so mce pruning at 10% error removes nearly every other unit and the network stops working. The
 * definition, used in every count of the report:
 *
 *   collapsed ⇔ mce pruned ≥ 80% of the hidden units AND test accuracy after pruning is more
 *   than 20 percentage points below the unpruned network's.
 *
 * Both conditions are needed: a run that prunes 85% and keeps its accuracy is compressible, not
 * collapsed; a run that loses accuracy at 30% pruned is merely fragile.
 */

export const COLLAPSE_MIN_PRUNED = 0.8;
export const COLLAPSE_MIN_DROP_PP = 20;
export const COLLAPSE_RULE = "collapsed = mce pruned ≥ 80% of hidden units and test accuracy " +
  "after pruning > 20 pp below the unpruned net's";

/** The fields of a run the rule reads (pruning ratio as a fraction, accuracies in %). */
export interface CollapseInput {
  pruningRatio: number;
  testAcc: number;
  prunedTestAcc: number;
}

export function isCollapsed(r: CollapseInput): boolean {
  return r.pruningRatio >= COLLAPSE_MIN_PRUNED &&
    r.prunedTestAcc < r.testAcc - COLLAPSE_MIN_DROP_PP;
}

/** Collapsed runs out of the runs with values (rows with a NaN field are not counted). */
export interface CollapseCount {
  collapsed: number;
  runs: number;
}

export function countCollapsed(rows: readonly CollapseInput[]): CollapseCount {
  const valid = rows.filter((r) =>
    Number.isFinite(r.pruningRatio) && Number.isFinite(r.testAcc) &&
    Number.isFinite(r.prunedTestAcc)
  );
  return { collapsed: valid.filter(isCollapsed).length, runs: valid.length };
}

/** Collapse counts per arm (a key such as "Type II α=1.75"), in first-seen order. */
export function collapseByArm<T extends CollapseInput>(
  rows: readonly T[],
  armOf: (r: T) => string,
): Map<string, CollapseCount> {
  const groups = new Map<string, T[]>();
  for (const r of rows) {
    const k = armOf(r);
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return new Map([...groups].map(([k, g]) => [k, countCollapsed(g)]));
}
