#!/usr/bin/env bash
# Issue #15, first contact with a real GPU, in one device call (~8 minutes at most). From the
# repository root, after `bash bench/bundle.sh` here, with the device tool carrying
# [".gpu-bundle"]:
#
#   bash bench/gpu_check.sh "$OUT"              # the real adapter, the real shapes
#   bash bench/gpu_check.sh "$OUT" --rehearse   # tiny benchmark shapes, same tests (llvmpipe)
#   (GPU_CHECK_REHEARSE=1 does the same as --rehearse)
#
# Stages, each under its own timeout so one hung stage cannot eat the call:
#   info     nvidia-smi, the Vulkan loader, bench/gpu_info.ts: adapter, driver, backend, limits
#   tests    the GPU-vs-reference tests (GEMM variants, NN ops, conv/pool, noise injection,
#            Philox and stable fills, FCN and VGG11 steps, resume = uninterrupted, GPU-only
#            large shapes): `deno test` per file under its own timeout inside the stage's
#            budget, JUnit XML merged into tests.xml, a PASS/FAIL/SKIP line per test
#   bench    scripts/bench.ts: GEMMs at the MNIST step shapes (n = 2000/5000/10000, B = 5000)
#            and 4096³/8192³, the HT-SGD step, the VGG11-wide step at batch 128
#   torch    bench/torch_step.py (PyTorch, CUDA events) at the same shapes
#   compare  scripts/bench.ts compare: ours vs cuBLAS / PyTorch tables
# Writes at most 6 files into OUT: summary.txt (everything worth reading), tests.xml,
# ours.jsonl, torch.jsonl, compare.md, logs.tar.gz (every stage's full log). Exit 0 when every
# stage passed, 1 otherwise (the summary says which). Timeouts (s) can be changed with
# GPU_CHECK_T_{INFO,TESTS,FILE,BENCH,TORCH,COMPARE}; GPU_CHECK_TESTS replaces the test file list.
set -uo pipefail
[ "${1:-}" = "--" ] && shift # deno task passes its -- through
case "${1:-}" in
  -h | --help) sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}"; exit 0 ;;
esac
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=${1:?usage: bash bench/gpu_check.sh OUT_DIR [--rehearse]}
shift
rehearse=${GPU_CHECK_REHEARSE:-0}
for a in "$@"; do
  case "$a" in
    --rehearse) rehearse=1 ;;
    *) echo "gpu_check.sh: unknown argument $a" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
out=$(cd "$out" && pwd)
logs=$(mktemp -d /tmp/htsgd-gpu-check.XXXXXX)
summary=$out/summary.txt
: >"$summary"
say() { echo "$*" | tee -a "$summary"; }
t_start=$(date +%s)
status=0

# stage NAME TIMEOUT CMD...: runs CMD with its output in $logs/NAME.log, records time and result.
stage() {
  local name=$1 limit=$2 t0 rc
  shift 2
  t0=$(date +%s)
  echo "== $name (timeout ${limit}s): $*" | tee -a "$summary"
  timeout -k 15 "$limit" "$@" >"$logs/$name.log" 2>&1
  rc=$?
  local verdict=ok
  [ "$rc" = 124 ] || [ "$rc" = 137 ] && verdict="TIMED OUT"
  [ "$rc" != 0 ] && [ "$verdict" = ok ] && verdict="FAILED (exit $rc)"
  [ "$rc" != 0 ] && status=1
  say "   $name: $verdict in $(($(date +%s) - t0)) s"
  return "$rc"
}

# The GPU-vs-reference test files of tests/gpu/ (llvmpipe on 2 shared cores: ~100 s for all but
# the tail-count tests of noise_stable_tail_test.ts, which take ~2 min more; seconds on a GPU).
tests_default="tests/gpu/gpu_runtime_test.ts tests/gpu/ops_gemm_test.ts tests/gpu/gpu_scale_test.ts
  tests/gpu/ops_nn_test.ts tests/gpu/ops_running_mean_test.ts tests/gpu/ops_conv_test.ts
  tests/gpu/train_fcn_test.ts tests/gpu/train_vgg_test.ts tests/gpu/noise_test.ts tests/gpu/rng_test.ts
  tests/gpu/noise_stable_test.ts tests/gpu/noise_stable_tail_test.ts tests/gpu/gpu_kernel_decl_test.ts"
