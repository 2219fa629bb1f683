// Second pass of split-K GEMM: C[i] = α·Σ_z partials[z·count + i] (+ C[i]), z = 0, 1, … in
// order, so the result does not depend on scheduling. 1-D grid folded into 2-D (groups1d).

struct Params {
  count: u32,
  splits: u32,
  alpha: f32,
  accumulate: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> partials: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = (wid.y * nwg.x + wid.x) * {{WG}}u + lid.x;
  if (i >= p.count) {
    return;
  }
  var s = 0.0;
  for (var z = 0u; z < p.splits; z++) {
    s += partials[z * p.count + i];
  }
  var x = p.alpha * s;
  if (p.accumulate != 0u) {
    x += c[i];
  }
  c[i] = x;
}
