/**
 * A one-page vector PDF of an SVG figure: `svg-to-pdfkit` turns the SVG's paths, lines and text
 * into PDF drawing operators on a `pdfkit` page of the SVG's size in points (1 px = 0.75 pt), so
 * the PDF drops into LaTeX or slides at the figure's intended size, scales without pixels, and
 * its text (title, axis labels, legend) is real text: selectable, searchable, and readable by
 * `pdftotext`. Every piece of text is set in DejaVu Sans (bold where the SVG says bold), the
 * figures' one font (font.ts), embedded as a subset.
 *
 * Deterministic: the creation date is fixed (the epoch) and pdfkit derives the document id from
 * the info dictionary, so the same SVG gives the same bytes on every run.
 */
import PDFDocument from "pdfkit";
import SVGtoPDF from "svg-to-pdfkit";
import { BOLD_FONT_FILE, FONT_FILE, requireFontFiles } from "./font.ts";

/** The page size in points of an SVG document (its width/height attributes, px → pt). */
export function svgPageSize(svg: string): { width: number; height: number } {
  const head = /<svg\b[^>]*>/.exec(svg)?.[0] ?? "";
  const px = (name: string) => Number(new RegExp(`\\s${name}="([\\d.]+)"`).exec(head)?.[1]);
  const width = px("width");
  const height = px("height");
  if (!(width > 0 && height > 0)) throw new Error("SVG without a width and height");
  return { width: width * 0.75, height: height * 0.75 };
}

/** pdfkit's minimal surface used here (it ships no types). */
interface PdfDoc {
  registerFont(name: string, file: string): void;
  on(event: "data", f: (chunk: Uint8Array) => void): void;
  on(event: "end", f: () => void): void;
  end(): void;
}

/** The PDF bytes of `svg` on a page of its size; `title` goes into the document info. */
export async function svgToPdf(svg: string, title = ""): Promise<Uint8Array> {
  const page = svgPageSize(svg);
  requireFontFiles([FONT_FILE, BOLD_FONT_FILE]);
  const doc = new PDFDocument({
    size: [page.width, page.height],
    margin: 0,
    compress: true,
    info: { Title: title, Producer: "htsgd", Creator: "htsgd", CreationDate: new Date(0) },
  }) as unknown as PdfDoc;
  doc.registerFont("DejaVuSans", FONT_FILE);
  doc.registerFont("DejaVuSans-Bold", BOLD_FONT_FILE);
  const chunks: Uint8Array[] = [];
  doc.on("data", (c) => chunks.push(c));
  const ended = new Promise<void>((resolve) => doc.on("end", resolve));
  const warnings: string[] = [];
  SVGtoPDF(doc, svg, 0, 0, {
    width: page.width,
    height: page.height,
    fontCallback: (_family: string, bold: boolean) => bold ? "DejaVuSans-Bold" : "DejaVuSans",
    warningCallback: (w: string) => warnings.push(w),
  });
  doc.end();
  await ended;
  const out = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
