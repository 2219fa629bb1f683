/**
 * figures/report.md: one section per figure script, each stating the claim, our numbers and the
 * paper's (or the seeds') number where one exists. A script replaces only its own section, and the
 * file is rewritten atomically.
 */
import { join } from "node:path";
import { writeFileAtomic } from "../store/atomic.ts";

const HEADER =
  "# Paper vs ours\n\nWritten by the figure scripts (`deno task reproduce`); each section is replaced when its script reruns.\n";

export interface ReportEntry {
  name: string;
  title: string;
  claim: string;
  /** Markdown lines: our numbers, preset, seeds, adapter. */
  ours: string[];
  /** The paper's / seeds' number, or why there is none. */
  paper: string;
}

function render(e: ReportEntry): string {
  return [
    `<!-- section:${e.name} -->`,
    `## ${e.title} (\`${e.name}\`)`,
    "",
    `**Claim.** ${e.claim}`,
    "",
    `**Paper.** ${e.paper}`,
    "",
    "**Ours.**",
    ...e.ours.map((l) => `- ${l}`),
    "",
    `![${e.name}](${e.name}.png)`,
    `<!-- end:${e.name} -->`,
  ].join("\n");
}

export async function updateReport(dir: string, entry: ReportEntry): Promise<string> {
  const path = join(dir, "report.md");
  let text = HEADER;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  const start = `<!-- section:${entry.name} -->`;
  const end = `<!-- end:${entry.name} -->`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  const section = render(entry);
  text = i >= 0 && j > i
    ? text.slice(0, i) + section + text.slice(j + end.length)
    : `${text.trimEnd()}\n\n${section}\n`;
  await writeFileAtomic(path, text);
  return path;
}
