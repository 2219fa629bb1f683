/**
 * Philox4x32-10 in TypeScript, the bit-exact twin of kernels/philox.wgsl. Used as the CPU
 * reference in tests and wherever a small number of draws is needed on the host.
 *
 * Convention (shared with every kernel): key = (seed, stream), counter = (index, step, aux, 0).
 */

const M0 = 0xD2511F53;
const M1 = 0xCD9E8D57;
const W0 = 0x9E3779B9;
const W1 = 0xBB67AE85;

/** High and low words of the 64-bit product a·b (both u32). */
export function mulhilo32(a: number, b: number): [number, number] {
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const bLo = b & 0xffff;
  const bHi = b >>> 16;
  const ll = aLo * bLo;
  const lh = aLo * bHi;
  const hl = aHi * bLo;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  const hi = (aHi * bHi + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) >>> 0;
  return [hi, Math.imul(a, b) >>> 0];
}

/** The four output words for counter `ctr` under key `key`. */
export function philox4x32_10(
  ctr: readonly [number, number, number, number],
  key: readonly [number, number],
): [number, number, number, number] {
  let [c0, c1, c2, c3] = ctr.map((v) => v >>> 0);
  let k0 = key[0] >>> 0;
  let k1 = key[1] >>> 0;
  for (let round = 0; round < 10; round++) {
    if (round > 0) {
      k0 = (k0 + W0) >>> 0;
      k1 = (k1 + W1) >>> 0;
    }
    const [hi0, lo0] = mulhilo32(M0, c0);
    const [hi1, lo1] = mulhilo32(M1, c2);
    [c0, c1, c2, c3] = [(hi1 ^ c1 ^ k0) >>> 0, lo1, (hi0 ^ c3 ^ k1) >>> 0, lo0];
  }
  return [c0, c1, c2, c3];
}

/** Uniform on (0,1) from one word: odd multiple of 2^-24 (exact in f32), never 0 or 1. */
export function unitFloat(u: number): number {
  return ((u >>> 9) * 2 + 1) / 16777216;
}

/** Exp(1) from one word. */
export function exponential(u: number): number {
  return -Math.log(unitFloat(u));
}

/** Two N(0,1) draws from two words (Box-Muller), as in normal2_f32. */
export function normalPair(u0: number, u1: number): [number, number] {
  const r = Math.sqrt(-2 * Math.log(unitFloat(u0)));
  const t = 2 * Math.PI * unitFloat(u1);
  return [r * Math.cos(t), r * Math.sin(t)];
}

/** Draw for element `index` of (seed, stream) at `step`: the counter convention of rng_fill. */
export function drawAt(seed: number, stream: number, step: number, index: number, aux = 0) {
  return philox4x32_10([index, step, aux, 0], [seed, stream]);
}
