/**
 * The one font every figure uses (DejaVu Sans), resvg's font options, and text measurement with
 * that font for laying out titles and legends. resvg draws no text at all when it has no font
 * (linebender/resvg #893), so a missing font file is an error, never a silent blank.
 */
import { existsSync } from "node:fs";
import { Resvg } from "@resvg/resvg-js";
import { escapeXml } from "./dom.ts";

const FONT_DIR = "/usr/share/fonts/truetype/dejavu";
export const FONT_FILE = `${FONT_DIR}/DejaVuSans.ttf`;
export const BOLD_FONT_FILE = `${FONT_DIR}/DejaVuSans-Bold.ttf`;
export const FONT_FAMILY = "DejaVu Sans";
/** The font-family written into SVGs: DejaVu Sans where installed, any sans-serif elsewhere. */
export const SVG_FONT_FAMILY = `${FONT_FAMILY}, sans-serif`;

export class MissingFontError extends Error {
  constructor(path: string) {
    super(
      `font file ${path} not found: figures need DejaVu Sans ` +
        "(install it with `apt-get install fonts-dejavu-core`)",
    );
    this.name = "MissingFontError";
  }
}

/** Throws a MissingFontError naming the first of `files` that does not exist. */
export function requireFontFiles(files: string[]): void {
  for (const file of files) if (!existsSync(file)) throw new MissingFontError(file);
}

let checked = false;

/** resvg options that load only DejaVu Sans and its bold (deterministic output everywhere). */
export function resvgFontOptions() {
  if (!checked) {
    requireFontFiles([FONT_FILE, BOLD_FONT_FILE]);
    checked = true;
  }
  return {
    loadSystemFonts: false,
    fontFiles: [FONT_FILE, BOLD_FONT_FILE],
    defaultFontFamily: FONT_FAMILY,
    sansSerifFamily: FONT_FAMILY,
    serifFamily: FONT_FAMILY,
    monospaceFamily: FONT_FAMILY,
  };
}

const widths = new Map<string, number>();

/** Width in px of `text` drawn at `size` px (ink extent from the start point; cached). */
export function measureText(text: string, size: number, bold = false): number {
  if (text.trim() === "") return 0;
  const id = `${size}|${bold ? "b" : "n"}|${text}`;
  const hit = widths.get(id);
  if (hit !== undefined) return hit;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">` +
    `<text x="0" y="${size}" font-size="${size}" font-family="${FONT_FAMILY}"` +
    `${bold ? ' font-weight="bold"' : ""} xml:space="preserve">${escapeXml(text)}</text></svg>`;
  const box = new Resvg(svg, { font: resvgFontOptions() }).getBBox();
  const width = box ? Math.max(0, box.x + box.width) : 0;
  widths.set(id, width);
  return width;
}

/** Splits `text` into lines no wider than `maxWidth` px (breaking at spaces). */
export function wrapText(text: string, size: number, maxWidth: number, bold = false): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split("\n")) {
    let line = "";
    for (const word of paragraph.split(/\s+/).filter((w) => w !== "")) {
      const next = line === "" ? word : `${line} ${word}`;
      if (line !== "" && measureText(next, size, bold) > maxWidth) {
        lines.push(line);
        line = word;
      } else line = next;
    }
    lines.push(line);
  }
  return lines;
}
