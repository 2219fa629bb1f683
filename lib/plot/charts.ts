/**
 * Reusable paper-figure charts. Each returns a FigureInput (Plot spec + the rows behind it) for
 * writeFigure: readable 12 px text, centred axis labels with units, a light grid and frame, and
 * categorical colours with a legend drawn in the same SVG.
 */
import * as Plot from "@observablehq/plot";
import { seriesColours } from "./colours.ts";
import type { FigureInput } from "./figure.ts";

type Row = Record<string, unknown>;
export type AxisType = "linear" | "log";

interface CommonOptions {
  rows: Row[];
  x: string;
  y: string;
  /** Column whose values split the rows into coloured series (with a legend). */
  series?: string;
  xLabel: string;
  yLabel: string;
  /** Legend heading; defaults to no heading. */
  seriesLabel?: string;
  title?: string;
  subtitle?: string;
  caption?: string;
  xType?: AxisType;
  yType?: AxisType;
  width?: number;
  height?: number;
}

export interface LineWithErrorBarsOptions extends CommonOptions {
  /** Column with the standard deviation: bars span mean ± yErr. Missing/null: no bar. */
  yErr?: string;
}

export interface ScatterOptions extends CommonOptions {
  /** Adds a least-squares line per series. */
  fit?: boolean;
  /** Dot radius in px (default 3.5). */
  r?: number;
}

const SINGLE_COLOUR = "#4269d0";
const num = (row: Row, key: string) => row[key] as number;

function finiteField(rows: Row[], key: string, opts: { positive?: boolean; optional?: boolean }) {
  rows.forEach((row, i) => {
    const v = row[key];
    if (opts.optional && (v === undefined || v === null)) return;
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new TypeError(`row ${i}: "${key}" must be a finite number (got ${JSON.stringify(v)})`);
    }
    if (opts.positive && v <= 0) {
      throw new RangeError(`row ${i}: "${key}" is ${v}, but a log axis needs values > 0`);
    }
  });
}

function validate(o: CommonOptions): void {
  if (!Array.isArray(o.rows)) throw new TypeError("rows must be an array of objects");
  finiteField(o.rows, o.x, { positive: o.xType === "log" });
  finiteField(o.rows, o.y, { positive: o.yType === "log" });
  if (o.series !== undefined) {
    o.rows.forEach((row, i) => {
      if (row[o.series!] === undefined || row[o.series!] === null) {
        throw new TypeError(`row ${i}: series column "${o.series}" is missing`);
      }
    });
  }
}

/** Plain decimal tick labels (0.001, 0.03, 1e-7), not SI prefixes (1m, 30m). */
export function plainNumber(v: number): string {
  return String(Number(v.toPrecision(12)));
}

function scale(type: AxisType = "linear") {
  return type === "log" ? { type, tickFormat: plainNumber } : { type, nice: true };
}

/** Scales, labels, sizes and text shared by every chart. */
function frame(o: CommonOptions): Plot.PlotOptions {
  const axis = { labelAnchor: "center", labelArrow: "none", grid: true } as const;
  return {
    title: o.title,
    subtitle: o.subtitle,
    caption: o.caption,
    width: o.width ?? 640,
    height: o.height ?? 400,
    marginLeft: 68,
    marginBottom: 46,
    marginTop: 16,
    marginRight: 24,
    style: { fontSize: "12px" },
    x: { ...axis, ...scale(o.xType), label: o.xLabel, labelOffset: 38, inset: 12 },
    y: { ...axis, ...scale(o.yType), label: o.yLabel, labelOffset: 54, inset: 8 },
    color: o.series === undefined ? undefined : seriesScale(o.rows, o.series, o.seriesLabel),
  };
}

/**
 * The colour scale of a series column: its labels in natural order, each with the colour of its
 * meaning (lib/plot/colours.ts), so "SGD" or "Type II" look the same in every chart.
 */
