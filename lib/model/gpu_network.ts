/**
 * What every network on the GPU has in common (the FCN of fcn_gpu.ts and the VGG of
 * vgg_gpu.ts): weights and gradients as matrices out × in, the input/label workspace for up
 * to `maxRows` examples, the mean cross-entropy loss and the SGD update. Subclasses record the
 * forward and backward passes.
 */
import type { Batch, Gpu, Tensor } from "../gpu/runtime.ts";
import type { LayerShape } from "./fcn.ts";
import type { NoiseTarget } from "./model.ts";
import { injectNoise, type InjectOptions } from "../noise/inject.ts";
import { sgdStep, softmaxCrossEntropy, sumPairs } from "../ops/nn.ts";

export abstract class GpuNetwork {
  readonly weights: Tensor[];
  readonly grads: Tensor[];
  readonly x: Tensor;
  readonly y: Tensor;
  readonly rowStats: Tensor;
  /** Workspace tensors of the subclass, destroyed with the network. */
  readonly #owned: Tensor[] = [];

  constructor(
    protected readonly gpu: Gpu,
    readonly shapes: LayerShape[],
    initial: Float32Array[],
    readonly maxRows: number,
    inputDim: number,
  ) {
    if (initial.length !== shapes.length) {
      throw new Error(`${initial.length} weight arrays for a model of ${shapes.length} layers`);
    }
    shapes.forEach((s, l) => {
      if (initial[l].length !== s.out * s.in) {
        throw new Error(`layer ${l}: ${initial[l].length} weights, expected ${s.out}×${s.in}`);
      }
    });
    this.weights = shapes.map((s, l) => gpu.upload(initial[l], [s.out, s.in], `W${l}`));
    this.grads = shapes.map((s, l) => gpu.tensor([s.out, s.in], "f32", `dW${l}`));
    this.x = this.own(gpu.tensor([maxRows, inputDim], "f32", "X batch"));
    this.y = this.own(gpu.tensor([maxRows], "u32", "y batch"));
    this.rowStats = this.own(gpu.tensor([2 * maxRows], "f32", "row stats"));
  }

  /** Registers a workspace tensor for destroy(); returns it. */
  protected own(t: Tensor): Tensor {
    this.#owned.push(t);
    return t;
  }

  get depth(): number {
    return this.shapes.length;
  }

  /** The logits (rows × classes) that forward() writes. */
  protected abstract get logits(): Tensor;
  /** Where loss(withGrad) writes ∂L/∂logits, which backward() reads. */
  protected abstract get dLogits(): Tensor;

  /** Forward pass on the first `rows` examples of `x`; returns the logits tensor. */
  abstract forward(batch: Batch, rows: number): Tensor;

  /** Gradients of all layers into `grads`; needs forward() and loss(withGrad) recorded first. */
  abstract backward(batch: Batch, rows: number): void;

  /**
   * Mean cross-entropy of the batch: writes (Σ loss, Σ correct) to out[offset], out[offset+1]
   * (out null: only the per-row stats, no reduction); with `withGrad`, also the logits gradient
   * (softmax − onehot)/rows.
   */
  loss(batch: Batch, rows: number, withGrad: boolean, out: Tensor | null, offset: number): void {
    const classes = this.shapes[this.depth - 1].out;
    softmaxCrossEntropy(
      this.gpu,
      batch,
      this.logits,
      this.y,
      withGrad ? this.dLogits : null,
      this.rowStats,
      rows,
      classes,
      { gradScale: 1 / rows },
    );
    if (out) sumPairs(this.gpu, batch, this.rowStats, rows, out, offset);
  }

  /**
   * forward() then loss(): what a training step and an evaluation record. A subclass may fuse
   * the two (FcnOnGpu does); the results are those of forward() then loss().
   */
  forwardLoss(
    batch: Batch,
    rows: number,
    withGrad: boolean,
    out: Tensor | null,
    offset: number,
  ): void {
    this.forward(batch, rows);
    this.loss(batch, rows, withGrad, out, offset);
  }

  /** Records the noise of one step on each target's weights, drawn on the target's rows × cols. */
  addNoise(batch: Batch, targets: NoiseTarget[], opts: Omit<InjectOptions, "layer">): void {
    for (const t of targets) {
      injectNoise(this.gpu, batch, this.weights[t.layer], t.rows, t.cols, {
        ...opts,
        layer: t.layer,
      });
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
    for (const t of [...this.weights, ...this.grads, ...this.#owned]) t.destroy();
  }
}
