// Layout changes of the GEMM-based convolution (lib/ops/conv.ts), one thread per written element,
// so every output is produced by exactly one thread in a fixed order (deterministic, no atomics).
//   im2col          src = x (N, C, H, W)            → dst = cols (N·Ho·Wo) × (C·kh·kw)
//   col2im          src = dcols (N·Ho·Wo)×(C·kh·kw) → dst = dx (N, C, H, W)   (adjoint of im2col)
//   rows_to_nchw    src = (N·Ho·Wo) × Cout          → dst = (N, Cout, Ho, Wo)
//   nchw_to_rows    src = (N, Cout, Ho, Wo)         → dst = (N·Ho·Wo) × Cout
// Row r = (n·Ho + oh)·Wo + ow is an output pixel; column j = (c·kh + i)·kw + jj matches the weight
// layout (Cout, C, kh, kw). Stride 1, zero padding `pad` on every side.
#include "grid_index.wgsl"

// p (Params) and the buffers: CONV_IM2COL in lib/gpu/kernels.ts.

@compute @workgroup_size({{WG}})
fn im2col(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
          @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flat_index(wid, lid, nwg);
  if (e >= p.count) {
    return;
  }
  let kk = p.c * p.kh * p.kw;
  let r = e / kk;
  let j = e - r * kk;
  let ow = r % p.wo;
  let t = r / p.wo;
  let oh = t % p.ho;
  let n = t / p.ho;
  let jj = j % p.kw;
  let t2 = j / p.kw;
  let i = t2 % p.kh;
  let c = t2 / p.kh;
  let ih = i32(oh + i) - i32(p.pad);
  let iw = i32(ow + jj) - i32(p.pad);
  var v = 0.0;
  if (ih >= 0 && ih < i32(p.h) && iw >= 0 && iw < i32(p.w)) {
    v = src[((n * p.c + c) * p.h + u32(ih)) * p.w + u32(iw)];
  }
  dst[e] = v;
}

// dx[n, c, ih, iw] = Σ_{i, jj} dcols[(n, oh = ih + pad − i, ow = iw + pad − jj), (c, i, jj)] over
// the output pixels in range, summed in row-major (i, jj) order.
@compute @workgroup_size({{WG}})
fn col2im(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
          @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flat_index(wid, lid, nwg);
  if (e >= p.count) {
    return;
  }
  let iw = e % p.w;
  let t = e / p.w;
  let ih = t % p.h;
  let t2 = t / p.h;
  let c = t2 % p.c;
  let n = t2 / p.c;
  let kk = p.c * p.kh * p.kw;
  var s = 0.0;
  for (var i = 0u; i < p.kh; i++) {
    let oh = i32(ih + p.pad) - i32(i);
    if (oh < 0 || oh >= i32(p.ho)) {
      continue;
    }
    for (var jj = 0u; jj < p.kw; jj++) {
      let ow = i32(iw + p.pad) - i32(jj);
      if (ow < 0 || ow >= i32(p.wo)) {
        continue;
      }
      let r = (n * p.ho + u32(oh)) * p.wo + u32(ow);
      s += src[r * kk + (c * p.kh + i) * p.kw + jj];
    }
  }
  dst[e] = s;
}

// dst (N, C, Ho, Wo) from src (N·Ho·Wo) × C.
@compute @workgroup_size({{WG}})
fn rows_to_nchw(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
                @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flat_index(wid, lid, nwg);
  if (e >= p.count) {
    return;
  }
  let hw = p.ho * p.wo;
  let s = e % hw;
  let t = e / hw;
  let co = t % p.c;
  let n = t / p.c;
  dst[e] = src[(n * hw + s) * p.c + co];
}

// dst (N·Ho·Wo) × C from src (N, C, Ho, Wo).
@compute @workgroup_size({{WG}})
fn nchw_to_rows(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
                @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flat_index(wid, lid, nwg);
  if (e >= p.count) {
    return;
  }
  let hw = p.ho * p.wo;
  let co = e % p.c;
  let r = e / p.c;
  let s = r % hw;
  let n = r / hw;
  dst[e] = src[(n * p.c + co) * hw + s];
}
