/**
 * Multi-panel figures: several charts (each a standalone SVG from the plot library, with its own
 * axes) laid out in a grid under one title, with a caption below, as ONE SVG document. Panels
 * whose colour legends agree (the same label never has two colours) share ONE legend, drawn under
 * the title, instead of repeating it per panel. Markdown code marks (backticks) in the title and
 * caption are dropped: the figure shows the words, not the markup;
 * plus writing it as <name>.svg/.png/.csv like `writeFigure`. Element ids are prefixed per panel so
 * markers and clip paths of different panels never collide.
 */
import { join } from "node:path";
import { escapeXml } from "../../plot/dom.ts";
import { type FigureInput, type FigurePaths, writeRendered } from "../../plot/figure.ts";
import { measureText, SVG_FONT_FAMILY, wrapText } from "../../plot/font.ts";
import { toCsv } from "../../plot/csv.ts";
import { renderSvg } from "../../plot/render.ts";
import { writeFileAtomic } from "../../store/atomic.ts";

export interface PanelFigure {
  title: string;
  subtitle?: string;
  /** Lines of caption text under the grid (each wrapped to the figure width). */
  caption?: string[];
  /** Panels per row. */
  columns: number;
  panels: FigureInput[];
}

const PAD = 12;
const GAP = 8;

interface Rendered {
  body: string;
  width: number;
  height: number;
}

function attr(svg: string, name: string): number {
  const m = new RegExp(`^<svg[^>]*\\s${name}="([\\d.]+)"`).exec(svg);
  if (!m) throw new Error(`panel SVG has no ${name}`);
  return Number(m[1]);
}

/** A panel's standalone SVG, its ids prefixed, as a nested <svg> placed later by x/y. */
function renderPanel(fig: FigureInput, index: number): Rendered {
  const svg = renderSvg(fig.spec).trim();
  const body = svg.replace(/plot-(clip|marker|pattern)-(\d+)/g, `p${index}-plot-$1-$2`);
  return { body, width: attr(svg, "width"), height: attr(svg, "height") };
}

export interface LegendItem {
  label: string;
  colour: string;
}

export interface SharedLegend {
  heading?: string;
  items: LegendItem[];
}

type ColourScale = { legend?: unknown; domain?: unknown; range?: unknown; label?: unknown };

/**
 * The one legend the panels share: the union of their colour legends in order of first
 * appearance, or undefined when fewer than two panels have a legend or two disagree on a colour.
 */
export function sharedLegend(panels: FigureInput[]): SharedLegend | undefined {
  const scales = panels.map((p) => p.spec.color as ColourScale | undefined)
    .filter((c): c is ColourScale => Boolean(c?.legend));
  if (scales.length < 2) return undefined;
  const items = new Map<string, string>();
  let heading: string | undefined;
  for (const c of scales) {
    if (!Array.isArray(c.domain) || !Array.isArray(c.range)) return undefined;
    if (heading === undefined && typeof c.label === "string") heading = c.label;
    for (let i = 0; i < c.domain.length; i++) {
      const label = String(c.domain[i]);
      const colour = String(c.range[i % c.range.length]);
      const seen = items.get(label);
      if (seen !== undefined && seen !== colour) return undefined;
      items.set(label, colour);
    }
  }
  return { heading, items: [...items].map(([label, colour]) => ({ label, colour })) };
}

function withoutLegend(fig: FigureInput): FigureInput {
  const color = fig.spec.color as ColourScale | undefined;
  if (!color) return fig;
  return { ...fig, spec: { ...fig.spec, color: { ...color, legend: false } as never } };
}

/** The shared legend as SVG: a bold heading, then a line-and-dot swatch and label per item. */
function legendLines(
  legend: SharedLegend,
  y: number,
  width: number,
): { svg: string; height: number } {
  const size = 12;
  const rowHeight = 18;
  const swatch = 24;
  const parts: string[] = [];
  let x = PAD;
  let row = 0;
  const baseline = () => y + row * rowHeight + rowHeight / 2 + size * 0.35;
  if (legend.heading) {
    parts.push(
      `<text x="${x}" y="${baseline()}" font-size="${size}" font-weight="bold" fill="#000">` +
        `${escapeXml(legend.heading)}</text>`,
    );
    x += measureText(legend.heading, size, true) + 14;
  }
  for (const item of legend.items) {
    const w = swatch + 6 + measureText(item.label, size);
    if (x > PAD && x + w > width - PAD) {
      row++;
      x = PAD;
    }
    const mid = y + row * rowHeight + rowHeight / 2;
    parts.push(
      `<line x1="${x}" x2="${x + swatch}" y1="${mid}" y2="${mid}" stroke="${item.colour}" ` +
        `stroke-width="1.8"/><circle cx="${x + swatch / 2}" cy="${mid}" r="3.5" ` +
        `fill="${item.colour}" stroke="white" stroke-width="0.8"/>` +
        `<text x="${x + swatch + 6}" y="${baseline()}" font-size="${size}" fill="#000">` +
        `${escapeXml(item.label)}</text>`,
    );
    x += w + 16;
  }
  return { svg: `<g aria-label="legend">${parts.join("")}</g>`, height: (row + 1) * rowHeight };
}

