import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import * as Plot from "@observablehq/plot";
import { DOMParser } from "linkedom";
import { lineWithErrorBars, plainNumber, scatter } from "../../lib/plot/charts.ts";
import { normaliseIds } from "../../lib/plot/compose.ts";
import { csvField, parseCsv, toCsv } from "../../lib/plot/csv.ts";
import type { DomNode } from "../../lib/plot/dom.ts";
import { writeFigure } from "../../lib/plot/figure.ts";
import { MissingFontError, requireFontFiles } from "../../lib/plot/font.ts";
import { StubCanvas } from "../../lib/plot/canvas.ts";
import { rasterize, renderSvg } from "../../lib/plot/render.ts";

const sha256 = (data: Uint8Array | string) => createHash("sha256").update(data).digest("hex");

function sweepRows() {
  const rows: Record<string, unknown>[] = [];
  for (const alpha of [1.5, 1.8, 2]) {
    for (const lr of [0.001, 0.01, 0.1]) {
      rows.push({ alpha, lr, acc: 90 + 2 * alpha - 3 * Math.log10(lr), sd: 0.5 * alpha, seeds: 5 });
    }
  }
  return rows;
}

function sweepFigure() {
  return lineWithErrorBars({
    rows: sweepRows(),
    x: "lr",
    y: "acc",
    yErr: "sd",
    series: "alpha",
    seriesLabel: "tail index α",
    xLabel: "learning rate η",
    yLabel: "test accuracy (%)",
    title: "Accuracy against step size",
    subtitle: "FCN, 5 seeds, mean ± sd",
    caption: "Error bars: one standard deviation across seeds.",
    xType: "log",
  });
}

function parseSvg(svg: string): DomNode {
  const doc = new DOMParser().parseFromString(svg, "image/svg+xml") as unknown as {
    documentElement: DomNode;
  };
  return doc.documentElement;
}

