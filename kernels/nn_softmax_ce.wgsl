// Softmax cross-entropy, one thread per row of a rows×classes logit matrix.
//   loss_r    = log Σ_j exp(x_j − max) + (max − x_label)   (stable; no cancellation of big logits)
//   correct_r = 1 if the first maximal logit (lowest index on ties) is the label, else 0
//   dlogits   = (softmax − onehot(label)) · grad_scale      (entry point stats_grad only)
// stats[2r] = loss_r, stats[2r + 1] = correct_r. A label ≥ classes gives loss NaN, correct 0.
#include "grid_index.wgsl"

// p (Params) and the buffers: NN_SOFTMAX_CE in lib/gpu/kernels.ts.

#include "softmax_ce_row.wgsl"

@compute @workgroup_size({{WG}})
fn stats_only(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
              @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = flat_index(wid, lid, nwg);
  if (r < p.rows) {
    _ = summarise_row(r);
  }
}

@compute @workgroup_size({{WG}})
fn stats_grad(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
              @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = flat_index(wid, lid, nwg);
  if (r < p.rows) {
    write_grad(r, summarise_row(r));
  }
}
