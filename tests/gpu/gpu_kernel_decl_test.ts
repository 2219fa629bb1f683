/**
 * Kernel declarations on a real adapter: every declared entry point builds from its generated
 * header and binds exactly the buffers its declaration names (automatic layouts reject any
 * other set), and Batch.dispatch / Gpu.kernel refuse what does not match a declaration before
 * recording anything.
 */
import assert from "node:assert/strict";
import type { KernelDecl } from "../../lib/gpu/kernel_decl.ts";
import * as declarations from "../../lib/gpu/kernels.ts";
import { NN_ELEMENTWISE, NN_MASK_ROWS } from "../../lib/gpu/kernels.ts";
import { Gpu, type Tensor } from "../../lib/gpu/runtime.ts";
import type { Defines } from "../../lib/gpu/shader.ts";
import { tiledGemmDefines } from "../../lib/ops/gemm_codegen.ts";
import { regGemmDefines } from "../../lib/ops/gemm_reg_codegen.ts";

/** Defines that build one variant of each kernel. */
function definesFor(decl: KernelDecl): Defines {
  if (decl.file === "gemm_tiled") {
    return tiledGemmDefines({ bm: 32, bn: 32, bk: 8, tm: 4 }, "nn", false, false, false);
  }
  if (decl.file === "gemm_reg") {
    return regGemmDefines({ rm: 4, rn: 4, wx: 8, wy: 4 }, "nn", false, false);
  }
  if (decl.file === "gemm_naive") {
    return { WG_X: 8, WG_Y: 8, A_INDEX: "row * p.k + kk", B_INDEX: "kk * p.n + col" };
  }
  return { WG: 64 };
}

Deno.test("every declared entry point builds and binds the buffers its declaration names", async () => {
  const gpu = await Gpu.shared();
  const batch = gpu.batch();
  const made: Tensor[] = [];
  const decls: readonly KernelDecl[] = Object.values(declarations);
  for (const decl of decls) {
    for (const [entry, used] of Object.entries(decl.entries)) {
      const kernel = gpu.kernel(decl, definesFor(decl), entry);
      await gpu.ready(kernel);
      const buffers = Object.fromEntries(used.map((name) => {
        const dtype = decl.buffers[name].dtype;
        const t = gpu.tensor([4], dtype === "any" ? "u32" : dtype);
        made.push(t);
        return [name, t];
      }));
      // All parameters 0: every kernel guards its writes by a count, so nothing is written.
      const params = Object.fromEntries(Object.keys(decl.params).map((name) => [name, 0]));
      batch.dispatch(kernel, buffers, [1, 1, 1], params);
    }
  }
  batch.submit();
  await gpu.sync(); // surfaces any bind group that does not match a pipeline's layout
  assert.ok(made.length > decls.length);
  for (const t of made) t.destroy();
});

Deno.test("Gpu.kernel and Batch.dispatch refuse what the declaration does not allow", async () => {
  const gpu = await Gpu.shared();
  const x = gpu.tensor([8]);
  const mask = gpu.tensor([8], "u32");
  const batch = gpu.batch();
  const sgd = gpu.kernel(NN_ELEMENTWISE, { WG: 64 }, "sgd_step");
  const relu = gpu.kernel(NN_ELEMENTWISE, { WG: 64 }, "relu");
  const masking = gpu.kernel(NN_MASK_ROWS, { WG: 64 });
  const throwsMessage = (fn: () => unknown, re: RegExp) =>
    assert.throws(fn, (e: Error) => {
      assert.match(e.message, re);
      return true;
    });
  throwsMessage(
    () => gpu.kernel(NN_ELEMENTWISE, { WG: 64 }, "gelu" as "relu"),
    /^kernel nn_elementwise: no entry point "gelu" \(declared: relu, relu_backward, sgd_step, running_mean\)$/,
  );
  throwsMessage(
    () => batch.dispatch(sgd, { x, y: x }, 1, { count: 8, lr: 0.1, momentum: 0 } as never),
    /^kernel nn_elementwise\.sgd_step: unknown param "momentum"/,
  );
  throwsMessage(
    () => batch.dispatch(sgd, { x }, 1, { count: 8, lr: 0.1 }),
    /^kernel nn_elementwise\.sgd_step: missing buffer "y"$/,
  );
  throwsMessage(
    () => batch.dispatch(relu, { x, y: x }, 1, { count: 8, lr: 0 }),
    /^kernel nn_elementwise\.relu: buffer "y" is not bound by this entry \(it binds x\)$/,
  );
  throwsMessage(
    () => batch.dispatch(relu, { x }, 1, { count: -8, lr: 0 }),
    /^kernel nn_elementwise\.relu: param "count" is u32, got -8/,
  );
  throwsMessage(
    () => batch.dispatch(masking, { w: x, mask: x }, 1, { count: 8, cols: 1 }),
    /^kernel nn_mask_rows: buffer "mask" must be u32, got a f32 tensor$/,
  );
  // Checked even when the grid is empty and nothing would run.
  throwsMessage(
    () => batch.dispatch(masking, { w: mask, mask }, 0, { count: 0, cols: 1 }),
    /^kernel nn_mask_rows: buffer "w" must be f32, got a u32 tensor$/,
  );
  assert.equal(batch.length, 0);
  x.destroy();
  mask.destroy();
});