function pngSize(png: Uint8Array): { width: number; height: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

Deno.test("a line chart with error bars becomes one standalone SVG with legend and labels", () => {
  const svg = renderSvg(sweepFigure().spec);
  const root = parseSvg(svg);
  assert.equal(root.localName, "svg");
  assert.equal(root.getAttribute("xmlns"), "http://www.w3.org/2000/svg");
  assert.equal(root.getAttribute("xmlns:xlink"), "http://www.w3.org/1999/xlink");
  assert.equal(root.getAttribute("width"), "640");
  // One SVG document: no HTML left over from Plot's <figure>, no browser CSS.
  for (const tag of ["<figure", "<div", "<span", "<h2", "<h3", "<figcaption", "<style"]) {
    assert.ok(!svg.includes(tag), `unexpected ${tag}`);
  }
  const texts = Array.from(root.querySelectorAll("text")).map((t) => t.textContent);
  for (const want of ["learning rate η", "test accuracy (%)", "tail index α", "1.5", "1.8", "2"]) {
    assert.ok(texts.includes(want), `missing text "${want}" in ${JSON.stringify(texts)}`);
  }
  for (const want of ["Accuracy against step size", "FCN, 5 seeds, mean ± sd"]) {
    assert.ok(texts.includes(want), `missing "${want}"`);
  }
  assert.ok(texts.includes("Error bars: one standard deviation across seeds."));
  assert.ok(texts.includes("0.01"), "log ticks are plain decimals");
  // 9 error bars (one per row), 3 legend swatches, 9 dots.
  const links = root.querySelectorAll('g[aria-label="link"] > path');
  assert.equal(links.length, 9);
  assert.equal(root.querySelectorAll('g[aria-label="legend"] svg').length, 3);
  assert.equal(root.querySelectorAll('g[aria-label="dot"] circle').length, 9);
  assert.match(svg, /url\(#plot-marker-1\)/);
});

Deno.test("the PNG has the signature, 2x pixel size, a white background and visible ink", () => {
  const svg = renderSvg(sweepFigure().spec);
  const root = parseSvg(svg);
  const w = Number(root.getAttribute("width"));
  const h = Number(root.getAttribute("height"));
  const raster = rasterize(svg, { scale: 2 });
  assert.deepEqual([...raster.png.subarray(0, 8)], PNG_SIGNATURE);
  assert.deepEqual(pngSize(raster.png), { width: 2 * w, height: 2 * h });
  assert.equal(raster.width, 2 * w);
  assert.equal(raster.pixels.length, 4 * raster.width * raster.height);
  assert.deepEqual([...raster.pixels.subarray(0, 4)], [255, 255, 255, 255], "white corner");
  let ink = 0;
  let dark = 0;
  for (let i = 0; i < raster.pixels.length; i += 4) {
    const [r, g, b] = raster.pixels.subarray(i, i + 3);
    if (r < 250 || g < 250 || b < 250) ink++;
    if (r < 60 && g < 60 && b < 60) dark++; // black text: proves the font loaded
  }
  const n = raster.width * raster.height;
  assert.ok(ink / n > 0.03, `only ${(100 * ink / n).toFixed(2)}% non-white pixels`);
  assert.ok(dark / n > 0.003, `only ${(100 * dark / n).toFixed(3)}% near-black pixels (no text?)`);
  assert.equal(rasterize(svg, { scale: 1 }).width, w);
  assert.throws(() => rasterize(svg, { scale: 0 }), /scale/);
  assert.throws(() => rasterize("<svg", {}), /resvg could not parse/);
});

Deno.test("the same spec gives byte-identical SVG and PNG, even after other renders", () => {
  const first = renderSvg(sweepFigure().spec);
  // Other figures advance Plot's global marker/clip counters in between.
  renderSvg(sweepFigure().spec);
  renderSvg({ marks: [Plot.lineY([1, 3, 2], { clip: true, markerEnd: "arrow" })] });
  const second = renderSvg(sweepFigure().spec);
  assert.equal(sha256(second), sha256(first));
  assert.equal(sha256(rasterize(second).png), sha256(rasterize(first).png));
});

Deno.test("normaliseIds renumbers Plot ids by first appearance and drops the uid", () => {
  const input =
    '<svg class="plot-d6a7b5"><clipPath id="plot-clip-7"/><g clip-path="url(#plot-clip-9)"/>' +
    '<g clip-path="url(#plot-clip-7)"/><marker id="plot-marker-12"/></svg>';
  assert.equal(
    normaliseIds(input),
    '<svg class="plot"><clipPath id="plot-clip-1"/><g clip-path="url(#plot-clip-2)"/>' +
      '<g clip-path="url(#plot-clip-1)"/><marker id="plot-marker-1"/></svg>',
  );
});

Deno.test("a continuous colour legend renders through the stub canvas", () => {
  const rows = Array.from({ length: 12 }, (_, i) => ({ x: i, y: i * i, v: i / 11 }));
  const svg = renderSvg({
    color: { type: "linear", legend: true, label: "weight" },
    marks: [Plot.dot(rows, { x: "x", y: "y", fill: "v" })],
  });
  assert.match(svg, /<image [^>]*href="data:image\/png;base64,/);
  assert.ok(rasterize(svg).pixels.length > 0);
  // The stub's PNG encoder: a red and a blue pixel survive resvg's decoder.
  const canvas = new StubCanvas();
  canvas.width = 2;
  canvas.height = 1;
  const ctx = canvas.getContext("2d")!;
  ctx.fillStyle = "rgb(255, 0, 0)";
  ctx.fillRect(0, 0, 1, 1);
  ctx.fillStyle = "#0000ff";
  ctx.fillRect(1, 0, 1, 1);
  const img = `<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10">` +
    `<image width="20" height="10" preserveAspectRatio="none" style="image-rendering:pixelated"` +
    ` href="${canvas.toDataURL()}"/></svg>`;
  const px = rasterize(img, { scale: 1 }).pixels;
  assert.deepEqual([...px.subarray(4 * 21, 4 * 21 + 3)], [255, 0, 0]);
  assert.deepEqual([...px.subarray(4 * 38, 4 * 38 + 3)], [0, 0, 255]);
});

Deno.test("scatter renders with a fit and without series; plain tick numbers", () => {
  const fig = scatter({
    rows: sweepRows(),
    x: "lr",
    y: "acc",
    xLabel: "η",
    yLabel: "acc",
    fit: true,
  });
  const svg = renderSvg(fig.spec);
  assert.ok(!svg.includes('aria-label="legend"'));
  assert.ok(svg.includes('aria-label="linear-regression"'));
  assert.deepEqual(fig.columns, ["lr", "acc", "alpha", "sd", "seeds"]);
  assert.equal(plainNumber(0.001), "0.001");
  assert.equal(plainNumber(0.30000000000000004), "0.3");
});

Deno.test("chart helpers reject bad data naming the row and field", () => {
  const base = { x: "lr", y: "acc", xLabel: "η", yLabel: "acc" };
  assert.throws(
    () => lineWithErrorBars({ ...base, rows: [{ lr: 1, acc: 2 }, { lr: "x", acc: 1 }] }),
    /row 1: "lr" must be a finite number/,
  );
  assert.throws(
    () => lineWithErrorBars({ ...base, rows: [{ lr: 0, acc: 1 }], xType: "log" }),
    /row 0: "lr" is 0, but a log axis/,
  );
  assert.throws(
    () => lineWithErrorBars({ ...base, yErr: "sd", rows: [{ lr: 1, acc: 1, sd: -1 }] }),
    /row 0: "sd" is -1/,
  );
  assert.throws(
    () => scatter({ ...base, series: "s", rows: [{ lr: 1, acc: 1 }] }),
    /row 0: series column "s" is missing/,
  );
});

Deno.test("CSV quotes what needs quoting and round-trips every value", () => {
  const rows = [
    { name: "plain", v: 0.1 + 0.2, note: null },
    { name: 'say "hi", twice', v: -0, note: "line\nbreak" },
    { name: "", v: 1e-300, note: " padded " },
    { name: "inf", v: Infinity, when: new Date(Date.UTC(2026, 0, 2)), obj: { a: [1, 2] } },
  ];
  const text = toCsv(rows);
  assert.equal(
    text,
    "name,v,note,when,obj\n" +
      "plain,0.30000000000000004,,,\n" +
      '"say ""hi"", twice",-0,"line\nbreak",,\n' +
      '"",1e-300," padded ",,\n' +
      'inf,Infinity,,2026-01-02T00:00:00.000Z,"{""a"":[1,2]}"\n',
  );
  const parsed = parseCsv(text);
  assert.deepEqual(parsed[0], ["name", "v", "note", "when", "obj"]);
  assert.deepEqual(parsed[2], ['say "hi", twice', "-0", "line\nbreak", "", ""]);
  assert.deepEqual(parsed[3], ["", "1e-300", " padded ", "", ""]);
  assert.equal(parsed.length, 5);
  assert.deepEqual(JSON.parse(parsed[4][4]), { a: [1, 2] });
  // Every float64 survives text and back.
  let seed = 12345;
  for (let i = 0; i < 500; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const x = (seed / 2147483648 - 0.5) * 10 ** ((seed % 40) - 20);
    assert.ok(Object.is(Number(parseCsv(toCsv([{ x }]))[1][0]), x));
  }
  assert.equal(csvField(false), "false");
  assert.deepEqual(parseCsv("a,b\r\n1,2\r\n"), [["a", "b"], ["1", "2"]]);
  assert.deepEqual(parseCsv('""'), [[""]]);
  assert.throws(() => parseCsv('"open'), /unterminated/);
  assert.throws(() => parseCsv('a"b'), /stray quote/);
  assert.throws(() => parseCsv('"a"b'), /after a closing quote/);
  assert.throws(() => toCsv([]), /at least one column/);
});

Deno.test("writeFigure writes svg, png, pdf and csv atomically and leaves no temp files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const fig = sweepFigure();
    const paths = await writeFigure(join(dir, "figures"), "fig1-acc", fig);
    assert.deepEqual(paths, {
      svg: join(dir, "figures", "fig1-acc.svg"),
      png: join(dir, "figures", "fig1-acc.png"),
      pdf: join(dir, "figures", "fig1-acc.pdf"),
      csv: join(dir, "figures", "fig1-acc.csv"),
    });
    const names: string[] = [];
    for await (const e of Deno.readDir(join(dir, "figures"))) names.push(e.name);
    assert.deepEqual(names.sort(), [
      "fig1-acc.csv",
      "fig1-acc.pdf",
      "fig1-acc.png",
      "fig1-acc.svg",
    ]);
    const pdf = await Deno.readFile(paths.pdf);
    assert.match(new TextDecoder().decode(pdf.subarray(0, 8)), /^%PDF-1\.\d$/);
    assert.equal(await Deno.readTextFile(paths.svg), renderSvg(fig.spec));
    assert.deepEqual([...(await Deno.readFile(paths.png)).subarray(0, 8)], PNG_SIGNATURE);
    const csv = parseCsv(await Deno.readTextFile(paths.csv));
    assert.deepEqual(csv[0], ["alpha", "lr", "acc", "sd", "seeds"]);
    assert.equal(csv.length, 10);
    assert.equal(Number(csv[1][2]), sweepRows()[0].acc);
    await assert.rejects(writeFigure(dir, "../escape", fig), /figure name/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a missing font file is a clear error with the install hint", () => {
  assert.throws(
    () => requireFontFiles(["/nonexistent/DejaVuSans.ttf"]),
    (err: Error) => {
      assert.ok(err instanceof MissingFontError);
      assert.match(err.message, /\/nonexistent\/DejaVuSans\.ttf/);
      assert.match(err.message, /apt-get install fonts-dejavu-core/);
      return true;
    },
  );
});

/** pdftotext's text of a PDF file, or null (with the reason printed) when it is not installed. */
async function pdfText(path: string): Promise<string | null> {
  try {
    const out = await new Deno.Command("pdftotext", { args: ["-layout", path, "-"] }).output();
    if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
    return new TextDecoder().decode(out.stdout);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      console.log("plot_test: pdftotext not found (apt-get install poppler-utils); skipped");
      return null;
    }
    throw err;
  }
}

Deno.test("pdftotext finds the title, the axis labels and the caption in a written PDF", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const paths = await writeFigure(dir, "fig", sweepFigure());
    const text = await pdfText(paths.pdf);
    if (text === null) return;
    const flat = text.replace(/\s+/g, " ");
    for (
      const s of [
        "Accuracy against step size",
        "learning rate η",
        "test accuracy (%)",
        "tail index α",
        "Error bars: one standard deviation across seeds.",
      ]
    ) {
      assert.ok(flat.includes(s), `"${s}" not in the PDF's text:\n${text}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
