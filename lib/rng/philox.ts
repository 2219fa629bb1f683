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

const bitsView = new Uint32Array(1);
const floatView = new Float32Array(bitsView.buffer);

/**
 * A uniform u on (0, 1) from two words, as its distance t ∈ (0, ½) to the nearer end: u = t, or
 * u = 1 − t when bit 31 of `hi` is set (`isUpperHalf`). Bit-exact twin of `unit_half64` in
 * kernels/philox.wgsl: with R the other 63 bits and z their leading-zero count, t is the midpoint
 * of one of 2²² equal cells of the octave [2^−(z+2), 2^−(z+1)), the cell given by the 22 bits
 * below R's leading one. The octave has probability 2^−(z+1) both under U(0, ½) and for z, so t is
 * uniform with relative resolution 2⁻²³ down to 2⁻⁴² and cells coarsening below (probability 2⁻⁴¹);
 * the smallest value, for R = 0, is 2⁻⁶⁵·(1 + 2⁻²³).
 */
export function unitHalf64(hi: number, lo: number): number {
  const rHi = (hi & 0x7fffffff) >>> 0;
  lo >>>= 0;
  let z = 63;
  if (rHi !== 0) z = Math.clz32(rHi) - 1;
  else if (lo !== 0) z = 31 + Math.clz32(lo);
  // Shift the 64-bit (rHi, lo) left by s = z + 2: drops bit 63, the zeros and the leading one.
  const s = z + 2;
  let top = 0;
  if (s < 32) top = ((rHi << s) | (lo >>> (32 - s))) >>> 0;
  else if (s < 64) top = (lo << (s - 32)) >>> 0;
  const cell = top >>> 10;
  bitsView[0] = (((125 - z) << 23) | (cell << 1) | 1) >>> 0;
  return floatView[0];
}

/** Whether the uniform of `unitHalf64(hi, lo)` is 1 − t (bit 31 of `hi`). */
export function isUpperHalf(hi: number): boolean {
  return hi >>> 31 === 1;
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
