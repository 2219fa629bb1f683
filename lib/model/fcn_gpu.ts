/**
 * An FCN living on the GPU: weights, gradients and the activation workspace for up to `maxRows`
 * examples, with the forward and backward passes recorded into a Batch (loss and SGD: the base
 * class).
 *
 * Shapes (row-major): input X is rows×in; layer l computes A_l = relu(A_{l-1}·W_lᵀ) (no relu on
 * the last layer), W_l is out_l×in_l. Backward with D_l = ∂L/∂(pre-activation of layer l):
 *   ∇W_l = D_lᵀ·A_{l-1},   D_{l-1} = (D_l·W_l) ⊙ [A_{l-1} > 0].
 *
 * `fused` (the default; issue #23): the ReLU runs in the hidden GEMMs' epilogue instead of a
 * dispatch of its own; bit-identical to `fused = false` (max(0, ·) of the same value).
 */
import type { Batch, Gpu, Tensor } from "../gpu/runtime.ts";
import { gemm } from "../ops/gemm.ts";
import { relu, reluBackward } from "../ops/nn.ts";
import { type FcnSpec, layerShapes } from "./fcn.ts";
import { GpuNetwork } from "./gpu_network.ts";

export class FcnOnGpu extends GpuNetwork {
  /** Outputs of each layer (post-ReLU for hidden layers, logits for the last). */
  readonly acts: Tensor[];
  readonly deltas: Tensor[];

  constructor(
    gpu: Gpu,
    readonly spec: FcnSpec,
    initial: Float32Array[],
    maxRows: number,
    readonly fused = true,
  ) {
    super(gpu, layerShapes(spec), initial, maxRows, spec.inputDim);
    this.acts = this.shapes.map((s, l) => this.own(gpu.tensor([maxRows, s.out], "f32", `A${l}`)));
    this.deltas = this.shapes.map((s, l) => this.own(gpu.tensor([maxRows, s.out], "f32", `D${l}`)));
  }

  protected get logits(): Tensor {
    return this.acts[this.depth - 1];
  }

  protected get dLogits(): Tensor {
    return this.deltas[this.depth - 1];
  }

  forward(batch: Batch, rows: number): Tensor {
    let input = this.x;
    this.shapes.forEach((s, l) => {
      const hidden = l < this.depth - 1;
      gemm(this.gpu, batch, "nt", input, this.weights[l], this.acts[l], rows, s.out, s.in, {
        relu: hidden && this.fused,
      });
      if (hidden && !this.fused) relu(this.gpu, batch, this.acts[l], rows * s.out);
      input = this.acts[l];
    });
    return this.logits;
  }

  backward(batch: Batch, rows: number): void {
    for (let l = this.depth - 1; l >= 0; l--) {
      const s = this.shapes[l];
      const input = l === 0 ? this.x : this.acts[l - 1];
      gemm(this.gpu, batch, "tn", this.deltas[l], input, this.grads[l], s.out, s.in, rows);
      if (l > 0) {
        gemm(
          this.gpu,
          batch,
          "nn",
          this.deltas[l],
          this.weights[l],
          this.deltas[l - 1],
          rows,
          s.in,
          s.out,
        );
        reluBackward(this.gpu, batch, this.deltas[l - 1], this.acts[l - 1], rows * s.in);
      }
    }
  }
}
