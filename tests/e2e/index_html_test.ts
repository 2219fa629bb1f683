/**
 * figures/index.html: parsing report.md sections, inline Markdown, and — in headless Chromium — a
 * page built for a temp folder of real rendered figures whose every <img> must load.
 * The browser test is skipped (with a message) when /usr/bin/chromium is missing; CI installs
 * Debian's `chromium`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { updateReport } from "../../lib/figures/common/report.ts";
import type { Verdict } from "../../lib/figures/common/verdict.ts";
import {
  buildIndexHtml,
  inlineMarkdown,
  markdownBlocks,
  parseReport,
  renderIndexHtml,
} from "../../lib/figures/common/index_html.ts";
import { lineWithErrorBars, scatter } from "../../lib/plot/charts.ts";
import { writeFigure } from "../../lib/plot/figure.ts";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = (() => {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
})();
if (!hasChromium) {
  console.log(`index_html_test: ${CHROMIUM} not found; the browser test is skipped`);
}

async function sampleFolder(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "htsgd_index_" });
  const rows = [0.1, 0.2, 0.4].map((x, i) => ({ x, y: 90 - 10 * x, sd: 0.5 + i, s: "A" }));
  await writeFigure(
    dir,
    "fig_one",
    lineWithErrorBars({
      rows,
      x: "x",
      y: "y",
      yErr: "sd",
      series: "s",
      xLabel: "fraction pruned",
      yLabel: "accuracy (%)",
      title: "One",
    }),
  );
  await writeFigure(
    dir,
    "fig_two",
    scatter({ rows, x: "x", y: "y", xLabel: "x (units)", yLabel: "y (units)", title: "Two" }),
  );
  const verdicts: Record<string, Verdict> = {
    fig_one: {
      outcome: "not reproduced",
      criterion: "gain ≥ 5 pp",
      evidence: ["−3 pp"],
      caveats: [],
    },
    fig_two: {
      outcome: "inconclusive",
      criterion: "ρ ≤ −0.3",
      evidence: ["ρ = 0.1"],
      caveats: ["one seed"],
    },
  };
  for (const name of ["fig_one", "fig_two"]) {
    await updateReport(dir, {
      name,
      title: `Figure ${name}`,
      part: name === "fig_one" ? "2306.08125" : "2106.03795",
      verdict: verdicts[name],
      paperRef: "≈44% vs ≈10%",
      setting: "preset tiny · seeds 1",
      claim: `The claim of **${name}** with \`code\`.`,
      ours: [`ours 1 of ${name}: 12.5% → 89.0%`, `Data: [${name}.csv](${name}.csv)`],
      paper: "≈44% vs ≈10% (unverified)",
    });
  }
  await Deno.writeTextFile(
    join(dir, "fig_two.md"),
    "# Table\n\n| a | b |\n| --- | ---: |\n| 1 | 2.5 ± 0.1 |\n",
  );
  return dir;
}

Deno.test("parseReport reads back every section updateReport wrote, in order", async () => {
  const dir = await sampleFolder();
  try {
    const sections = parseReport(await Deno.readTextFile(join(dir, "report.md")));
    assert.deepEqual(sections.map((s) => s.name), ["fig_one", "fig_two"]);
    const one = sections[0];
    assert.equal(one.title, "Figure fig_one");
    assert.equal(one.claim, "The claim of **fig_one** with `code`.");
    assert.equal(one.paper, "≈44% vs ≈10% (unverified)");
    assert.deepEqual(one.ours, [
      "ours 1 of fig_one: 12.5% → 89.0%",
      "Data: [fig_one.csv](fig_one.csv)",
    ]);
    assert.deepEqual(one.images, [{ alt: "fig_one", src: "fig_one.png" }]);
    assert.equal(one.outcome, "not reproduced");
    assert.equal(one.part, "2306.08125");
    assert.equal(one.criterion, "gain ≥ 5 pp");
    assert.equal(one.paperRef, "≈44% vs ≈10%");
    assert.equal(sections[1].outcome, "inconclusive");
    assert.equal(sections[1].part, "2106.03795");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("inline Markdown escapes HTML and only links relative or http(s) targets", () => {
  assert.equal(
    inlineMarkdown("**a** <b> `x<y` [t](f.csv)"),
    '<strong>a</strong> &lt;b&gt; <code>x&lt;y</code> <a href="f.csv">t</a>',
  );
  assert.equal(inlineMarkdown("[bad](javascript:alert(1))"), "[bad](javascript:alert(1))");
  const table = markdownBlocks("| a | b |\n| --- | ---: |\n| 1 | 2 |\n");
  assert.match(
    table,
    /<table>.*<th style="text-align:left">a<\/th>.*<td style="text-align:right">2<\/td>/,
  );
});

Deno.test("the page links each figure relatively and inlines a section's .md tables", async () => {
  const dir = await sampleFolder();
  try {
    const path = await buildIndexHtml(dir);
    const html = await Deno.readTextFile(path);
    assert.match(html, /<img src="fig_one.png"/);
    assert.match(html, /<img src="fig_two.png"/);
    assert.match(html, /<a href="fig_one.csv">CSV<\/a>/);
    assert.match(html, /<td style="text-align:right">2.5 ± 0.1<\/td>/);
    assert.doesNotMatch(html, /src="\/|file:/, "no absolute image paths");
    assert.equal(renderIndexHtml([]).includes("<section"), false);
    // The verdict table opens the page; then one part per paper, each card opening with its verdict.
    const table = html.indexOf('<table id="verdicts"');
    assert.ok(table > 0 && table < html.indexOf("<section"), "verdict table before the cards");
    assert.ok(html.indexOf('id="part-2306.08125"') < html.indexOf('id="part-2106.03795"'));
    assert.match(
      html,
      /<section id="fig_one">\n<h3>.*<\/h3>\n<p class="verdict v-not-reproduced">/,
    );
    assert.match(html, /<td class="badge">inconclusive<\/td>/);
    const report = await Deno.readTextFile(join(dir, "report.md"));
    assert.ok(report.indexOf("## Summary") < report.indexOf("<!-- section:fig_one -->"));
    assert.match(report, /\| \*\*not reproduced\*\* \|/);
    assert.ok(report.indexOf("# Implicit") < report.indexOf("# Heavy tails"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("buildIndexHtml without a report.md says to run a figure script", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(buildIndexHtml(dir), /report\.md not found: run a figure script/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Appends a script that records, for each <img>, whether it loaded. */
