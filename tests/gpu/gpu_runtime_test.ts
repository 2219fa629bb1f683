import assert from "node:assert/strict";
import { Gpu } from "../../lib/gpu/runtime.ts";

const root = new URL("../..", import.meta.url).pathname;

Deno.test("no adapter: a script exits 1 naming how to get one, and writes nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = `${dir}/samples.f32`;
    // A backend that does not exist on Linux makes requestAdapter() return null.
    const res = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "scripts/noise.ts",
        "--type",
        "II",
        "--alpha",
        "1.5",
        "--n",
        "16",
        "--seed",
        "1",
        "--out",
        out,
      ],
      cwd: root,
      env: { DENO_WEBGPU_BACKEND: "metal" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(res.stderr);
    assert.equal(res.code, 1, stderr);
    assert.match(stderr, /No WebGPU adapter found/);
    assert.match(stderr, /apt-get install libegl1 libgl1-mesa-dri mesa-vulkan-drivers/);
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a buffer over the storage binding limit fails with the limit and what to do", async () => {
  const gpu = await Gpu.shared();
  const max = gpu.limits.maxStorageBufferBindingSize;
  assert.throws(
    () => gpu.tensor([max / 4 + 1], "f32", "too big"),
    (e: Error) =>
      e.message.includes(
        `too big: buffer of ${
          max + 4
        } bytes exceeds this adapter's storage binding limit of ${max} bytes`,
      ) &&
      /use a smaller width\/batch or a GPU with a larger limit/.test(e.message),
  );
  const ok = gpu.tensor([1024], "f32", "small"); // the limit check does not refuse normal sizes
  ok.destroy();
});

Deno.test("a zero-size tensor is a clear error and an empty write a no-op, never a panic", async () => {
  // In a subprocess: Deno panicked (queue.rs, Option::unwrap on None) on an empty writeBuffer,
  // which would take the test runner down with it (issue 24, item 3).
  const code = `
    import { Gpu } from ${
    JSON.stringify(new URL("../../lib/gpu/runtime.ts", import.meta.url).href)
  };
    const gpu = await Gpu.shared();
    const t = gpu.tensor([4], "u32", "batch index");
    t.write(new Uint32Array(0));
    console.log(JSON.stringify([...await t.readU32()]));
    try {
      gpu.upload(new Float32Array(0), [0, 140], "data x");
    } catch (e) {
      console.log(e.message);
    }`;
  const res = await new Deno.Command(Deno.execPath(), {
    args: ["eval", code],
    cwd: root,
    env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(res.stdout);
  const stderr = new TextDecoder().decode(res.stderr);
  assert.equal(res.code, 0, stderr);
  assert.doesNotMatch(stderr, /panicked/);
  assert.deepEqual(stdout.trim().split("\n"), [
    "[0,0,0,0]",
    "data x: shape [0,140] has no elements (an empty data split or batch?)",
  ]);
});
