/**
 * Reusable paper-figure charts. Each returns a FigureInput (Plot spec + the rows behind it) for
 * writeFigure: readable 12 px text, centred axis labels with units, a light grid and frame, and
 * categorical colours with a legend drawn in the same SVG.
 */
import * as Plot from "@observablehq/plot";
import { seriesColours } from "./colours.ts";
import { median } from "../analysis/median.ts";
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

/** Title, size, margins and text size shared by every chart. */
function layout(
  o: { title?: string; subtitle?: string; width?: number; height?: number },
): Plot.PlotOptions {
  return {
    title: o.title,
    subtitle: o.subtitle,
    width: o.width ?? 640,
    height: o.height ?? 400,
    marginLeft: 68,
    marginBottom: 46,
    marginTop: 16,
    marginRight: 24,
    style: { fontSize: "12px" },
  };
}

/** Scales, labels, sizes and text shared by every chart. */
function frame(o: CommonOptions): Plot.PlotOptions {
  const axis = { labelAnchor: "center", labelArrow: "none", grid: true } as const;
  return {
    ...layout(o),
    caption: o.caption,
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

export interface SeedDotsOptions {
  /** One row per run: its group (an arm), its value and whether it is marked (collapsed). */
  rows: Row[];
  /** Column naming the group of a row; `groups` gives their order on the x axis. */
  group: string;
  groups: string[];
  y: string;
  /** Column: true for the rows drawn as a cross (e.g. collapsed runs). */
  marked: string;
  /** Legend words for plain and marked rows. */
  markLabels: [string, string];
  /** The colour of each group (its meaning's colour). */
  colours: string[];
  xLabel: string;
  yLabel: string;
  title?: string;
  subtitle?: string;
  width?: number;
  height?: number;
}

/**
 * One dot per row (per seed) in a column per group, spread sideways in row order so none hide
 * each other; marked rows are drawn as crosses; a black bar marks each group's median.
 */
export function seedDots(o: SeedDotsOptions): FigureInput {
  if (!Array.isArray(o.rows)) throw new TypeError("rows must be an array of objects");
  finiteField(o.rows, o.y, {});
  const index = new Map(o.groups.map((g, i) => [g, i]));
  o.rows.forEach((row, i) => {
    if (!index.has(String(row[o.group]))) {
      throw new TypeError(`row ${i}: group "${row[o.group]}" is not one of ${o.groups.join(", ")}`);
    }
  });
  const members = o.groups.map((g) => o.rows.filter((r) => r[o.group] === g));
  const points = members.flatMap((rs, gi) =>
    rs.map((r, k) => ({
      x: gi + (k - (rs.length - 1) / 2) * Math.min(0.06, 0.6 / Math.max(rs.length, 1)),
      y: num(r, o.y),
      colour: o.colours[gi % o.colours.length],
      mark: r[o.marked] === true ? o.markLabels[1] : o.markLabels[0],
    }))
  );
  const medians = members.flatMap((rs, gi) => {
    if (rs.length === 0) return [];
    return [{ x1: gi - 0.32, x2: gi + 0.32, y: median(rs.map((r) => num(r, o.y))) }];
  });
  const axis = { labelAnchor: "center", labelArrow: "none" } as const;
  const spec: Plot.PlotOptions = {
    ...layout(o),
    x: {
      ...axis,
      label: o.xLabel,
      labelOffset: 38,
      domain: [-0.5, o.groups.length - 0.5],
      ticks: o.groups.map((_, i) => i),
      tickFormat: (i: number) => o.groups[i] ?? "",
    },
    y: {
      ...axis,
      grid: true,
      nice: true,
      label: o.yLabel,
      labelOffset: 54,
      inset: 8,
      tickFormat: plainNumber,
    },
    color: { type: "identity" },
    symbol: { domain: o.markLabels, range: ["circle", "times"], legend: true },
    marks: [
      Plot.frame({ stroke: "#888" }),
      Plot.link(medians, { x1: "x1", x2: "x2", y1: "y", y2: "y", stroke: "#000", strokeWidth: 2 }),
      Plot.dot(points, {
        x: "x",
        y: "y",
        symbol: "mark",
        stroke: "colour",
        fill: (d: { mark: string; colour: string }) =>
          d.mark === o.markLabels[1] ? "none" : d.colour,
        r: 4,
        strokeWidth: 1.6,
        fillOpacity: 0.8,
      }),
    ],
  };
  const columns = withRest(o.rows, [o.group, o.y, o.marked]);
  return { spec, rows: o.rows, columns };
}