const PROBE = `<script>
window.addEventListener("load", () => {
  const out = document.createElement("pre");
  out.id = "probe";
  const first = document.querySelector("h1")?.nextElementSibling;
  const box = (e) => e ? e.getBoundingClientRect().top : -1;
  out.textContent = JSON.stringify({
    images: [...document.images].map((i) => ({
      src: i.getAttribute("src"), ok: i.complete && i.naturalWidth > 0, w: i.naturalWidth,
    })),
    first: first ? first.id : null,
    second: first?.nextElementSibling ? first.nextElementSibling.id : null,
    verdicts: [...document.querySelectorAll("#verdicts td.badge")].map((td) => td.textContent),
    tableTop: box(document.getElementById("verdicts")),
    firstCardTop: box(document.querySelector("section")),
  });
  document.body.appendChild(out);
});
</script>`;

interface Probe {
  images: { src: string; ok: boolean; w: number }[];
  /** Id of the element right after the page's h1 ("verdicts", or "run" when the report names its run). */
  first: string | null;
  second: string | null;
  verdicts: string[];
  tableTop: number;
  firstCardTop: number;
}

/**
 * Opens `html` (written into `dir`) in headless Chromium; returns each image's src, load, width,
 * and where the verdict table sits.
 */
async function probePage(dir: string, html: string): Promise<Probe> {
  const profile = await Deno.makeTempDir({ prefix: "htsgd_chromium_" });
  try {
    const probePath = join(dir, "probe.html");
    await Deno.writeTextFile(probePath, html.replace("</body>", `${PROBE}</body>`));
    const { code, stdout, stderr } = await new Deno.Command(CHROMIUM, {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        `--user-data-dir=${profile}`,
        "--virtual-time-budget=5000",
        "--dump-dom",
        pathToFileURL(probePath).href,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dom = new TextDecoder().decode(stdout);
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    const m = /<pre id="probe">([^<]*)<\/pre>/.exec(dom);
    assert.ok(m, `probe output missing from the DOM:\n${dom.slice(0, 2000)}`);
    return JSON.parse(m[1].replace(/&quot;/g, '"').replace(/&amp;/g, "&")) as Probe;
  } finally {
    await Deno.remove(profile, { recursive: true });
  }
}

Deno.test({
  name: "every image of index.html loads in headless Chromium",
  ignore: !hasChromium,
  async fn() {
    const dir = await sampleFolder();
    try {
      const probe = await probePage(dir, await Deno.readTextFile(await buildIndexHtml(dir)));
      const images = probe.images;
      assert.deepEqual(images.map((i) => i.src), ["fig_one.png", "fig_two.png"]);
      // The verdict table comes first, above every figure card, one verdict per section.
      assert.equal(probe.first, "verdicts");
      assert.ok(probe.tableTop >= 0 && probe.tableTop < probe.firstCardTop, JSON.stringify(probe));
      assert.deepEqual(probe.verdicts, ["not reproduced", "inconclusive"]);
      for (const img of images) assert.ok(img.ok, `${img.src} did not load`);
      // PNGs are rendered at 2× the 640 px default chart width.
      for (const img of images) assert.equal(img.w, 1280);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "the committed figures/index.html shows every figure of figures/report.md, all loading",
  ignore: !hasChromium,
  async fn() {
    const figures = new URL("../../figures/", import.meta.url).pathname;
    const dir = await Deno.makeTempDir({ prefix: "htsgd_figures_" });
    try {
      for (const e of Deno.readDirSync(figures)) {
        if (e.isFile) await Deno.copyFile(join(figures, e.name), join(dir, e.name));
      }
      const expected = parseReport(await Deno.readTextFile(join(dir, "report.md")))
        .flatMap((s) => s.images.map((i) => i.src));
      assert.ok(expected.length >= 10, `report.md names ${expected.length} images`);
      const probe = await probePage(dir, await Deno.readTextFile(join(dir, "index.html")));
      const images = probe.images;
      assert.deepEqual(images.map((i) => i.src).sort(), [...expected].sort());
      for (const img of images) assert.ok(img.ok && img.w > 0, `${img.src} did not load`);
      const report = await Deno.readTextFile(join(dir, "report.md"));
      if (!report.includes("**Verdict.**")) {
        console.log(
          "index_html_test: the committed figures predate verdicts (regenerate them with " +
            "`deno task reproduce -- --preset smoke` and `deno task fig:synthetic -- --preset " +
            "paper`); the verdict-table check is skipped",
        );
        return;
      }
      // A report that says which run it comes from opens with that block, then the verdicts.
      const opening = report.includes("<!-- run -->") ? [probe.first, probe.second] : [probe.first];
      assert.deepEqual(
        opening,
        report.includes("<!-- run -->") ? ["run", "verdicts"] : ["verdicts"],
        "the verdict table comes right after the title (and the run block, when there is one)",
      );
      assert.ok(probe.tableTop < probe.firstCardTop, JSON.stringify(probe));
      assert.equal(probe.verdicts.length, parseReport(report).length, "one verdict per section");
      for (const v of probe.verdicts) {
        assert.ok(["reproduced", "not reproduced", "inconclusive"].includes(v), v);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("a report written before verdicts keeps its sections, each read as 'no verdict'", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      join(dir, "report.md"),
      "# Paper vs ours\n\n<!-- section:fig_hd_gap_alpha -->\n## Gap (`fig_hd_gap_alpha`)\n\n" +
        "**Claim.** c\n\n**Paper.** p\n\n**Ours.**\n- old\n\n![x](x.png)\n<!-- end:fig_hd_gap_alpha -->\n",
    );
    await updateReport(dir, {
      name: "fig_alpha",
      title: "Alpha",
      claim: "c",
      ours: ["new"],
      paper: "p",
      verdict: { outcome: "reproduced", criterion: "k", evidence: ["e"], caveats: [] },
    });
    const text = await Deno.readTextFile(join(dir, "report.md"));
    const sections = parseReport(text);
    assert.deepEqual(sections.map((s) => [s.name, s.part, s.outcome]), [
      ["fig_alpha", "2306.08125", "reproduced"],
      ["fig_hd_gap_alpha", "2106.03795", "inconclusive"],
    ]);
    assert.equal(sections[1].verdict, "**inconclusive**. No verdict computed.");
    assert.match(text, /- old/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
