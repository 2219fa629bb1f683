#!/usr/bin/env bash
# Issue #16, the paper's scale on one GPU, in one device call (~8 minutes at most). From the
# repository root, after `bash bench/bundle.sh --data fashion-mnist` here, with the device tool
# carrying [".gpu-bundle"]:
#
#   bash bench/gpu_figures.sh "$OUT"              # --preset gpu (lib/figures/common/presets.ts)
#   bash bench/gpu_figures.sh "$OUT" --rehearse   # --preset gpu-rehearsal: same path, tiny nets
#   (GPU_FIGURES_REHEARSE=1 does the same as --rehearse; GPU_FIGURES_PRESET names any preset)
#
# Runs fig:width (trains every run of the width sweep), fig:alpha, fig:curves and table:results
# on Fashion-MNIST from the bundle (--data-dir /tmp/htsgd-data), sharing one results store, each
# under its own timeout (a stage that runs out leaves its finished runs in the store: a second
# call with the store carried back resumes them). Writes at most 5 files into OUT: summary.txt
# (adapter, the figures' numbers, timings), store.tar.gz (the results store's run records, enough
# to redraw the figures and for `deno task merge`; the weights stay on the machine),
# figures.tar.gz (SVG/PNG/CSV and report.md), adapter.json, logs.tar.gz.
# Timeouts (s): GPU_FIGURES_T_{WIDTH,ALPHA,CURVES,TABLE} per stage, GPU_FIGURES_DEADLINE for all
# stages together (default 460 s on a GPU: with unpacking and the tars, ~8 minutes).
set -uo pipefail
[ "${1:-}" = "--" ] && shift # deno task passes its -- through
case "${1:-}" in
  -h | --help) sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}"; exit 0 ;;
esac
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
  if [ "$limit" -lt 5 ]; then
    say "== $name: NOT RUN (deadline)"
    status=1
    return
  fi
  t0=$(date +%s)
  echo "== $name (timeout ${limit}s): $*" | tee -a "$summary"
  timeout -k 15 "$limit" bash "$env_sh" "$@" >"$logs/$name.log" 2>&1
  rc=$?
  { [ "$rc" = 124 ] || [ "$rc" = 137 ]; } && verdict="TIMED OUT"
  [ "$rc" != 0 ] && [ "$verdict" = ok ] && verdict="FAILED (exit $rc)"
  [ "$rc" != 0 ] && status=1
  # Each run (its config, then steps, accuracies, mce pruning) and the figure's summary; the
  # evaluations during training stay in the logs.
  sed -n '/^adapter:/,$p' "$logs/$name.log" | grep -vE '^\s*step ' | tail -n 120 >>"$summary"
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

# Pass 1 draws every figure with the first seed; pass 2 adds the others (reusing pass 1's runs
# from the store) while the deadline allows, so a slow GPU still returns complete seed-1 figures.
if [ "$rehearse" = 1 ]; then
  DEADLINE=${GPU_FIGURES_DEADLINE:-1500} T_WIDTH=${GPU_FIGURES_T_WIDTH:-600}
  T_ALPHA=${GPU_FIGURES_T_ALPHA:-300} T_CURVES=${GPU_FIGURES_T_CURVES:-200}
  T_TABLE=${GPU_FIGURES_T_TABLE:-200}
else
  DEADLINE=${GPU_FIGURES_DEADLINE:-460} T_WIDTH=${GPU_FIGURES_T_WIDTH:-200}
  T_ALPHA=${GPU_FIGURES_T_ALPHA:-80} T_CURVES=${GPU_FIGURES_T_CURVES:-40}
  T_TABLE=${GPU_FIGURES_T_TABLE:-40}
fi
if [ ${#seeds[@]} -eq 0 ]; then
  all=$(bash "$env_sh" deno eval "import { presetByName } from './lib/figures/common/presets.ts';
    console.log(presetByName('$preset').seeds.join(','))" 2>>"$logs/env.log")
else
  all=${seeds[1]}
fi
first=${all%%,*}
passes=("$first")
[ "$all" != "$first" ] && passes+=("$all")
left() { echo $((DEADLINE - ($(date +%s) - t_start))); }
cap() { local l; l=$(left); [ "$1" -lt "$l" ] && echo "$1" || echo "$l"; }
pass=0
for s in "${passes[@]}"; do
  pass=$((pass + 1))
  if [ "$pass" -gt 1 ] && [ "$(left)" -lt 90 ]; then
    say "pass $pass (seeds $s): SKIPPED, $(left) s left before the ${DEADLINE}s deadline"
    break
  fi
  say "-- pass $pass: seeds $s ($(left) s left)"
  common=(--preset "$preset" --seeds "$s" --data-dir "$data" --store "$work/store" --out "$work/figures")
  # In pass 2 fig:width gets what the other three do not need.
  tw=$T_WIDTH
  [ "$pass" -gt 1 ] && tw=$(($(left) - T_ALPHA - T_CURVES - T_TABLE / 2))
  [ "$tw" -lt 30 ] && tw=30
  stage "fig-width-$pass" "$(cap "$tw")" deno run -A scripts/fig_width.ts "${common[@]}"
  stage "fig-alpha-$pass" "$(cap "$T_ALPHA")" deno run -A scripts/fig_alpha.ts "${common[@]}"
  stage "fig-curves-$pass" "$(cap "$T_CURVES")" deno run -A scripts/fig_curves.ts "${common[@]}"
  stage "table-results-$pass" "$(cap "$T_TABLE")" deno run -A scripts/table_results.ts "${common[@]}"
done

say "store: $(find "$work/store" -type f | wc -l) files, $(du -sh "$work/store" | cut -f1)"
say "gpu_figures: $([ $status = 0 ] && echo 'every stage passed' || echo 'SOME STAGE FAILED') in $(($(date +%s) - t_start)) s"
# Records only: they hold every number the figures draw (ResultStore.has() looks at record.json),
# while the weights (32 MB a run at n = 10,000) would overrun what comes back from the machine.
(cd "$work/store" && find . -name record.json -print0 | tar --null -T - -czf "$out/store.tar.gz")
tar -C "$work/figures" -czf "$out/figures.tar.gz" .
tar -C "$logs" -czf "$out/logs.tar.gz" .
rm -rf "$work"
exit "$status"
