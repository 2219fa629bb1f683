// out[r] = Σ_j w[r, j]², one workgroup per row (grid folded into 2-D): thread t sums columns
// t, t + WG, … in order, then a fixed tree adds the WG partial sums, so the result is the same
// on every run.

struct Params {
  rows: u32,
  cols: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

var<workgroup> partial: array<f32, {{WG}}>;

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = wid.y * nwg.x + wid.x;
  if (row >= p.rows) {
    return;
  }
  var s = 0.0;
  for (var j = lid.x; j < p.cols; j += {{WG}}u) {
    let v = w[row * p.cols + j];
    s = fma(v, v, s);
  }
  partial[lid.x] = s;
  workgroupBarrier();
  for (var stride = {{WG}}u / 2u; stride > 0u; stride /= 2u) {
    if (lid.x < stride) {
      partial[lid.x] += partial[lid.x + stride];
    }
    workgroupBarrier();
  }
  if (lid.x == 0u) {
    out[row] = partial[0];
  }
}
