// The output layer of the FCN fused with its loss: a small product (classes outputs per row) that
// a GEMM dispatch and a softmax dispatch did before. One thread per row r:
//   logits[r, c] = Σ_j h[r, j]·w[c, j], one fma chain over j = 0 … width−1 from 0, as
//                  gemm_naive.wgsl computes it (the variant lib/ops/gemm.ts picks on CPU adapters)
// then the softmax cross-entropy of softmax_ce_row.wgsl (stats; forward_grad also dlogits).
// The backward entry (weight_grad) is at the end.
#include "grid_index.wgsl"

// p (Params) and the buffers: NN_OUTPUT_LAYER in lib/gpu/kernels.ts.

#include "softmax_ce_row.wgsl"

fn output_row(r: u32) {
  let hb = r * p.width;
  for (var c = 0u; c < p.classes; c++) {
    let wb = c * p.width;
    var s = 0.0;
    for (var j = 0u; j < p.width; j++) {
      s = fma(h[hb + j], w[wb + j], s);
    }
    logits[r * p.classes + c] = s;
  }
}

@compute @workgroup_size({{WG}})
fn forward_stats(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
                 @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = flat_index(wid, lid, nwg);
  if (r < p.rows) {
    output_row(r);
    _ = summarise_row(r);
  }
}

@compute @workgroup_size({{WG}})
fn forward_grad(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
                @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = flat_index(wid, lid, nwg);
  if (r < p.rows) {
    output_row(r);
    write_grad(r, summarise_row(r));
  }
}

// ---- backward: the output layer's weight gradient ----------------------------------------
// Each element is one fma chain over r in order from 0, as the GEMM variants compute it.

// dlogits[r, c], 0 past the last class.
fn dl_or_zero(r: u32, c: u32) -> f32 {
  if (c < p.classes) {
    return dlogits[r * p.classes + c];
  }
  return 0.0;
}

// grad[c, j] = Σ_r dlogits[r, c]·h[r, j] (r = 0 … rows−1): thread (j, block of 4 classes).
@compute @workgroup_size({{WG}})
fn weight_grad(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = gid.x;
  let c0 = 4u * gid.y;
  if (j >= p.width || c0 >= p.classes) {
    return;
  }
  var acc = vec4<f32>();
  for (var r = 0u; r < p.rows; r++) {
    let d = vec4<f32>(dl_or_zero(r, c0), dl_or_zero(r, c0 + 1u), dl_or_zero(r, c0 + 2u),
                      dl_or_zero(r, c0 + 3u));
    acc = fma(d, vec4<f32>(h[r * p.width + j]), acc);
  }
  for (var k = 0u; k < 4u; k++) {
    if (c0 + k < p.classes) {
      grad[(c0 + k) * p.width + j] = acc[k];
    }
  }
}
