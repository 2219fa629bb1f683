/**
 * Turns what Plot.plot returns into ONE standalone SVG document. With a title, subtitle, caption
 * or legend Plot returns an HTML <figure> (h2, h3, a <div> of swatches, legend and chart <svg>s,
 * <figcaption>); here each part becomes SVG text or a nested <svg> at an explicit position, so
 * the file renders the same in resvg, a browser or a paper. Ids and class names are renumbered
 * so the same spec always gives the same bytes.
 */
import { classList, type DomNode, elementChildren, escapeXml } from "./dom.ts";
import { measureText, SVG_FONT_FAMILY, wrapText } from "./font.ts";

const PAD = 10; // left/right padding of text blocks, px
const GAP = 6; // vertical gap between blocks, px
const SWATCH_GAP = 6; // between a swatch and its label
const ITEM_GAP = 16; // between legend items

/** One vertically stacked part of the figure. */
interface Block {
  kind: "text" | "svg";
  height: number;
  /** SVG markup with its top edge at `y`. */
  draw(y: number): string;
}

const fmt = (n: number) => String(Math.round(n * 100) / 100);

function numberAttr(node: DomNode, name: string, fallback: number): number {
  const v = Number.parseFloat(node.getAttribute(name) ?? "");
  return Number.isFinite(v) ? v : fallback;
}

/** The chart's base font size: its style's font-size, else its font-size attribute, else 10. */
function baseFontSize(svgs: DomNode[]): number {
  for (const svg of svgs) {
    const m = /font-size:\s*([\d.]+)px/.exec(svg.getAttribute("style") ?? "");
    if (m) return Number(m[1]);
    const attr = Number.parseFloat(svg.getAttribute("font-size") ?? "");
    if (Number.isFinite(attr)) return attr;
  }
  return 10;
}

/**
 * A copy of a Plot <svg> without its <style> (browser-only CSS), placed at (x, y). Legend svgs
 * keep Plot's CSS `overflow: visible` as an attribute, so edge tick labels are not clipped.
 */
function nestedSvg(node: DomNode, x: number, y: number, overflow = false): string {
  const copy = node.cloneNode(true);
  for (const style of Array.from(copy.querySelectorAll("style"))) style.remove();
  copy.setAttribute("x", fmt(x));
  copy.setAttribute("y", fmt(y));
  if (overflow) copy.setAttribute("overflow", "visible");
  if (copy.getAttribute("font-family")) copy.setAttribute("font-family", SVG_FONT_FAMILY);
  return copy.outerHTML;
}

