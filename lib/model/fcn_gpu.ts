/**
 * An FCN living on the GPU: weights, gradients and the activation workspace for up to `maxRows`
 * examples, with the forward and backward passes recorded into a Batch (loss and SGD: the base
 * class).
 *
 * Shapes (row-major): input X is rows×in; layer l computes A_l = relu(A_{l-1}·W_lᵀ) (no relu on
 * the last layer), W_l is out_l×in_l. Backward with D_l = ∂L/∂(pre-activation of layer l):
 *   ∇W_l = D_lᵀ·A_{l-1},   D_{l-1} = (D_l·W_l) ⊙ [A_{l-1} > 0].
 *
 * Fused (the default; issue #23): the ReLU runs in the hidden GEMMs' epilogue; the output layer
 * and the loss are one dispatch (forwardLoss: lib/ops/nn.ts outputLayerLoss) and its weight
 * gradient has a kernel of its own (outputWeightGrad). Each output element of these kernels is
 * the fma chain in index order that the GEMM variants compute, so the fused step is bit-identical
 * to the unfused one (`fused = false`, kept as the reference the tests compare against) wherever
 * the GEMMs run as fma chains in order (all variants but splitk, which a real GPU may pick for
 * the output layer's gradient).
 */
import type { Batch, Gpu, Tensor } from "../gpu/runtime.ts";
import { gemm } from "../ops/gemm.ts";
import { outputLayerLoss, outputWeightGrad, relu, reluBackward, sumPairs } from "../ops/nn.ts";
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

  /** The hidden layers: acts[0 … depth−2]. */
  #hidden(batch: Batch, rows: number): void {
    let input = this.x;
    for (let l = 0; l < this.depth - 1; l++) {
      const s = this.shapes[l];
      const out = this.acts[l];
      gemm(this.gpu, batch, "nt", input, this.weights[l], out, rows, s.out, s.in, {
        relu: this.fused,
      });
      if (!this.fused) relu(this.gpu, batch, out, rows * s.out);
      input = out;
    }
  }

  /** The input of the output layer. */
  get #lastInput(): Tensor {
    return this.depth > 1 ? this.acts[this.depth - 2] : this.x;
  }

  forward(batch: Batch, rows: number): Tensor {
    this.#hidden(batch, rows);
    const s = this.shapes[this.depth - 1];
    gemm(
      this.gpu,
      batch,
      "nt",
      this.#lastInput,
      this.weights[this.depth - 1],
      this.logits,
      rows,
      s.out,
      s.in,
    );
    return this.logits;
  }

  override forwardLoss(
    batch: Batch,
    rows: number,
    withGrad: boolean,
    out: Tensor | null,
    offset: number,
  ): void {
    if (!this.fused) return super.forwardLoss(batch, rows, withGrad, out, offset);
    this.#hidden(batch, rows);
    const s = this.shapes[this.depth - 1];
    outputLayerLoss(
      this.gpu,
      batch,
      this.#lastInput,
      this.weights[this.depth - 1],
      this.logits,
      this.y,
      withGrad ? this.dLogits : null,
      this.rowStats,
      rows,
      s.in,
      s.out,
      { gradScale: 1 / rows },
    );
    if (out) sumPairs(this.gpu, batch, this.rowStats, rows, out, offset);
  }

  backward(batch: Batch, rows: number): void {
    for (let l = this.depth - 1; l >= 0; l--) {
      const s = this.shapes[l];
      const input = l === 0 ? this.x : this.acts[l - 1];
      if (this.fused && l === this.depth - 1) {
        // The output layer's gradient (M = classes is short): one dispatch.
        outputWeightGrad(this.gpu, batch, this.deltas[l], input, this.grads[l], rows, s.in, s.out);
      } else {
        gemm(this.gpu, batch, "tn", this.deltas[l], input, this.grads[l], s.out, s.in, rows);
      }
      if (l === 0) continue;
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
