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
// exact in f32, so WGSL and TypeScript agree bit for bit. Range [2^-24, 1 - 2^-24].
fn unit_f32(u: u32) -> f32 {
  return f32((u >> 9u) * 2u + 1u) * (1.0 / 16777216.0);
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