function textBlock(
  text: string,
  size: number,
  width: number,
  style: { bold?: boolean; fill: string; role: string },
): Block {
  // Markdown code marks are dropped: the figure shows the words, not the markup.
  const lines = wrapText(text.replace(/`/g, ""), size, width - 2 * PAD, style.bold);
  const lineHeight = Math.ceil(size * 1.3);
  const weight = style.bold ? ' font-weight="bold"' : "";
  return {
    kind: "text",
    height: lines.length * lineHeight,
    draw: (y) =>
      `<g aria-label="${style.role}" font-size="${size}"${weight} fill="${style.fill}">` +
      lines.map((line, i) =>
        `<text x="${PAD}" y="${fmt(y + i * lineHeight + size * 0.95)}">${escapeXml(line)}</text>`
      ).join("") + "</g>",
  };
}

/**
 * Plot's HTML swatch legend as SVG: an optional heading, then each item's own swatch <svg> and
 * its label, wrapped to the figure width.
 */
function swatchBlock(div: DomNode, size: number, width: number, heading?: string): Block {
  const items = Array.from(div.querySelectorAll("*"))
    .filter((el) => classList(el).some((c) => c.endsWith("-swatch")))
    .map((item) => {
      const swatch = elementChildren(item).find((c) => c.localName === "svg");
      if (!swatch) throw new Error("legend swatch without an <svg> symbol");
      const label = (item.textContent ?? "").trim();
      const w = numberAttr(swatch, "width", 15);
      const h = numberAttr(swatch, "height", 15);
      return { swatch, label, w, h, width: w + SWATCH_GAP + measureText(label, size) };
    });
  const rowHeight = Math.max(Math.ceil(size * 1.3), ...items.map((i) => i.h));
  const rows: (typeof items)[] = [[]];
  const indent = heading ? PAD + measureText(heading, size, true) + ITEM_GAP : PAD;
  let x = indent;
  for (const item of items) {
    if (x > PAD && x + item.width > width - PAD) {
      rows.push([]);
      x = PAD;
    }
    rows[rows.length - 1].push(item);
    x += item.width + ITEM_GAP;
  }
  return {
    kind: "text",
    height: rows.length * rowHeight + (rows.length - 1) * 4,
    draw(y) {
      const parts: string[] = [];
      rows.forEach((row, r) => {
        const top = y + r * (rowHeight + 4);
        let left = r === 0 ? indent : PAD;
        if (r === 0 && heading) {
          parts.push(
            `<text x="${PAD}" y="${fmt(top + rowHeight / 2 + size * 0.35)}" font-weight="bold">` +
              `${escapeXml(heading)}</text>`,
          );
        }
        for (const item of row) {
          parts.push(nestedSvg(item.swatch, left, top + (rowHeight - item.h) / 2, true));
          const baseline = top + rowHeight / 2 + size * 0.35;
          parts.push(
            `<text x="${fmt(left + item.w + SWATCH_GAP)}" y="${fmt(baseline)}">` +
              `${escapeXml(item.label)}</text>`,
          );
          left += item.width + ITEM_GAP;
        }
      });
      return `<g aria-label="legend" font-size="${size}" fill="#000">${parts.join("")}</g>`;
    },
  };
}

function svgBlock(svg: DomNode, x: number, legend: boolean): Block {
  const height = numberAttr(svg, "height", 0);
  return { kind: "svg", height, draw: (y) => nestedSvg(svg, x, y, legend) };
}

/** Renumbers Plot's per-process ids (clip paths, markers, patterns) and its class-name uid. */
export function normaliseIds(svg: string): string {
  const seen = new Map<string, string>();
  const counters = new Map<string, number>();
  return svg
    .replace(/plot-(clip|marker|pattern)-(\d+)/g, (id, kind: string) => {
      let next = seen.get(id);
      if (next === undefined) {
        const n = (counters.get(kind) ?? 0) + 1;
        counters.set(kind, n);
        next = `plot-${kind}-${n}`;
        seen.set(id, next);
      }
      return next;
    })
    .replace(/\bplot-[0-9a-f]{6}(?![0-9a-z])/g, "plot");
}

export interface ComposeOptions {
  /**
   * The label of each legend, in the order Plot draws them; swatch legends get it as a heading
   * (Plot's HTML swatches omit it; its ramp legends draw their own).
   */
  legendLabels?: (string | undefined)[];
}

/** One standalone SVG document (xmlns set, white background) from Plot's returned node. */
export function composeSvg(root: DomNode, opts: ComposeOptions = {}): string {
  const parts = root.localName === "svg" ? [root] : elementChildren(root);
  if (root.localName !== "svg" && root.localName !== "figure") {
    throw new Error(`Plot returned <${root.localName}>; expected <svg> or <figure>`);
  }
  const svgs = parts.filter((p) => p.localName === "svg");
  const width = Math.max(0, ...svgs.map((s) => numberAttr(s, "width", 0))) || 640;
  const size = baseFontSize(svgs);
  let title: string | undefined;
  let legendIndex = 0;
  const blocks: Block[] = [];
  for (const part of parts) {
    const text = (part.textContent ?? "").trim();
    switch (part.localName) {
      case "h2":
        title = text;
        blocks.push(textBlock(text, size + 5, width, { bold: true, fill: "#000", role: "title" }));
        break;
      case "h3":
        blocks.push(textBlock(text, size + 2, width, { fill: "#333", role: "subtitle" }));
        break;
      case "figcaption":
        blocks.push(textBlock(text, size, width, { fill: "#333", role: "caption" }));
        break;
      case "svg":
        if (part === svgs.at(-1)) blocks.push(svgBlock(part, 0, false));
        else {
          // A ramp legend: narrower than the chart, indented like the text.
          legendIndex++;
          blocks.push(svgBlock(part, PAD, true));
        }
        break;
      case "div":
        if (!classList(part).some((c) => c.endsWith("-swatches"))) {
          throw new Error(
            `unsupported <div class="${part.getAttribute("class")}"> in Plot's figure`,
          );
        }
        blocks.push(swatchBlock(part, size, width, opts.legendLabels?.[legendIndex++]));
        break;
      default:
        throw new Error(`unsupported <${part.localName}> in Plot's figure`);
    }
  }
  const body: string[] = [];
  let y = blocks[0]?.kind === "text" ? PAD : 0;
  blocks.forEach((block, i) => {
    body.push(block.draw(y));
    y += block.height + (i < blocks.length - 1 ? GAP : 0);
  });
  if (blocks.at(-1)?.kind === "text") y += PAD;
  const height = Math.ceil(y);
  const head =
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"` +
    ` width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"` +
    ` font-family="${SVG_FONT_FAMILY}" font-size="${size}">`;
  const titleEl = title ? `<title>${escapeXml(title)}</title>` : "";
  const background = `<rect width="${width}" height="${height}" fill="white"/>`;
  return normaliseIds(`${head}${titleEl}${background}${body.join("")}</svg>\n`);
}
