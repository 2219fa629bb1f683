/**
 * Shared look of the figure panels: one size, one colour per meaning across all figures (see
 * lib/plot/colours.ts: SGD, each noise type, α, each pruning method), a fixed legend order, and
 * the provenance line (preset, seeds, adapter) every figure, table and CSV carries.
 */
import { lineWithErrorBars, type LineWithErrorBarsOptions } from "../../plot/charts.ts";
import type { FigureInput } from "../../plot/figure.ts";
import type { FigureContext } from "./context.ts";
import type { DatasetPreset } from "./presets.ts";
import { seriesColours } from "../../plot/colours.ts";

export const PANEL_WIDTH = 470;
export const PANEL_HEIGHT = 320;

/** The y label of every test-accuracy-after-pruning axis. */
export const PRUNED_ACC_LABEL = "Test accuracy after pruning (%)";

/**
 * Pins the colour scale: the legend lists `domain` (default: all of `all`), and each series gets
 * its meaning's colour (SGD, a noise type, an α, …), else the fallback colour of its position in
 * `all`, so a series has one colour in every panel of a figure and across figures.
 */
export function withSeriesDomain(fig: FigureInput, all: string[], domain = all): FigureInput {
  const color = fig.spec.color as Record<string, unknown> | undefined;
  if (!color) return fig;
  const colours = seriesColours(all);
  const range = domain.map((d) => {
    const i = all.indexOf(d);
    if (i < 0) throw new Error(`series "${d}" is not in the figure's series list`);
    return colours[i];
  });
  const { scheme: _scheme, ...rest } = color;
  return { ...fig, spec: { ...fig.spec, color: { ...rest, domain, range } } };
}

/** Puts x-axis ticks exactly at `ticks` (e.g. the widths of a sweep on a log axis). */
export function withXTicks(fig: FigureInput, ticks: number[]): FigureInput {
  const x = fig.spec.x as Record<string, unknown> | undefined;
  return { ...fig, spec: { ...fig.spec, x: { ...x, ticks: [...ticks].sort((a, b) => a - b) } } };
}

export interface PanelOptions extends LineWithErrorBarsOptions {
  /** Every series label of the figure (fixes the colours). */
  domain: string[];
  /** The series this panel's legend lists (default: `domain`). */
  legend?: string[];
  /** Explicit x ticks (default: the plot library's). */
  xTicks?: number[];
}

/** A line-with-error-bars panel of the standard size with pinned series colours. */
export function panel(o: PanelOptions): FigureInput {
  const { domain, legend, xTicks, ...rest } = o;
  const fig = withSeriesDomain(
    lineWithErrorBars({ width: PANEL_WIDTH, height: PANEL_HEIGHT, ...rest }),
    domain,
    legend,
  );
  return xTicks ? withXTicks(fig, xTicks) : fig;
}

/** "preset smoke · seeds 1,2 · adapter …": recorded in every figure caption and table. */
export function provenance(ctx: FigureContext): string {
  return `preset ${ctx.preset.name} · seeds ${seedList(ctx.seeds)} · adapter ${ctx.adapter}`;
}

/** The provenance fields added to every CSV row. */
export function provenanceColumns(ctx: FigureContext): Record<string, string> {
  return { preset: ctx.preset.name, seeds: seedList(ctx.seeds), adapter: ctx.adapter };
}

/** 1,2,3,4,5 → "1-5"; otherwise comma-separated. */
export function seedList(seeds: number[]): string {
  const s = [...seeds].sort((a, b) => a - b);
  const contiguous = s.length > 2 && s.every((v, i) => i === 0 || v === s[i - 1] + 1);
  return contiguous ? `${s[0]}-${s[s.length - 1]}` : s.join(",");
}

/** "5 seeds, mean ± sd" or "1 seed (no error bars)". */
export function errorBarNote(seeds: number[]): string {
  return seeds.length > 1
    ? `Mean ± sd over ${seeds.length} seeds (error bars).`
    : "1 seed: no error bars.";
}

/** One caption line per dataset: "<label>: <note>." (what the data is, which values are ours). */
export function datasetNotes(datasets: DatasetPreset[]): string[] {
  return datasets.map((ds) => `${ds.label}: ${ds.note}.`);
}

/** Series label of a method, with its α where the figure fixes one. */
export function seriesLabel(method: string, alpha?: number | null): string {
  if (method === "SGD") return "SGD (no noise)";
  return alpha === undefined || alpha === null ? method : `${method}, α=${alpha}`;
}
