/** The two papers this project reproduces: report.md and index.html give each its own part. */
export const PARTS = [
  {
    id: "2306.08125",
    title: "Implicit compressibility of overparametrized NNs trained with heavy-tailed SGD " +
      "(arXiv 2306.08125)",
  },
  {
    id: "2106.03795",
    title: "Heavy tails in SGD and compressibility of overparametrized NNs (arXiv 2106.03795)",
  },
] as const;

export type PartId = (typeof PARTS)[number]["id"];

/** A section's part: the one it states, else 2106.03795 for `fig_hd_*`/`fig_synthetic`. */
export function partOf(name: string, part?: string): PartId {
  if (part === "2306.08125" || part === "2106.03795") return part;
  return name.startsWith("fig_hd_") || name === "fig_synthetic" ? "2106.03795" : "2306.08125";
}
