#!/usr/bin/env bash
# Issue #16, the paper's scale on one GPU, in one device call (~8 minutes at most). From the
# repository root, after `bash bench/bundle.sh --data fashion-mnist` here, with the device tool
# carrying [".gpu-bundle"]:
#
#   bash bench/gpu_figures.sh "$OUT"              # --preset gpu (lib/figures/presets.ts)
#   bash bench/gpu_figures.sh "$OUT" --rehearse   # --preset gpu-rehearsal: same path, tiny nets
#   (GPU_FIGURES_REHEARSE=1 does the same as --rehearse; GPU_FIGURES_PRESET names any preset)
#
# Runs fig:width (trains every run of the width sweep), fig:alpha, fig:curves and table:results
# on Fashion-MNIST from the bundle (--data-dir /tmp/htsgd-data), sharing one results store, each
# under its own timeout (a stage that runs out leaves its finished runs in the store: a second
# call with the store carried back resumes them). Writes at most 5 files into OUT: summary.txt
# (adapter, the figures' numbers, timings), store.tar.gz (the results store, for `deno task
# merge`), figures.tar.gz (SVG/PNG/CSV and report.md), adapter.json, logs.tar.gz.
# Timeouts (s): GPU_FIGURES_T_{WIDTH,ALPHA,CURVES,TABLE}.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=${1:?usage: bash bench/gpu_figures.sh OUT_DIR [--rehearse] [--seeds LIST]}
shift
rehearse=${GPU_FIGURES_REHEARSE:-0}
seeds=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rehearse) rehearse=1; shift ;;
    --seeds) seeds=(--seeds "${2:?--seeds needs a list}"); shift 2 ;;
    *) echo "gpu_figures.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [ "$rehearse" = 1 ]; then preset=${GPU_FIGURES_PRESET:-gpu-rehearsal}; else preset=${GPU_FIGURES_PRESET:-gpu}; fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d /tmp/htsgd-gpu-figures.XXXXXX)
logs=$work/logs
mkdir -p "$logs" "$work/store" "$work/figures"
# A store carried back from an earlier call (results-gpu/ in the tree) is resumed, not redone.
[ -d results-gpu ] && cp -a results-gpu/. "$work/store/"
summary=$out/summary.txt
: >"$summary"
say() { echo "$*" | tee -a "$summary"; }
t_start=$(date +%s)
status=0
env_sh=bench/gpu_env.sh

stage() {
  local name=$1 limit=$2 t0 rc verdict=ok
  shift 2
  t0=$(date +%s)
  echo "== $name (timeout ${limit}s): $*" | tee -a "$summary"
  timeout -k 15 "$limit" bash "$env_sh" "$@" >"$logs/$name.log" 2>&1
  rc=$?
  { [ "$rc" = 124 ] || [ "$rc" = 137 ]; } && verdict="TIMED OUT"
  [ "$rc" != 0 ] && [ "$verdict" = ok ] && verdict="FAILED (exit $rc)"
  [ "$rc" != 0 ] && status=1
  # The figure's own summary: everything after its "adapter:" line but the per-run progress.
  sed -n '/^adapter:/,$p' "$logs/$name.log" | grep -vE '^\s*(step|eval|run) ' | tail -n 40 >>"$summary"
  say "   $name: $verdict in $(($(date +%s) - t0)) s"
}

say "gpu_figures: $(date -u +%FT%TZ) on $(hostname), preset $preset ${seeds[*]}"
say "git: $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
if ! bash "$env_sh" >"$logs/env.log" 2>&1; then
  say "bundle: FAILED to unpack"
  tail -n 20 "$logs/env.log" | tee -a "$summary"
  tar -C "$logs" -czf "$out/logs.tar.gz" .
  exit 1
fi
data=/tmp/htsgd-data
[ -f "$data/fashion-mnist/train-images-idx3-ubyte" ] || {
  say "no Fashion-MNIST in the bundle (bash bench/bundle.sh --data fashion-mnist)"
  exit 1
}
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee -a "$summary"
timeout 60 bash "$env_sh" deno run -A bench/gpu_info.ts >"$out/adapter.json" 2>"$logs/info.log"
grep -E '"(description|backend|isSoftware)"' "$out/adapter.json" | tr -d '\n' | tee -a "$summary"
echo | tee -a "$summary"

if [ "$rehearse" = 1 ]; then
  T_WIDTH=${GPU_FIGURES_T_WIDTH:-900} T_ALPHA=${GPU_FIGURES_T_ALPHA:-600}
  T_CURVES=${GPU_FIGURES_T_CURVES:-300} T_TABLE=${GPU_FIGURES_T_TABLE:-300}
else
  T_WIDTH=${GPU_FIGURES_T_WIDTH:-330} T_ALPHA=${GPU_FIGURES_T_ALPHA:-90}
  T_CURVES=${GPU_FIGURES_T_CURVES:-40} T_TABLE=${GPU_FIGURES_T_TABLE:-40}
fi
common=(--preset "$preset" "${seeds[@]}" --data-dir "$data" --store "$work/store" --out "$work/figures")
stage fig-width "$T_WIDTH" deno run -A scripts/fig_width.ts "${common[@]}"
stage fig-alpha "$T_ALPHA" deno run -A scripts/fig_alpha.ts "${common[@]}"
stage fig-curves "$T_CURVES" deno run -A scripts/fig_curves.ts "${common[@]}"
stage table-results "$T_TABLE" deno run -A scripts/table_results.ts "${common[@]}"

say "store: $(find "$work/store" -type f | wc -l) files, $(du -sh "$work/store" | cut -f1)"
say "gpu_figures: $([ $status = 0 ] && echo 'every stage passed' || echo 'SOME STAGE FAILED') in $(($(date +%s) - t_start)) s"
tar -C "$work/store" -czf "$out/store.tar.gz" .
tar -C "$work/figures" -czf "$out/figures.tar.gz" .
tar -C "$logs" -czf "$out/logs.tar.gz" .
rm -rf "$work"
exit "$status"
