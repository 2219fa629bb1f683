/**
 * Checks, before anything is allocated, that a config's model fits: every weight matrix (and the
 * FCN's batch × width activations) within the adapter's storage binding size, and all weights
 * (with gradients, checkpoint and averaged copies) within the machine's memory. The error names
 * the flag to change and the limit, instead of an "Array buffer allocation failed" later.
 */
import type { Dataset } from "../data/dataset.ts";
import { isVgg, modelShapes } from "../model/model.ts";
import type { TrainConfig } from "./config.ts";
import { modelSpecFor } from "./model_for.ts";

/** The limits the check needs (a GPUSupportedLimits has them). */
export interface SizeLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
}

/** A model too large for the adapter or the machine; the message names the flag and the limit. */
export class ModelTooLargeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ModelTooLargeError";
  }
}

function size(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  return `${bytes} bytes`;
}

/** Host memory in bytes (undefined where the platform does not say). */
function hostMemory(): number | undefined {
  try {
    return Deno.systemMemoryInfo().total;
  } catch {
    return undefined;
  }
}

/** Copies of the weights held on the host at once (weights, averaged, checkpoint, read-back). */
const HOST_COPIES = 4;

/** Throws a ModelTooLargeError when the model of `config` on `data` cannot fit; see module doc. */
export function checkModelFits(
  config: TrainConfig,
  data: Dataset,
  limits: SizeLimits,
  memory: number | undefined = hostMemory(),
): void {
  const spec = modelSpecFor(config, data);
  const shapes = modelShapes(spec);
  const binding = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  let total = 0;
  for (const [l, s] of shapes.entries()) {
    const bytes = s.out * s.in * 4;
    total += bytes;
    if (bytes > binding) {
      throw new ModelTooLargeError(
        `--width ${config.width}: layer ${l} has ${s.out}×${s.in} float32 weights (${
          size(bytes)
        }), more than this adapter's largest buffer binding (${size(binding)}, ` +
          `maxStorageBufferBindingSize/maxBufferSize); use a smaller --width`,
      );
    }
  }
  if (!isVgg(spec)) {
    const bytes = config.batchSize * config.width * 4;
    if (bytes > binding) {
      throw new ModelTooLargeError(
        `--batch-size ${config.batchSize} × --width ${config.width}: the activations need ${
          size(bytes)
        }, more than this adapter's largest buffer binding (${size(binding)}); use a smaller ` +
          `--batch-size or --width`,
      );
    }
  }
  if (memory !== undefined && total * HOST_COPIES > memory) {
    throw new ModelTooLargeError(
      `--width ${config.width}: ${size(total)} of weights (about ${
        size(total * HOST_COPIES)
      } on the host with gradients and checkpoints) exceed this machine's memory (${
        size(memory)
      }); use a smaller --width`,
    );
  }
}
