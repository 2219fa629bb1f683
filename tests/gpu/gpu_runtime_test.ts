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
