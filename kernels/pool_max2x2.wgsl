// 2×2 max pooling, stride 2, floor on odd H/W (as PyTorch), NCHW; one thread per written element.
//   forward   src = x (P planes of H×W), dst = y (P planes of Ho×Wo), idx = flat index into x of
//             each window's maximum (ties → first in row-major window order)
//   backward  src = dy, dst = dx (one thread per element of dx: gathers dy of its window when it
//             is that window's recorded argmax, else 0; windows do not overlap, so deterministic)
#include "grid_index.wgsl"

// p (Params) and the buffers: POOL_MAX2X2 in lib/gpu/kernels.ts.

@compute @workgroup_size({{WG}})
fn forward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
           @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flat_index(wid, lid, nwg);
  if (e >= p.count) {
    return;
  }
  let ow = e % p.wo;
  let t = e / p.wo;
  let oh = t % p.ho;
  let plane = t / p.ho;
  let base = (plane * p.h + 2u * oh) * p.w + 2u * ow;
  var best = src[base];
  var arg = base;
  let cand = array<u32, 3>(base + 1u, base + p.w, base + p.w + 1u);
  for (var k = 0u; k < 3u; k++) {
    let v = src[cand[k]];
    if (v > best) {
      best = v;
      arg = cand[k];
    }
  }
  dst[e] = best;
  idx[e] = arg;
}

@compute @workgroup_size({{WG}})
fn backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
            @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flat_index(wid, lid, nwg);
  if (e >= p.count) {
    return;
  }
  let iw = e % p.w;
  let t = e / p.w;
  let ih = t % p.h;
  let plane = t / p.h;
  let oh = ih / 2u;
  let ow = iw / 2u;
  var g = 0.0;
  if (oh < p.ho && ow < p.wo) {
    let o = (plane * p.ho + oh) * p.wo + ow;
    if (idx[o] == e) {
      g = src[o];
    }
  }
  dst[e] = g;
}
