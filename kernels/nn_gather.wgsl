// dst[i, j] = src[indices[offset + i], j] for i < count, j < cols: minibatch assembly. Words are
// copied as u32, so the same kernel gathers f32 rows and u32 labels (cols = 1) bit for bit.
#include "nn_common.wgsl"

struct Params {
  total: u32, // count·cols
  cols: u32,
  offset: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read> indices: array<u32>;
@group(0) @binding(3) var<storage, read_write> dst: array<u32>;

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flat_index(wid, lid, nwg);
  if (e < p.total) {
    let i = e / p.cols;
    let j = e - i * p.cols;
    dst[e] = src[indices[p.offset + i] * p.cols + j];
  }
}
