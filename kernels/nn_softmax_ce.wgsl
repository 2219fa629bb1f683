// Softmax cross-entropy, one thread per row of a rows×classes logit matrix.
//   loss_r    = log Σ_j exp(x_j − max) + (max − x_label)   (stable; no cancellation of big logits)
//   correct_r = 1 if the first maximal logit (lowest index on ties) is the label, else 0
//   dlogits   = (softmax − onehot(label)) · grad_scale      (entry point stats_grad only)
// stats[2r] = loss_r, stats[2r + 1] = correct_r. A label ≥ classes gives loss NaN, correct 0.
#include "grid_index.wgsl"

// p (Params) and the buffers: NN_SOFTMAX_CE in lib/gpu/kernels.ts.

struct RowSummary {
  top: f32,
  sum: f32, // Σ_j exp(x_j − top) ≥ 1
  label: u32,
}

fn summarise_row(r: u32) -> RowSummary {
  let base = r * p.classes;
  var top = logits[base];
  var arg = 0u;
  for (var j = 1u; j < p.classes; j++) {
    let v = logits[base + j];
    if (v > top) {
      top = v;
      arg = j;
    }
  }
  var sum = 0.0;
  for (var j = 0u; j < p.classes; j++) {
    sum += exp(logits[base + j] - top);
  }
  let label = labels[p.label_offset + r];
  // NaN for a label out of range, built from a runtime value: a constant expression that
  // evaluates to NaN is a shader-creation error in WGSL (Chromium's Tint rejects it).
  var loss = bitcast<f32>(0x7fc00000u | (label & 0u));
  if (label < p.classes) {
    loss = log(sum) + (top - logits[base + label]);
  }
  stats[2u * r] = loss;
  stats[2u * r + 1u] = select(0.0, 1.0, arg == label);
  return RowSummary(top, sum, label);
}

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
    let s = summarise_row(r);
    let base = r * p.classes;
    let inv = 1.0 / s.sum;
    for (var j = 0u; j < p.classes; j++) {
      let prob = exp(logits[base + j] - s.top) * inv;
      dlogits[base + j] = (prob - select(0.0, 1.0, j == s.label)) * p.grad_scale;
    }
  }
}
