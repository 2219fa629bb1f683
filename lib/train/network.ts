/**
 * An FCN living on the GPU: weights, gradients and the activation workspace for up to `maxRows`
 * examples, with the forward, loss, backward and SGD passes recorded into a Batch.
 *
 * Shapes (row-major): input X is rows×in; layer l computes A_l = relu(A_{l-1}·W_lᵀ) (no relu on
 * the last layer), W_l is out_l×in_l. Backward with D_l = ∂L/∂(pre-activation of layer l):
 *   ∇W_l = D_lᵀ·A_{l-1},   D_{l-1} = (D_l·W_l) ⊙ [A_{l-1} > 0].
 */
import type { Batch, Gpu, Tensor } from "../gpu/runtime.ts";
import { gemm } from "../ops/gemm.ts";
import { relu, reluBackward, sgdStep, softmaxCrossEntropy, sumPairs } from "../ops/nn.ts";
import { type FcnSpec, type LayerShape, layerShapes } from "../model/fcn.ts";

export class FcnOnGpu {
  readonly shapes: LayerShape[];
  readonly weights: Tensor[];
  readonly grads: Tensor[];
  /** Outputs of each layer (post-ReLU for hidden layers, logits for the last). */
  readonly acts: Tensor[];
  readonly deltas: Tensor[];
  readonly x: Tensor;
  readonly y: Tensor;
  readonly rowStats: Tensor;

  constructor(
    private readonly gpu: Gpu,
    readonly spec: FcnSpec,
    initial: Float32Array[],
    readonly maxRows: number,
  ) {
    this.shapes = layerShapes(spec);
    if (initial.length !== this.shapes.length) {
      throw new Error("weight list does not match the model depth");
    }
    this.weights = this.shapes.map((s, l) => gpu.upload(initial[l], [s.out, s.in], `W${l}`));
    this.grads = this.shapes.map((s, l) => gpu.tensor([s.out, s.in], "f32", `dW${l}`));
    this.acts = this.shapes.map((s, l) => gpu.tensor([maxRows, s.out], "f32", `A${l}`));
    this.deltas = this.shapes.map((s, l) => gpu.tensor([maxRows, s.out], "f32", `D${l}`));
    this.x = gpu.tensor([maxRows, spec.inputDim], "f32", "X batch");
    this.y = gpu.tensor([maxRows], "u32", "y batch");
    this.rowStats = gpu.tensor([2 * maxRows], "f32", "row stats");
  }

  get depth(): number {
    return this.shapes.length;
  }

  /** Forward pass on the first `rows` rows of `x`; returns the logits tensor. */
  forward(batch: Batch, rows: number): Tensor {
    let input = this.x;
    this.shapes.forEach((s, l) => {
      gemm(this.gpu, batch, "nt", input, this.weights[l], this.acts[l], rows, s.out, s.in);
      if (l < this.depth - 1) relu(this.gpu, batch, this.acts[l], rows * s.out);
      input = this.acts[l];
    });
    return this.acts[this.depth - 1];
  }

  /**
   * Mean cross-entropy of the batch: writes (Σ loss, Σ correct) to out[offset], out[offset+1];
   * with `withGrad`, also the logits gradient (softmax − onehot)/rows into the last delta.
   */
  loss(batch: Batch, rows: number, withGrad: boolean, out: Tensor, offset: number): void {
    const last = this.depth - 1;
    softmaxCrossEntropy(
      this.gpu,
      batch,
      this.acts[last],
      this.y,
      withGrad ? this.deltas[last] : null,
      this.rowStats,
      rows,
      this.shapes[last].out,
      { gradScale: 1 / rows },
    );
    sumPairs(this.gpu, batch, this.rowStats, rows, out, offset);
  }

  /** Gradients of all layers; needs forward() and loss(withGrad) recorded first. */
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

  sgd(batch: Batch, lr: number): void {
    this.shapes.forEach((s, l) =>
      sgdStep(this.gpu, batch, this.weights[l], this.grads[l], lr, s.out * s.in)
    );
  }

  async readWeights(): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (const w of this.weights) out.push(await w.read());
    return out;
  }

  setWeights(host: Float32Array[]): void {
    host.forEach((w, l) => this.weights[l].write(w));
  }

  destroy(): void {
    for (
      const t of [
        ...this.weights,
        ...this.grads,
        ...this.acts,
        ...this.deltas,
        this.x,
        this.y,
        this.rowStats,
      ]
    ) {
      t.destroy();
    }
  }
}
