#!/usr/bin/env bash
# Issue #8 on the GPU machine: our benchmark (WGSL through the bundled Deno), then PyTorch's,
# then the comparison tables (bench/gpu_check.sh does this and the GPU tests too). Run from the
# repository root on the GPU machine, after
#   bash bench/bundle.sh                        (here, on the development machine)
# with the device tool carrying [".gpu-bundle"]:
#   bash bench/gpu.sh "$OUT"                    (all of it; see bench/README.md)
#   bash bench/gpu.sh "$OUT" --only gemm        (extra flags go to scripts/bench.ts)
# TORCH_ARGS adds flags for bench/torch_step.py (e.g. "--only gemm"; "--device cpu --quick"
# for a smoke test without a GPU). Writes ours.jsonl, torch.jsonl, their logs and compare.md
# into the given folder and prints the comparison.
set -euo pipefail
out=${1:?usage: bash bench/gpu.sh OUT_DIR [flags for scripts/bench.ts]}
shift
mkdir -p "$out"
if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm --format=csv,noheader || true
fi
echo "== ours: deno run -A scripts/bench.ts $*"
if ! bash bench/gpu_env.sh deno run -A scripts/bench.ts "$@" >"$out/ours.jsonl" 2>"$out/ours.log"; then
  tail -n 30 "$out/ours.log"
  exit 1
fi
head -n 1 "$out/ours.log"
tail -n 1 "$out/ours.log"
echo "== torch: python3 bench/torch_step.py ${TORCH_ARGS:-}"
# shellcheck disable=SC2086 # TORCH_ARGS is a list of flags
if ! PYTHONUNBUFFERED=1 python3 bench/torch_step.py ${TORCH_ARGS:-} >"$out/torch.jsonl" 2>"$out/torch.log"; then
  tail -n 30 "$out/torch.log"
  exit 1
fi
tail -n 1 "$out/torch.log"
echo "== compare"
bash bench/gpu_env.sh deno run -A scripts/bench.ts compare "$out/ours.jsonl" "$out/torch.jsonl" |
  tee "$out/compare.md"
