/**
 * The files a finished page run downloads: the weights as the same safetensors layout that
 * `deno task export` writes and `deno task import` reads (PyTorch names and shapes, bias-free,
 * F32), the training config as JSON (`deno task import -- model.safetensors --config config.json`
 * takes the run back into a store), and a run summary.
 */
import { encodeSafetensors } from "../../lib/formats/safetensors.ts";
import { torchNames, torchShapes } from "../../lib/interop/layout.ts";
import { modelShapes, type ModelSpec } from "../../lib/model/model.ts";
import type { TrainConfig } from "../../lib/train/config.ts";

export const MODEL_FILE = "model.safetensors";
export const CONFIG_FILE = "config.json";
export const RUN_FILE = "run.json";

export function runFiles(
  config: TrainConfig,
  spec: ModelSpec,
  weights: Float32Array[],
  summary: Record<string, unknown>,
): Record<string, Uint8Array> {
  const names = torchNames(config);
  const shapes = torchShapes(spec, modelShapes(spec));
  const model = encodeSafetensors(
    weights.map((data, l) => ({ name: names[l], shape: shapes[l], data })),
    { format: "pt", source: "htsgd web page", config: JSON.stringify(config) },
  );
  const text = (v: unknown) => new TextEncoder().encode(JSON.stringify(v, null, 2) + "\n");
  return {
    [MODEL_FILE]: model,
    [CONFIG_FILE]: text(config),
    [RUN_FILE]: text({ config, ...summary }),
  };
}