/** Drops Markdown code marks from figure text. */
const plain = (s: string) => s.replace(/`/g, "");

function place(panel: Rendered, x: number, y: number): string {
  return panel.body.replace(/^<svg /, `<svg x="${x}" y="${y}" `);
}

function textLines(
  lines: string[],
  y: number,
  size: number,
  width: number,
  style: { bold?: boolean; fill: string },
): { svg: string; height: number } {
  const wrapped = lines.flatMap((l) => wrapText(plain(l), size, width - 2 * PAD, style.bold));
  const lineHeight = Math.ceil(size * 1.3);
  const weight = style.bold ? ' font-weight="bold"' : "";
  const svg = wrapped.map((line, i) =>
    `<text x="${PAD}" y="${y + i * lineHeight + Math.round(size * 0.95)}" font-size="${size}"` +
    `${weight} fill="${style.fill}">${escapeXml(line)}</text>`
  ).join("");
  return { svg, height: wrapped.length * lineHeight };
}

/** The whole figure as one standalone SVG document. */
export function composePanels(fig: PanelFigure): string {
  if (fig.panels.length === 0) throw new Error("a panel figure needs at least one panel");
  if (!(Number.isInteger(fig.columns) && fig.columns > 0)) {
    throw new RangeError(`columns must be a positive integer, got ${fig.columns}`);
  }
  const legend = sharedLegend(fig.panels);
  const panels = (legend ? fig.panels.map(withoutLegend) : fig.panels).map(renderPanel);
  const cols = Math.min(fig.columns, panels.length);
  const colWidth = Array.from(
    { length: cols },
    (_, c) => Math.max(...panels.filter((_, i) => i % cols === c).map((p) => p.width)),
  );
  const rows = Math.ceil(panels.length / cols);
  const rowHeight = Array.from(
    { length: rows },
    (_, r) => Math.max(...panels.slice(r * cols, r * cols + cols).map((p) => p.height)),
  );
  const width = colWidth.reduce((a, b) => a + b, 0) + GAP * (cols - 1);
  const parts: string[] = [];
  let y = PAD;
  const title = textLines([fig.title], y, 17, width, { bold: true, fill: "#000" });
  parts.push(title.svg);
  y += title.height + 4;
  if (fig.subtitle) {
    const sub = textLines([fig.subtitle], y, 13, width, { fill: "#333" });
    parts.push(sub.svg);
    y += sub.height + 4;
  }
  if (legend) {
    const block = legendLines(legend, y + 2, width);
    parts.push(block.svg);
    y += block.height + 4;
  }
  y += GAP;
  panels.forEach((p, i) => {
    const r = Math.floor(i / cols);
    const c = i % cols;
    const x = colWidth.slice(0, c).reduce((a, b) => a + b, 0) + GAP * c;
    const top = y + rowHeight.slice(0, r).reduce((a, b) => a + b, 0) + GAP * r;
    parts.push(place(p, x, top));
  });
  y += rowHeight.reduce((a, b) => a + b, 0) + GAP * (rows - 1) + GAP;
  if (fig.caption?.length) {
    const cap = textLines(fig.caption, y, 12, width, { fill: "#333" });
    parts.push(cap.svg);
    y += cap.height;
  }
  const height = Math.ceil(y + PAD);
  return `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"` +
    ` width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"` +
    ` font-family="${SVG_FONT_FAMILY}" font-size="12"><title>${
      escapeXml(plain(fig.title))
    }</title>` +
    `<rect width="${width}" height="${height}" fill="white"/>${parts.join("")}</svg>\n`;
}

/** Writes <dir>/<name>.csv, .svg and .png (each atomically) and returns their paths. */
export async function writePanelFigure(
  dir: string,
  name: string,
  fig: PanelFigure,
  csv: { rows: Record<string, unknown>[]; columns?: string[] },
): Promise<FigurePaths> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new TypeError(`bad figure name "${name}"`);
  const svg = composePanels(fig);
  const csvPath = join(dir, `${name}.csv`);
  await writeFileAtomic(csvPath, toCsv(csv.rows, csv.columns));
  return { ...(await writeRendered(dir, name, svg)), csv: csvPath };
}
