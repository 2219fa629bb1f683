// One pass of the pair-sum tree used by sumPairs: workgroup g adds input pairs
// [g·2WG, (g+1)·2WG) (pair i = src[2i], src[2i+1]) and writes its sum to dst[dst_offset + 2g],
// dst[dst_offset + 2g + 1]. Thread t first adds pairs t and t + WG, then a fixed binary tree
// adds the WG results: the order of additions depends only on the pair count.

#include "grid_index.wgsl"

// p (Params) and the buffers: NN_REDUCE_PAIRS in lib/gpu/kernels.ts.

var<workgroup> partial: array<vec2<f32>, {{WG}}>;

fn pair(i: u32) -> vec2<f32> {
  if (i >= p.pairs) {
    return vec2<f32>();
  }
  return vec2<f32>(src[2u * i], src[2u * i + 1u]);
}

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let g = group_index(wid, nwg);
  if (g >= p.groups) {
    return; // uniform across the workgroup, so the barriers below stay legal
  }
  let base = g * (2u * {{WG}}u);
  partial[lid.x] = pair(base + lid.x) + pair(base + {{WG}}u + lid.x);
  workgroupBarrier();
  for (var stride = {{WG}}u / 2u; stride > 0u; stride /= 2u) {
    if (lid.x < stride) {
      partial[lid.x] += partial[lid.x + stride];
    }
    workgroupBarrier();
  }
  if (lid.x == 0u) {
    dst[p.dst_offset + 2u * g] = partial[0].x;
    dst[p.dst_offset + 2u * g + 1u] = partial[0].y;
  }
}
