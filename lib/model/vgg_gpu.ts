/**
 * The VGG CNN (lib/model/vgg.ts) on the GPU, for up to `maxRows` examples. Per conv layer l with
 * input a_{l−1} (N, C, H, W):
 *   forward   r_l = relu(conv3×3(a_{l−1}, W_l)),  a_l = maxpool2×2(r_l) or r_l,
 *             logits = a_L·W_fcᵀ (a_L is (N, C_L, 1, 1), read as N × C_L);
 *   backward  ∇W_fc = dlogitsᵀ·a_L,  da_L = dlogits·W_fc; then per layer, from the last:
 *             dr_l = poolᵀ(da_l) (or da_l), dr_l ⊙= [r_l > 0],
 *             ∇W_l, da_{l−1} = conv2dBackward(a_{l−1}, W_l, dr_l)  (no da for the first layer).
 * Convolutions are im2col + the shared GEMM kernels (lib/ops/conv.ts); one im2col/product
 * scratch pair serves every layer, and two ping-pong buffers hold the backward deltas.
 */
import type { Batch, Gpu, Tensor } from "../gpu/runtime.ts";
import { gemm } from "../ops/gemm.ts";
import {
  conv2dBackward,
  conv2dForward,
  type ConvScratch,
  type ConvShape,
  maxPool2x2Backward,
  maxPool2x2Forward,
} from "../ops/conv.ts";
import { relu, reluBackward } from "../ops/nn.ts";
import { inputDimOf } from "./model.ts";
import {
  type ConvGeometry,
  VGG_KERNEL,
  VGG_PAD,
  type VggGeometry,
  vggGeometry,
  vggShapes,
  type VggSpec,
} from "./vgg.ts";
import { GpuNetwork } from "./gpu_network.ts";

function convShape(g: ConvGeometry, rows: number): ConvShape {
  return {
    n: rows,
    c: g.cin,
    h: g.h,
    w: g.w,
    cout: g.cout,
    kh: VGG_KERNEL,
    kw: VGG_KERNEL,
    pad: VGG_PAD,
  };
}

const poolShape = (g: ConvGeometry, rows: number) => ({ planes: rows * g.cout, h: g.h, w: g.w });

export class VggOnGpu extends GpuNetwork {
  readonly geometry: VggGeometry;
  /** Post-ReLU conv outputs r_l, (maxRows, cout, h, w). */
  readonly relus: Tensor[];
  /** Pool outputs and argmax indices, for the layers followed by a pool (else undefined). */
  readonly pools: (Tensor | undefined)[];
  readonly argmax: (Tensor | undefined)[];
  readonly #logits: Tensor;
  readonly #dLogits: Tensor;
  readonly #deltas: [Tensor, Tensor];
  readonly #scratch: ConvScratch;

  constructor(gpu: Gpu, readonly spec: VggSpec, initial: Float32Array[], maxRows: number) {
    super(gpu, vggShapes(spec), initial, maxRows, inputDimOf(spec));
    const g = this.geometry = vggGeometry(spec);
    const pooled = (c: ConvGeometry) => c.cout * Math.floor(c.h / 2) * Math.floor(c.w / 2);
    const t = (size: number, label: string, dtype: "f32" | "u32" = "f32") =>
      this.own(gpu.tensor([size], dtype, label));
    this.relus = g.convs.map((c, l) => t(maxRows * c.cout * c.h * c.w, `relu ${l}`));
    this.pools = g.convs.map((c, l) => c.pool ? t(maxRows * pooled(c), `pool ${l}`) : undefined);
    this.argmax = g.convs.map((c, l) =>
      c.pool ? t(maxRows * pooled(c), `argmax ${l}`, "u32") : undefined
    );
    const classes = spec.numClasses;
    this.#logits = t(maxRows * classes, "logits");
    this.#dLogits = t(maxRows * classes, "dlogits");
    // A delta is at most the size of the largest activation (conv outputs ⊇ their pools).
    const maxAct = Math.max(...g.convs.map((c) => c.cout * c.h * c.w), g.features);
    this.#deltas = [t(maxRows * maxAct, "delta A"), t(maxRows * maxAct, "delta B")];
    const k2 = VGG_KERNEL * VGG_KERNEL;
    this.#scratch = {
      cols: t(maxRows * Math.max(...g.convs.map((c) => c.h * c.w * c.cin * k2)), "conv cols"),
      mat: t(maxRows * Math.max(...g.convs.map((c) => c.h * c.w * c.cout)), "conv mat"),
    };
  }

  protected get logits(): Tensor {
    return this.#logits;
  }

  protected get dLogits(): Tensor {
    return this.#dLogits;
  }

  /** Output a_l of conv layer l (after its pool, if any). */
  #output(l: number): Tensor {
    return this.pools[l] ?? this.relus[l];
  }

  forward(batch: Batch, rows: number): Tensor {
    const { convs, features } = this.geometry;
    let input = this.x;
    convs.forEach((c, l) => {
      conv2dForward(
        this.gpu,
        batch,
        input,
        this.weights[l],
        this.relus[l],
        convShape(c, rows),
        this.#scratch,
      );
      relu(this.gpu, batch, this.relus[l], rows * c.cout * c.h * c.w);
      if (c.pool) {
        maxPool2x2Forward(
          this.gpu,
          batch,
          this.relus[l],
          this.pools[l]!,
          this.argmax[l]!,
          poolShape(c, rows),
        );
      }
      input = this.#output(l);
    });
    const fc = convs.length;
    gemm(
      this.gpu,
      batch,
      "nt",
      input,
      this.weights[fc],
      this.#logits,
      rows,
      this.spec.numClasses,
      features,
    );
    return this.#logits;
  }

  backward(batch: Batch, rows: number): void {
    const { convs, features } = this.geometry;
    const classes = this.spec.numClasses;
    const fc = convs.length;
    const features0 = this.#output(fc - 1);
    const d = this.#deltas;
    let cur = 0; // d[cur] holds ∂L/∂a_l of the layer being processed
    gemm(this.gpu, batch, "tn", this.#dLogits, features0, this.grads[fc], classes, features, rows);
    gemm(this.gpu, batch, "nn", this.#dLogits, this.weights[fc], d[cur], rows, features, classes);
    for (let l = fc - 1; l >= 0; l--) {
      const c = convs[l];
      if (c.pool) {
        maxPool2x2Backward(
          this.gpu,
          batch,
          d[cur],
          this.argmax[l]!,
          d[1 - cur],
          poolShape(c, rows),
        );
        cur = 1 - cur;
      }
      reluBackward(this.gpu, batch, d[cur], this.relus[l], rows * c.cout * c.h * c.w);
      const input = l === 0 ? this.x : this.#output(l - 1);
      const dx = l === 0 ? null : d[1 - cur];
      conv2dBackward(
        this.gpu,
        batch,
        input,
        this.weights[l],
        d[cur],
        this.grads[l],
        dx,
        convShape(c, rows),
        this.#scratch,
      );
      cur = 1 - cur;
    }
  }
}
