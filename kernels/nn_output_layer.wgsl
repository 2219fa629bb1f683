// The output layer of the FCN fused with its loss: a small product (classes outputs per row) that
// a GEMM dispatch and a softmax dispatch did before. One thread per row r:
//   logits[r, c] = Σ_j h[r, j]·w[c, j], one fma chain over j = 0 … width−1 from 0, as
//                  gemm_naive.wgsl computes it (the variant lib/ops/gemm.ts picks on CPU adapters)
// then the softmax cross-entropy of softmax_ce_row.wgsl (stats; forward_grad also dlogits).
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
