/**
 * Headless rendering of Observable Plot specs: spec → one standalone SVG (linkedom DOM, see
 * compose.ts) → PNG (resvg with DejaVu Sans only, white background, scaled). The same spec gives
 * byte-identical SVG and PNG on every run.
 */
import * as Plot from "@observablehq/plot";
import { Resvg } from "@resvg/resvg-js";
import { composeSvg } from "./compose.ts";
import { type DomNode, headlessDocument } from "./dom.ts";
import { resvgFontOptions } from "./font.ts";

export type PlotSpec = Plot.PlotOptions;

export interface RasterOptions {
  /** Pixels per SVG px (default 2, for crisp figures). */
  scale?: number;
}

export interface Raster {
  png: Uint8Array;
  /** Straight RGBA, row-major, `width * height * 4` bytes. */
  pixels: Uint8Array;
  width: number;
  height: number;
}

/** Renders `spec` to a standalone SVG document string (title, legend and caption included). */
export function renderSvg(spec: PlotSpec): string {
  if ("document" in spec) throw new TypeError("spec.document is set by renderSvg; leave it out");
  const node = Plot.plot({ ...spec, document: headlessDocument() as never }) as unknown as
    & DomNode
    & { scale(name: string): { label?: string } | undefined };
  // Plot draws legends for these scales, in this order, when asked and when the scale exists.
  const legendLabels = (["symbol", "color", "opacity"] as const)
    .map((k) => [spec[k] as { legend?: unknown; label?: unknown } | undefined, k] as const)
    .filter(([options, k]) => options?.legend && node.scale(k))
    .map(([options, k]) =>
      typeof options?.label === "string" ? options.label : node.scale(k)?.label
    );
  return composeSvg(node, { legendLabels });
}

/** Rasterises an SVG document with resvg (DejaVu Sans, white background). */
export function rasterize(svg: string, opts: RasterOptions = {}): Raster {
  const scale = opts.scale ?? 2;
  if (!(Number.isFinite(scale) && scale > 0 && scale <= 16)) {
    throw new RangeError(`scale must be in (0, 16], got ${scale}`);
  }
  let resvg: Resvg;
  try {
    resvg = new Resvg(svg, {
      font: resvgFontOptions(),
      fitTo: { mode: "zoom", value: scale },
      background: "white",
      logLevel: "off",
    });
  } catch (err) {
    throw new Error(`resvg could not parse the SVG: ${(err as Error).message}`);
  }
  const image = resvg.render();
  return {
    png: new Uint8Array(image.asPng()),
    pixels: new Uint8Array(image.pixels),
    width: image.width,
    height: image.height,
  };
}