function seriesScale(rows: Row[], series: string, label?: string) {
  const domain = [...new Set(rows.map((r) => r[series]))]
    .sort((a, b) => String(a).localeCompare(String(b), "en", { numeric: true }));
  const range = seriesColours(domain.map(String));
  return { type: "ordinal", domain, range, legend: true, label } as const;
}

const sortedByX = (rows: Row[], x: string) => [...rows].sort((a, b) => num(a, x) - num(b, x));

/** Mean curves with dots and vertical error bars (mean ± sd), one colour per series. */
export function lineWithErrorBars(o: LineWithErrorBarsOptions): FigureInput {
  validate(o);
  if (o.yErr !== undefined) {
    finiteField(o.rows, o.yErr, { optional: true });
    o.rows.forEach((row, i) => {
      const e = row[o.yErr!] as number | null | undefined;
      if (e === undefined || e === null) return;
      if (e < 0) throw new RangeError(`row ${i}: "${o.yErr}" is ${e}; an sd must be ≥ 0`);
      if (o.yType === "log" && num(row, o.y) - e <= 0) {
        throw new RangeError(`row ${i}: mean - sd ≤ 0 cannot be drawn on a log y axis`);
      }
    });
  }
  const rows = sortedByX(o.rows, o.x);
  const colour = o.series === undefined ? SINGLE_COLOUR : (d: Row) => d[o.series!];
  const marks: Plot.Markish[] = [Plot.frame({ stroke: "#888" })];
  if (o.yErr !== undefined) {
    const withErr = rows.filter((d) => d[o.yErr!] !== undefined && d[o.yErr!] !== null);
    marks.push(Plot.link(withErr, {
      x1: (d: Row) => num(d, o.x),
      x2: (d: Row) => num(d, o.x),
      y1: (d: Row) => num(d, o.y) - num(d, o.yErr!),
      y2: (d: Row) => num(d, o.y) + num(d, o.yErr!),
      stroke: colour,
      strokeWidth: 1.2,
      markerStart: "tick-x",
      markerEnd: "tick-x",
    }));
  }
  marks.push(
    Plot.line(rows, {
      x: (d: Row) => num(d, o.x),
      y: (d: Row) => num(d, o.y),
      stroke: colour,
      z: o.series === undefined ? undefined : (d: Row) => d[o.series!],
      strokeWidth: 1.8,
    }),
    Plot.dot(rows, {
      x: (d: Row) => num(d, o.x),
      y: (d: Row) => num(d, o.y),
      fill: colour,
      r: 3.5,
      stroke: "white",
      strokeWidth: 0.8,
    }),
  );
  const columns = [o.series, o.x, o.y, o.yErr].filter((c): c is string => c !== undefined);
  return { spec: { ...frame(o), marks }, rows: o.rows, columns: withRest(o.rows, columns) };
}

/** Points coloured by series, optionally with a least-squares line per series. */
export function scatter(o: ScatterOptions): FigureInput {
  validate(o);
  const colour = o.series === undefined ? SINGLE_COLOUR : (d: Row) => d[o.series!];
  const x = (d: Row) => num(d, o.x);
  const y = (d: Row) => num(d, o.y);
  const marks: Plot.Markish[] = [Plot.frame({ stroke: "#888" })];
  if (o.fit) {
    marks.push(
      Plot.linearRegressionY(o.rows, {
        x,
        y,
        stroke: colour,
        ci: 0,
        strokeWidth: 1.5,
        clip: "frame",
      }),
    );
  }
  marks.push(
    Plot.dot(o.rows, { x, y, fill: colour, r: o.r ?? 3.5, fillOpacity: 0.85, stroke: "white" }),
  );
  const columns = [o.series, o.x, o.y].filter((c): c is string => c !== undefined);
  return { spec: { ...frame(o), marks }, rows: o.rows, columns: withRest(o.rows, columns) };
}

/** The plotted columns first, then every other column of the rows (for a complete CSV). */
function withRest(rows: Row[], first: string[]): string[] {
  const out = [...first];
  for (const row of rows) for (const k of Object.keys(row)) if (!out.includes(k)) out.push(k);
  return out;
}