if [ "$rehearse" = 1 ]; then
  shapes="rehearsal: tiny shapes (bench --quick, torch --device cpu --quick), the same tests"
  bench_args=(--quick)
  torch_args=(--device cpu --quick)
  T_INFO=${GPU_CHECK_T_INFO:-60} T_TESTS=${GPU_CHECK_T_TESTS:-600} T_FILE=${GPU_CHECK_T_FILE:-200}
  T_BENCH=${GPU_CHECK_T_BENCH:-240}
  T_TORCH=${GPU_CHECK_T_TORCH:-120} T_COMPARE=${GPU_CHECK_T_COMPARE:-60}
else
  shapes="real shapes: B 5000, d 784, n 2000/5000/10000, 4096³, 8192³; vgg11_wide at batch 128"
  bench_args=()
  torch_args=()
  T_INFO=${GPU_CHECK_T_INFO:-40} T_TESTS=${GPU_CHECK_T_TESTS:-210} T_FILE=${GPU_CHECK_T_FILE:-90}
  T_BENCH=${GPU_CHECK_T_BENCH:-140}
  T_TORCH=${GPU_CHECK_T_TORCH:-60} T_COMPARE=${GPU_CHECK_T_COMPARE:-15}
fi
# shellcheck disable=SC2206 # a whitespace-separated list of files
tests=(${GPU_CHECK_TESTS:-$tests_default})
say "gpu_check: $(date -u +%FT%TZ) on $(hostname), $shapes"
say "git: $(git rev-parse --short HEAD 2>/dev/null || echo '?') $(git status --porcelain 2>/dev/null | wc -l) changed files"

# Unpack the bundle (loaders, node_modules, Deno); everything below runs through it.
env_sh=bench/gpu_env.sh
if ! bash "$env_sh" >"$logs/env.log" 2>&1; then
  say "bundle: FAILED to unpack:"
  tail -n 20 "$logs/env.log" | tee -a "$summary"
  tar -C "$logs" -czf "$out/logs.tar.gz" .
  exit 1
fi
cat "$logs/env.log" >>"$summary"

# info
{
  command -v nvidia-smi >/dev/null &&
    nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm --format=csv
  ldconfig -p | grep -E 'libvulkan.so.1|libEGL.so.1' || echo "no Vulkan/EGL loader found"
  echo "DENO_WEBGPU_BACKEND=${DENO_WEBGPU_BACKEND:-(unset: wgpu picks)}"
} >"$logs/info-host.log" 2>&1
cat "$logs/info-host.log" >>"$summary"
stage info "$T_INFO" bash "$env_sh" deno run -A bench/gpu_info.ts
# No adapter, or only a software one, through wgpu's default choice: try the GL (EGL) backend.
if [ "$rehearse" != 1 ] && [ -z "${DENO_WEBGPU_BACKEND:-}" ] &&
  { ! grep -q '"isSoftware": false' "$logs/info.log"; }; then
  cp "$logs/info.log" "$logs/info-default.log"
  if DENO_WEBGPU_BACKEND=gl timeout 60 bash "$env_sh" deno run -A bench/gpu_info.ts \
    >"$logs/info.log" 2>&1 && grep -q '"isSoftware": false' "$logs/info.log"; then
    export DENO_WEBGPU_BACKEND=gl
    say "   info: the default backend gave no GPU adapter; DENO_WEBGPU_BACKEND=gl does, using it"
    status=0
  else
    cp "$logs/info-default.log" "$logs/info.log"
  fi
fi
python3 - "$logs/info.log" >>"$summary" 2>/dev/null <<'EOF' || tail -n 5 "$logs/info.log" >>"$summary"
import json, sys
text = open(sys.argv[1]).read()
info = json.loads(text[text.index("{"):])
keys = ["maxStorageBufferBindingSize", "maxBufferSize", "maxComputeWorkgroupStorageSize",
        "maxComputeInvocationsPerWorkgroup", "maxComputeWorkgroupsPerDimension",
        "maxStorageBuffersPerShaderStage"]
print(f"adapter: {info['description'] or info['device']} (vendor {info['vendor']}, "
      f"architecture {info['architecture'] or '-'}, device {info['device']}), "
      f"software {info['isSoftware']}, backend {info['backend']}, deno {info['deno']}")
print("features: " + ", ".join(info["features"]))
print("limits: " + ", ".join(f"{k} {info['deviceLimits'].get(k)}" for k in keys))
EOF
sed -n '/^{/,$p' "$logs/info.log" >"$logs/adapter.json"
if [ "$rehearse" != 1 ] && grep -q '"isSoftware": true' "$logs/adapter.json"; then
  say "ERROR: a software adapter on the GPU machine (NVIDIA's Vulkan/EGL driver was not found):"
  say "  the benchmark falls back to its software scale and the GPU-only tests are ignored"
  status=1
