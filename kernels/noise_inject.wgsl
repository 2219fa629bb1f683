// Adds noise to a row-major rows×cols weight matrix in place, reading and writing each weight once
// (lib/noise/inject.ts). Element i = r·cols + c uses the words of counter (i, step, 0, 0) under
// key (seed, stream), stream = the layer's "element" stream; grid-stride loop over elements. A
// chunk of rows starting at row0 (row0 = 0 in training) draws exactly what the whole layer would.
//   add_row_scalar: W[i] += f[r]                         (Type I, f from noise_rows.wgsl)
//   add_iid_sas:    W[i] += scale · Z_i, Z_i ~ SαS(α, 1)  (Type II)
//   add_row_gauss:  W[i] += f[r] · G_i,  G_i ~ N(0, 1)    (Type III)
#include "stable.wgsl"
#include "grid_index.wgsl"

// p (Params) and the buffers: NOISE_INJECT in lib/gpu/kernels.ts.

fn element_words(i: u32) -> vec4<u32> {
  let e = p.row0 * p.cols + i;
  return philox4x32_10(vec4<u32>(e, p.step, 0u, 0u), vec2<u32>(p.seed, p.stream));
}

@compute @workgroup_size({{WG}})
fn add_row_scalar(@builtin(workgroup_id) wid: vec3<u32>,
                  @builtin(local_invocation_id) lid: vec3<u32>,
                  @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var i = flat_index(wid, lid, nwg); i < p.n; i += thread_count(nwg)) {
    w[i] = w[i] + row_factor[i / p.cols];
  }
}

@compute @workgroup_size({{WG}})
fn add_iid_sas(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
               @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var i = flat_index(wid, lid, nwg); i < p.n; i += thread_count(nwg)) {
    let r = element_words(i);
    w[i] = w[i] + p.scale * stable_sas(p.alpha, r);
  }
}

@compute @workgroup_size({{WG}})
fn add_row_gauss(@builtin(workgroup_id) wid: vec3<u32>,
                 @builtin(local_invocation_id) lid: vec3<u32>,
                 @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var i = flat_index(wid, lid, nwg); i < p.n; i += thread_count(nwg)) {
    let r = element_words(i);
    w[i] = w[i] + row_factor[i / p.cols] * stable_normal(r);
  }
}
