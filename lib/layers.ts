/**
 * The layers of lib/, bottom to top: the one table that says which folder may import which
 * (a module imports only from its own layer or below; tests/unit/layers_test.ts checks every
 * import, and that the folders form no cycle) and which code can change a stored number.
 *
 * The "numbers" layers compute every cached result: the code version that keys stored runs
 * (lib/store/version.ts) hashes exactly their files and the kernels. Everything above them
 * (command-line tools, sharding, interop, plots, figures and reports) reads results and lays them
 * out; since the numbers layers never import it, editing a caption cannot change a number, and
 * it does not re-key any run.
 */

export interface Layer {
  name: string;
  /** Part of the numeric core, hashed into the code version. */
  numeric: boolean;
  /** Folders relative to lib/ ("" is lib/ itself); a file belongs to the folder it sits in. */
  folders: readonly string[];
}

export const LAYERS: readonly Layer[] = [
  { name: "foundation", numeric: true, folders: ["", "gpu", "store"] },
  { name: "primitives", numeric: true, folders: ["rng", "formats", "analysis"] },
  { name: "kernels and data", numeric: true, folders: ["ops", "data"] },
  { name: "noise", numeric: true, folders: ["noise"] },
  { name: "models on the GPU", numeric: true, folders: ["model"] },
  { name: "CPU twins", numeric: true, folders: ["reference"] },
  { name: "compression and pruning", numeric: true, folders: ["compress", "prune"] },
  { name: "training", numeric: true, folders: ["train"] },
  { name: "cached pipelines", numeric: true, folders: ["pipelines"] },
  { name: "command line and plotting", numeric: false, folders: ["cli", "plot"] },
  { name: "sweeps, benchmarks, interop", numeric: false, folders: ["shard", "bench", "interop"] },
  { name: "figure parts", numeric: false, folders: ["figures/common"] },
  {
    name: "one folder per paper",
    numeric: false,
    folders: ["figures/implicit", "figures/heavy_tails"],
  },
  { name: "figure registry", numeric: false, folders: ["figures"] },
];

/** The index in LAYERS of a lib/ folder ("" for lib/ itself), or -1 if it has none. */
export function layerOf(folder: string): number {
  return LAYERS.findIndex((l) => l.folders.includes(folder));
}

/** The lib/ folders whose files feed the code version. */
export function numericFolders(): string[] {
  return LAYERS.filter((l) => l.numeric).flatMap((l) => l.folders);
}