fi

# tests: one `deno test` per file, each under its own timeout, inside the stage's budget, so a
# hung or slow file costs only itself; the JUnit reports are merged into tests.xml.
mkdir -p "$logs/junit"
echo "== tests (budget ${T_TESTS}s, ${T_FILE}s a file): ${tests[*]}" | tee -a "$summary"
t_tests=$(date +%s)
for f in "${tests[@]}"; do
  name=$(basename "$f" .ts)
  left=$((T_TESTS - ($(date +%s) - t_tests)))
  if [ "$left" -lt 10 ]; then
    say "   $name: NOT RUN (the tests' ${T_TESTS}s budget is spent)"
    status=1
    continue
  fi
  limit=$((left < T_FILE ? left : T_FILE))
  t0=$(date +%s)
  timeout -k 10 "$limit" bash "$env_sh" deno test -A --no-check=remote --reporter=dot \
    --junit-path="$logs/junit/$name.xml" "$f" >"$logs/test-$name.log" 2>&1
  rc=$?
  # Mesa's software driver has aborted Deno at exit after every test passed (a teardown race,
  # not a result; .ci/run's rule): a file killed by SIGABRT or SIGSEGV is rerun once, loudly.
  if [ "$rc" = 134 ] || [ "$rc" = 139 ]; then
    say "   $name: killed by signal $((rc - 128)) (log kept as test-$name.crash.log); rerunning it once"
    mv "$logs/test-$name.log" "$logs/test-$name.crash.log"
    left=$((T_TESTS - ($(date +%s) - t_tests)))
    limit=$((left < T_FILE ? left : T_FILE))
    timeout -k 10 "$((limit > 10 ? limit : 10))" bash "$env_sh" deno test -A --no-check=remote \
      --reporter=dot --junit-path="$logs/junit/$name.xml" "$f" >"$logs/test-$name.log" 2>&1
    rc=$?
  fi
  verdict=ok
  { [ "$rc" = 124 ] || [ "$rc" = 137 ]; } && verdict="TIMED OUT after ${limit}s"
  [ "$rc" != 0 ] && [ "$verdict" = ok ] && verdict="FAILED (exit $rc)"
  [ "$rc" != 0 ] && status=1
  say "   $name: $verdict in $(($(date +%s) - t0)) s"
done
python3 - "$out/tests.xml" "$logs"/junit/*.xml >>"$summary" 2>&1 <<'PY' || echo "tests: no JUnit report" >>"$summary"
import sys, xml.etree.ElementTree as ET
merged = ET.Element("testsuites")
counts = {"PASS": 0, "FAIL": 0, "SKIP": 0}
for path in sys.argv[2:]:
    root = ET.parse(path).getroot()
    for suite in root.iter("testsuite"):
        merged.append(suite)
        for case in suite.iter("testcase"):
            verdict = ("FAIL" if case.find("failure") is not None or case.find("error") is not None
                       else "SKIP" if case.find("skipped") is not None else "PASS")
            counts[verdict] += 1
            print(f"  {verdict} {suite.get('name', '').split('/')[-1]}: {case.get('name')} "
                  f"({float(case.get('time') or 0):.1f} s)")
ET.ElementTree(merged).write(sys.argv[1], encoding="utf-8", xml_declaration=True)
print(f"tests: {counts['PASS']} passed, {counts['FAIL']} failed, {counts['SKIP']} skipped "
      f"(ignored on this adapter)")
PY

# bench, torch, compare
stage bench "$T_BENCH" bash -c "bash $env_sh deno run -A scripts/bench.ts ${bench_args[*]} \
  >'$out/ours.jsonl'"
tail -n 2 "$logs/bench.log" >>"$summary"
stage torch "$T_TORCH" env PYTHONUNBUFFERED=1 bash -c \
  "python3 bench/torch_step.py ${torch_args[*]} >'$out/torch.jsonl'"
tail -n 2 "$logs/torch.log" >>"$summary"
stage compare "$T_COMPARE" bash -c "bash $env_sh deno run -A scripts/bench.ts compare \
  '$out/ours.jsonl' '$out/torch.jsonl' >'$out/compare.md'"
cat "$out/compare.md" >>"$summary" 2>/dev/null

say "gpu_check: $([ $status = 0 ] && echo 'every stage passed' || echo 'SOME STAGE FAILED') in $(($(date +%s) - t_start)) s"
tar -C "$logs" -czf "$out/logs.tar.gz" .
rm -rf "$logs"
cat "$summary" >/dev/null
exit "$status"
