// Per-row factors of Types I and III (lib/noise/inject.ts): row r uses the words of counter
// (r, step, 0, 0) under key (seed, stream), stream = the layer's "row" stream. Grid-stride loop
// over rows, so the output does not depend on the grid shape.
//   row_sas:           out[r] = scale · Z_r,   Z_r ~ SαS(α, 1)            (Type I)
//   row_sqrt_positive: out[r] = scale · √A_r,  E e^{-uA} = exp(-u^{α/2})  (Type III)
#include "stable.wgsl"
#include "grid_index.wgsl"

// p (Params) and the buffers: NOISE_ROWS in lib/gpu/kernels.ts.

fn row_words(r: u32) -> vec4<u32> {
  return philox4x32_10(vec4<u32>(p.row0 + r, p.step, 0u, 0u), vec2<u32>(p.seed, p.stream));
}

@compute @workgroup_size({{WG}})
fn row_sas(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
           @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var r = flat_index(wid, lid, nwg); r < p.n; r += thread_count(nwg)) {
    let w = row_words(r);
    out[r] = p.scale * stable_sas(p.alpha, w);
  }
}

@compute @workgroup_size({{WG}})
fn row_sqrt_positive(@builtin(workgroup_id) wid: vec3<u32>,
                     @builtin(local_invocation_id) lid: vec3<u32>,
                     @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var r = flat_index(wid, lid, nwg); r < p.n; r += thread_count(nwg)) {
    let w = row_words(r);
    out[r] = p.scale * sqrt(stable_positive_half(p.alpha, w));
  }
}
