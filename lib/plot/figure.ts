/**
 * Writes one paper figure as <dir>/<name>.svg, .png and .csv (the data behind it). Each file is
 * written atomically (temp file + rename), so a crash never leaves a torn figure.
 */
import { join } from "node:path";
import { writeFileAtomic } from "../store/atomic.ts";
import { toCsv } from "./csv.ts";
import { type PlotSpec, rasterize, type RasterOptions, renderSvg } from "./render.ts";

/** A figure: the Plot spec, the rows it plots, and the CSV columns (default: every key). */
export interface FigureInput {
  spec: PlotSpec;
  rows: Record<string, unknown>[];
  columns?: string[];
}

export interface FigurePaths {
  svg: string;
  png: string;
  csv: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Renders and writes the figure's SVG, PNG and CSV; returns their paths. */
export async function writeFigure(
  dir: string,
  name: string,
  fig: FigureInput,
  opts: RasterOptions = {},
): Promise<FigurePaths> {
  if (!NAME.test(name)) {
    throw new TypeError(`figure name "${name}" must be letters, digits, ".", "_" or "-"`);
  }
  if (!Array.isArray(fig.rows)) throw new TypeError(`figure ${name}: rows must be an array`);
  const svg = renderSvg(fig.spec);
  const png = rasterize(svg, opts).png;
  const csv = toCsv(fig.rows, fig.columns);
  const paths = {
    svg: join(dir, `${name}.svg`),
    png: join(dir, `${name}.png`),
    csv: join(dir, `${name}.csv`),
  };
  await writeFileAtomic(paths.csv, csv);
  await writeFileAtomic(paths.svg, svg);
  await writeFileAtomic(paths.png, png);
  return paths;
}
