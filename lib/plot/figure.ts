/**
 * Writes one paper figure as <dir>/<name>.svg, .png, .pdf (the SVG as vector graphics with
 * selectable text, see pdf.ts) and .csv (the data behind it). Each file is written atomically (temp
 * file + rename), so a crash never leaves a torn figure.
 */
import { join } from "node:path";
import { writeFileAtomic } from "../store/atomic.ts";
import { toCsv } from "./csv.ts";
import { svgToPdf } from "./pdf.ts";
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
  pdf: string;
  csv: string;
}

/** The title of an SVG document (its first <title>), for the PDF's metadata. */
export function svgTitle(svg: string): string {
  return (/<title>([^<]*)<\/title>/.exec(svg)?.[1] ?? "").replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&amp;/g, "&");
}

/** Writes <name>.svg, .png and .pdf of an SVG document (atomically); returns their paths. */
export async function writeRendered(
  dir: string,
  name: string,
  svg: string,
  opts: RasterOptions = {},
): Promise<{ svg: string; png: string; pdf: string }> {
  const raster = rasterize(svg, opts);
  const pdf = await svgToPdf(svg, svgTitle(svg));
  const paths = {
    svg: join(dir, `${name}.svg`),
    png: join(dir, `${name}.png`),
    pdf: join(dir, `${name}.pdf`),
  };
  await writeFileAtomic(paths.svg, svg);
  await writeFileAtomic(paths.png, raster.png);
  await writeFileAtomic(paths.pdf, pdf);
  return paths;
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
  const csv = toCsv(fig.rows, fig.columns);
  const csvPath = join(dir, `${name}.csv`);
  await writeFileAtomic(csvPath, csv);
  return { ...(await writeRendered(dir, name, svg, opts)), csv: csvPath };
}
