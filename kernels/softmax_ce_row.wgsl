// The per-row softmax cross-entropy shared by nn_softmax_ce.wgsl and nn_output_layer.wgsl (no
// entry points): reads row r of `logits`, writes stats[2r], stats[2r + 1] and (write_grad) row r
// of `dlogits`; the kernel that includes it declares those buffers and p.classes, p.label_offset,
// p.grad_scale.

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
  var loss = bitcast<f32>(0x7fc00000u); // NaN for a label out of range
  if (label < p.classes) {
    loss = log(sum) + (top - logits[base + label]);
  }
  stats[2u * r] = loss;
  stats[2u * r + 1u] = select(0.0, 1.0, arg == label);
  return RowSummary(top, sum, label);
}

// dlogits[r, :] = (softmax − onehot(label)) · grad_scale, from summarise_row's result.
fn write_grad(r: u32, s: RowSummary) {
  let base = r * p.classes;
  let inv = 1.0 / s.sum;
  for (var j = 0u; j < p.classes; j++) {
    let prob = exp(logits[base + j] - s.top) * inv;
    dlogits[base + j] = (prob - select(0.0, 1.0, j == s.label)) * p.grad_scale;
  }
}
