/**
 * The last step of every 2306.08125 figure: write its panel figure and CSV (and, for figures of
 * trained runs, the per-run CSV), each with the provenance (preset, seeds, adapter), replace its
 * section of report.md, and say what was written.
 */
import type { FigureOutcome } from "../common/cli.ts";
import type { FigureContext } from "../common/context.ts";
import type { RunRow } from "../common/figure_runs.ts";
import { type PanelFigure, writePanelFigure } from "../common/panels.ts";
import { updateReport } from "../common/report.ts";
import { runsCsv } from "../common/runs_csv.ts";
import { errorBarNote, provenance, provenanceColumns } from "../common/style.ts";
import type { Verdict } from "../common/verdict.ts";

export interface ImplicitSection {
  name: string;
  title: string;
  claim: string;
  /** The paper's statement behind the claim, and its number in a few words. */
  paper: string;
  paperRef: string;
  /** Our setting in a few words, for the summary table. */
  setting: string;
  verdict: Verdict;
  /** The figure; its caption ends with the provenance line. */
  figure: PanelFigure;
  /** The CSV rows; each ends with the provenance columns. */
  csvRows: Record<string, unknown>[];
  /** The runs behind the figure, one row each in <name>_runs.csv. */
  runs?: RunRow[];
  /** The report's lines of our numbers. */
  ours: string[];
  /** The lines printed under the verdict at the end. */
  summary: string[];
  /** The first summary line (default "<name>: <outcome>"). */
  heading?: string;
  /** Files the figure wrote before (listed first). */
  written?: string[];
}

export async function publishSection(
  ctx: FigureContext,
  s: ImplicitSection,
): Promise<FigureOutcome> {
  const figure = { ...s.figure, caption: [...(s.figure.caption ?? []), provenance(ctx)] };
  const rows = s.csvRows.map((r) => ({ ...r, ...provenanceColumns(ctx) }));
  const paths = await writePanelFigure(ctx.outDir, s.name, figure, { rows });
  const runsPath = s.runs ? [await runsCsv(ctx, s.name, s.runs)] : [];
  await updateReport(ctx.outDir, {
    name: s.name,
    title: s.title,
    part: "2306.08125",
    claim: s.claim,
    verdict: s.verdict,
    paperRef: s.paperRef,
    setting: s.setting,
    paper: s.paper,
    ours: s.ours,
  });
  return {
    name: s.name,
    files: [...(s.written ?? []), paths.svg, paths.png, paths.csv, ...runsPath],
    summary: [s.heading ?? `${s.name}: ${s.verdict.outcome}`, ...s.summary.map((l) => `  ${l}`)],
  };
}

/** "<error bars> <provenance>." (`note` replaces the seeds' error-bar note). */
export function provenanceLine(ctx: FigureContext, note = errorBarNote(ctx.seeds)): string {
  return `${note} ${provenance(ctx)}.`;
}

/** The report's link to the figure's CSV (and to its per-seed runs, where it has them). */
export function dataLine(name: string, perSeed: boolean): string {
  return `Data: [${name}.csv](${name}.csv)` +
    (perSeed ? ` (per seed: [${name}_runs.csv](${name}_runs.csv))` : "") + ".";
}
