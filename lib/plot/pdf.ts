/**
 * A one-page PDF holding a rendered figure as an image, written by hand (PDF 1.4: catalog, page,
 * one RGB image XObject compressed with Flate, a content stream that paints it over the whole
 * page). The page has the SVG's size in points (1 px = 0.75 pt), so the PDF drops into LaTeX or
 * slides at the figure's intended size, at the raster's resolution (2 px per SVG px: 192 dpi).
 *
 * Why not vector: the npm SVG → PDF converters need a browser-like DOM or a font pipeline of
 * their own; this keeps the dependencies as they are and the bytes deterministic (no dates, no
 * ids; zlib's output is a pure function of its input and level).
 */
import { deflateSync } from "node:zlib";
import type { Raster } from "./render.ts";

const enc = new TextEncoder();

/** PDF string literal: backslash-escapes \ ( ) and keeps the text to printable ASCII. */
function pdfString(s: string): string {
  const ascii = s.normalize("NFKD").replace(/[^\x20-\x7e]/g, "?");
  return `(${ascii.replace(/[\\()]/g, (c) => `\\${c}`)})`;
}

/** The PDF bytes for `raster` (straight RGBA on a white background) on a w×h pt page. */
export function rasterToPdf(
  raster: Raster,
  page: { width: number; height: number },
  title = "",
): Uint8Array {
  const { width, height, pixels } = raster;
  if (pixels.length !== width * height * 4) {
    throw new RangeError(`raster has ${pixels.length} bytes, expected ${width * height * 4}`);
  }
  // Composite onto white (resvg already painted a white background; this covers stray alpha).
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; i < pixels.length; i += 4, j += 3) {
    const a = pixels[i + 3];
    for (let c = 0; c < 3; c++) {
      rgb[j + c] = a === 255
        ? pixels[i + c]
        : Math.round((pixels[i + c] * a + 255 * (255 - a)) / 255);
    }
  }
  const image = new Uint8Array(deflateSync(rgb, { level: 9 }));
  const w = Number(page.width.toFixed(2));
  const h = Number(page.height.toFixed(2));
  const content = enc.encode(`q ${w} 0 0 ${h} 0 0 cm /Im0 Do Q\n`);

  const chunks: Uint8Array[] = [];
  const offsets: number[] = [];
  let length = 0;
  const push = (b: Uint8Array | string) => {
    const bytes = typeof b === "string" ? enc.encode(b) : b;
    chunks.push(bytes);
    length += bytes.length;
  };
  const object = (n: number, body: string, stream?: Uint8Array) => {
    offsets[n] = length;
    push(`${n} 0 obj\n${body}\n`);
    if (stream) {
      push("stream\n");
      push(stream);
      push("\nendstream\n");
    }
    push("endobj\n");
  };
  push("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n");
  object(1, "<< /Type /Catalog /Pages 2 0 R >>");
  object(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
  object(
    3,
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${w} ${h}] ` +
      "/Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>",
  );
  object(
    4,
    `<< /Type /XObject /Subtype /Image /Width ${width} /Height ${height} ` +
      `/ColorSpace /DeviceRGB /BitsPerComponent 8 /Interpolate true /Filter /FlateDecode ` +
      `/Length ${image.length} >>`,
    image,
  );
  object(5, `<< /Length ${content.length} >>`, content);
  object(6, `<< /Title ${pdfString(title)} /Producer (htsgd) >>`);
  const xref = length;
  const rows = offsets.slice(1).map((o) => `${String(o).padStart(10, "0")} 00000 n \n`);
  push(`xref\n0 ${offsets.length}\n0000000000 65535 f \n${rows.join("")}`);
  push(
    `trailer\n<< /Size ${offsets.length} /Root 1 0 R /Info 6 0 R >>\nstartxref\n${xref}\n%%EOF\n`,
  );
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The page size in points of an SVG document (its width/height attributes, px → pt). */
export function svgPageSize(svg: string): { width: number; height: number } {
  const head = /<svg\b[^>]*>/.exec(svg)?.[0] ?? "";
  const px = (name: string) => Number(new RegExp(`\\s${name}="([\\d.]+)"`).exec(head)?.[1]);
  const width = px("width");
  const height = px("height");
  if (!(width > 0 && height > 0)) throw new Error("SVG without a width and height");
  return { width: width * 0.75, height: height * 0.75 };
}
