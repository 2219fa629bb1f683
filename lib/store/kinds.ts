/**
 * The kinds of record the results store holds. A record's kind is `record.config.kind` and the
 * first field of the object its key hashes, so records of two kinds never share a key.
 */
export const RECORD_KINDS = {
  /** A bias-free ReLU FCN trained here (lib/train/run.ts). */
  fcnTrain: "fcn-train",
  /** A VGG11 trained here (lib/train/run.ts). */
  vggTrain: "vgg-train",
  /** A network trained elsewhere and imported (lib/interop/import.ts). */
  imported: "imported",
  /** Pruning results of a finished run (lib/pipelines/run_and_prune.ts). */
  prune: "prune",
  /** The per-run analysis of the 2106.03795 sweep (lib/pipelines/companion_sweep.ts). */
  companionAnalysis: "companion-analysis",
} as const;

export type RecordKind = typeof RECORD_KINDS[keyof typeof RECORD_KINDS];

/** The kinds of a network trained here: a finished one always stores its weights. */
export const TRAINED_KINDS: readonly RecordKind[] = [RECORD_KINDS.fcnTrain, RECORD_KINDS.vggTrain];

/** True for the kind of a network trained here (see TRAINED_KINDS). */
export function isTrainedKind(kind: unknown): boolean {
  return (TRAINED_KINDS as readonly unknown[]).includes(kind);
}

/** The kind of a record's config (`config.kind`), or undefined when it names none. */
export function kindOf(record: { config: unknown }): unknown {
  const config = record.config;
  return config !== null && typeof config === "object"
    ? (config as { kind?: unknown }).kind
    : undefined;
}
