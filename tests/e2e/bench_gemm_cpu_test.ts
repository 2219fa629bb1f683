/**
 * `bench gemm-cpu --quick`: our GEMMs next to NumPy's and PyTorch's on the CPU (issue #23). Needs
 * python3 with numpy and torch; ignored without them.
 */
import assert from "node:assert/strict";
import { formatGemmCpuComparison, previousSoftwareVariant } from "../../lib/bench/gemm_cpu.ts";

const hasTorch = await new Deno.Command("python3", {
  args: ["-c", "import numpy, torch"],
  stdout: "null",
  stderr: "null",
}).output().then((o) => o.success).catch(() => false);

Deno.test({
  name: "bench gemm-cpu --quick prints one row per shape with NumPy and torch columns",
  ignore: !hasTorch,
  async fn() {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "scripts/bench.ts", "gemm-cpu", "--quick", "--repeats", "1"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    const rows = text.split("\n").filter((l) => /^\| (hidden|output|square)/.test(l));
    assert.equal(rows.length, 6, text); // five products of width 16, one square
    for (const row of rows) {
      const cells = row.split("|").map((c) => c.trim());
      assert.match(cells[6], /^\d+\.\d\d$/, `NumPy column of ${row}`);
      assert.match(cells[7], /^\d+\.\d\d$/, `torch column of ${row}`);
      assert.match(cells[8], /^\d+%$/, `ratio column of ${row}`);
    }
  },
});

Deno.test("gemm-cpu table: ratios as % of NumPy and torch, dashes where a side is missing", () => {
  const shape = { role: "square" as const, mode: "nn" as const, m: 4, n: 4, k: 4 };
  const text = formatGemmCpuComparison({
    ours: "cpu",
    rows: [{ shape, chosen: "reg", previous: "t32", ours: 15, oursPrevious: 5, numpy: 50 }],
  });
  assert.match(
    text,
    /\| square \| nn \| 4×4×4 \| reg 15\.00 \| t32 5\.00 \| 50\.00 \| — \| 30% \| — \| 10% \|/,
  );
  assert.equal(previousSoftwareVariant(1024, 1024, 1024), "t128x64");
  assert.equal(previousSoftwareVariant(500, 10, 1024), "naive");
});
