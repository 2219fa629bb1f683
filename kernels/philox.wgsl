// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11), the
// counter-based generator of Random123. Output depends only on (key, counter): keys are
// (seed, stream), counters are (element index, step, aux, 0), never thread or workgroup ids.
// TypeScript twin: lib/rng/philox.ts (bit-exact).

// 32x32 -> 64-bit product as (hi, lo); WGSL has no u64, so the high word is assembled from
// 16-bit partial products.
fn mulhilo32(a: u32, b: u32) -> vec2<u32> {
  let a_lo = a & 0xffffu;
  let a_hi = a >> 16u;
  let b_lo = b & 0xffffu;
  let b_hi = b >> 16u;
  let ll = a_lo * b_lo;
  let lh = a_lo * b_hi;
  let hl = a_hi * b_lo;
  let mid = (ll >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  let hi = a_hi * b_hi + (lh >> 16u) + (hl >> 16u) + (mid >> 16u);
  return vec2<u32>(hi, a * b);
}

fn philox4x32_10(ctr: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
  var c = ctr;
  var k = key;
  for (var round = 0u; round < 10u; round++) {
    if (round > 0u) {
      k = k + vec2<u32>(0x9E3779B9u, 0xBB67AE85u);
    }
    let p0 = mulhilo32(0xD2511F53u, c.x);
    let p1 = mulhilo32(0xCD9E8D57u, c.z);
    c = vec4<u32>(p1.x ^ c.y ^ k.x, p1.y, p0.x ^ c.w ^ k.y, p0.y);
  }
  return c;
}

// Uniform on (0, 1), never exactly 0 or 1: the top 23 bits as an odd multiple of 2^-24, which is
// exact in f32, so WGSL and TypeScript agree bit for bit. Range [2^-24, 1 - 2^-24]. Good enough for
// initialisation and shuffles; the noise samplers need the finer tails of unit_half64 below.
fn unit_f32(u: u32) -> f32 {
  return f32((u >> 9u) * 2u + 1u) * (1.0 / 16777216.0);
}

// A uniform u on (0, 1) from two words (hi, lo), as its distance t to the nearer end of (0, 1):
// u = t when bit 31 of hi is 0 (unit_upper_half false), u = 1 - t otherwise. t is uniform on
// (0, 1/2) with relative resolution 2^-23 everywhere down to 2^-64, so -log u, -log(1 - u) and
// angles near the ends of the interval keep their relative accuracy where the tails live.
// Construction (bit-exact with lib/rng/philox.ts `unitHalf64`): R = the other 63 bits, z = its
// leading-zero count (P(z) = 2^-(z+1)), so t lies in the octave [2^-(z+2), 2^-(z+1)), which has
// exactly that probability under U(0, 1/2); the 22 bits below R's leading one pick one of 2^22
// equal cells of the octave and t is the cell's midpoint: exponent 125 - z, mantissa 2·cell + 1.
// Below 2^-42 (z > 40, probability 2^-41) fewer than 22 bits are left and the cells coarsen;
// R = 0 (probability 2^-63) gives t = 2^-65·(1 + 2^-23). Smallest t: about 2^-65, so no uniform
// event of probability above 2^-64 is lost.
fn unit_half64(hi: u32, lo: u32) -> f32 {
  let r_hi = hi & 0x7fffffffu;
  var z = 63u;
  if (r_hi != 0u) {
    z = countLeadingZeros(r_hi) - 1u;
  } else if (lo != 0u) {
    z = 31u + countLeadingZeros(lo);
  }
  // Shift the 64-bit (r_hi, lo) left by s = z + 2, dropping bit 63, the zeros and the leading one;
  // WGSL masks shift counts to 5 bits, hence the cases.
  let s = z + 2u;
  var top = 0u;
  if (s < 32u) {
    top = (r_hi << s) | (lo >> (32u - s));
  } else if (s < 64u) {
    top = lo << (s - 32u);
  }
  let cell = top >> 10u;
  return bitcast<f32>(((125u - z) << 23u) | (cell << 1u) | 1u);
}

// Whether the uniform of unit_half64(hi, lo) is 1 - t (upper half) rather than t.
fn unit_upper_half(hi: u32) -> bool {
  return (hi >> 31u) == 1u;
}

const TWO_PI: f32 = 6.283185307179586;

// Exp(1) from one uniform.
fn exponential_f32(u: u32) -> f32 {
  return -log(unit_f32(u));
}

// Two independent N(0, 1) draws from two words (Box-Muller).
fn normal2_f32(u0: u32, u1: u32) -> vec2<f32> {
  let r = sqrt(-2.0 * log(unit_f32(u0)));
  let t = TWO_PI * unit_f32(u1);
  return vec2<f32>(r * cos(t), r * sin(t));
}
