// Element-wise updates in place: ReLU, its backward pass, the SGD step, the running mean. Each
// thread takes elements i, i + threads, … (a grid-stride loop): one per thread on a full grid,
// more where lib/ops/nn.ts caps the workgroups (CPU adapters).
#include "grid_index.wgsl"

// p (Params) and the buffers: NN_ELEMENTWISE in lib/gpu/kernels.ts.

// x = x > 0 ? x : 0 (NaN and −0 become +0, as in lib/reference/ops.ts).
@compute @workgroup_size({{WG}})
fn relu(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var i = flat_index(wid, lid, nwg); i < p.count; i += thread_count(nwg)) {
    let v = x[i];
    x[i] = select(0.0, v, v > 0.0);
  }
}

// x = grad, y = post-ReLU activation: grad = act > 0 ? grad : 0.
@compute @workgroup_size({{WG}})
fn relu_backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
                 @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var i = flat_index(wid, lid, nwg); i < p.count; i += thread_count(nwg)) {
    x[i] = select(0.0, x[i], y[i] > 0.0);
  }
}

// x = w, y = g: w = w − lr·g.
@compute @workgroup_size({{WG}})
fn sgd_step(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
            @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var i = flat_index(wid, lid, nwg); i < p.count; i += thread_count(nwg)) {
    x[i] = x[i] - p.lr * y[i];
  }
}

// x = running mean, y = new iterate, p.lr = 1/n: x = x + (y − x)/n (n = 1 copies y).
@compute @workgroup_size({{WG}})
fn running_mean(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
                @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var i = flat_index(wid, lid, nwg); i < p.count; i += thread_count(nwg)) {
    x[i] = select(x[i] + (y[i] - x[i]) * p.lr, y[i], p.lr == 1.0);
  }
}
