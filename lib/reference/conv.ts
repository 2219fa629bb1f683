/**
 * CPU references of lib/ops/conv.ts by direct loops (not via im2col), sums in f64 rounded to f32
 * once. Layouts as in conv.ts: x (N, C, H, W), w (Cout, C, kh, kw), y (N, Cout, Ho, Wo).
 */
import { convDims, type ConvShape, poolDims, type PoolShape } from "../ops/conv.ts";

/** Calls f(yIndex, wIndex, xIndex) for every in-range term y[yi] += w[wi]·x[xi] of the conv. */
function forEachTerm(
  s: ConvShape,
  f: (yi: number, wi: number, xi: number) => void,
): void {
  const { ho, wo } = convDims(s);
  for (let n = 0; n < s.n; n++) {
    for (let co = 0; co < s.cout; co++) {
      for (let oh = 0; oh < ho; oh++) {
        for (let ow = 0; ow < wo; ow++) {
          const yi = ((n * s.cout + co) * ho + oh) * wo + ow;
          for (let c = 0; c < s.c; c++) {
            for (let i = 0; i < s.kh; i++) {
              const ih = oh + i - s.pad;
              if (ih < 0 || ih >= s.h) continue;
              for (let jj = 0; jj < s.kw; jj++) {
                const iw = ow + jj - s.pad;
                if (iw < 0 || iw >= s.w) continue;
                const wi = ((co * s.c + c) * s.kh + i) * s.kw + jj;
                f(yi, wi, ((n * s.c + c) * s.h + ih) * s.w + iw);
              }
            }
          }
        }
      }
    }
  }
}

/** y = conv(x, w), stride 1, zero padding s.pad, no bias. */
export function conv2dForwardRef(x: Float32Array, w: Float32Array, s: ConvShape): Float32Array {
  const { rows } = convDims(s);
  const acc = new Float64Array(rows * s.cout);
  forEachTerm(s, (yi, wi, xi) => {
    acc[yi] += x[xi] * w[wi];
  });
  return Float32Array.from(acc);
}

/** dw[co, c, i, jj] = Σ dy[n, co, oh, ow]·x[n, c, oh + i − p, ow + jj − p]. */
export function conv2dBackwardWeightsRef(
  x: Float32Array,
  dy: Float32Array,
  s: ConvShape,
): Float32Array {
  const { k } = convDims(s);
  const acc = new Float64Array(s.cout * k);
  forEachTerm(s, (yi, wi, xi) => {
    acc[wi] += dy[yi] * x[xi];
  });
  return Float32Array.from(acc);
}

/** dx[n, c, ih, iw] = Σ dy[n, co, oh, ow]·w[co, c, ih − oh + p, iw − ow + p]. */
export function conv2dBackwardDataRef(
  dy: Float32Array,
  w: Float32Array,
  s: ConvShape,
): Float32Array {
  const acc = new Float64Array(s.n * s.c * s.h * s.w);
  forEachTerm(s, (yi, wi, xi) => {
    acc[xi] += dy[yi] * w[wi];
  });
  return Float32Array.from(acc);
}

/** 2×2 / stride-2 max pool (floor); argmax = flat index into x, first maximum in window order. */
export function maxPool2x2ForwardRef(
  x: Float32Array,
  s: PoolShape,
): { y: Float32Array; argmax: Uint32Array } {
  const { ho, wo } = poolDims(s);
  const y = new Float32Array(s.planes * ho * wo);
  const argmax = new Uint32Array(y.length);
  for (let p = 0; p < s.planes; p++) {
    for (let oh = 0; oh < ho; oh++) {
      for (let ow = 0; ow < wo; ow++) {
        let best = -Infinity;
        let arg = -1;
        for (let i = 0; i < 2; i++) {
          for (let j = 0; j < 2; j++) {
            const xi = (p * s.h + 2 * oh + i) * s.w + 2 * ow + j;
            if (arg < 0 || x[xi] > best) {
              best = x[xi];
              arg = xi;
            }
          }
        }
        const o = (p * ho + oh) * wo + ow;
        y[o] = best;
        argmax[o] = arg;
      }
    }
  }
  return { y, argmax };
}

/** dx = dy at each window's argmax, 0 elsewhere. */
export function maxPool2x2BackwardRef(
  dy: Float32Array,
  argmax: Uint32Array,
  s: PoolShape,
): Float32Array {
  const dx = new Float32Array(s.planes * s.h * s.w);
  for (let o = 0; o < argmax.length; o++) dx[argmax[o]] += dy[o];
  return dx;
}
