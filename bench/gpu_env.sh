#!/usr/bin/env bash
# Runs a command with the bundle of bench/bundle.sh unpacked, on a machine without network (the
# GPU machine) or anywhere else: `bash bench/gpu_env.sh deno task test`. Idempotent; from the
# repository root (it cd's there). What it does, each step only when needed:
#   - the Vulkan/EGL loaders: on a machine with NVIDIA's driver (nvidia-smi or /usr/local/nvidia;
#     or GPU_ENV_LOADERS=1) whose `ldconfig -p` lists no libvulkan.so.1, dpkg -x the carried .deb
#     files into / and run ldconfig (the device notes' recipe);
#   - NVIDIA's Vulkan ICD and EGL vendor files under /usr/local/nvidia when no ICD is installed;
#   - node_modules/: unpacked from the bundle when the tree has none (a dangling link is
#     replaced), with the Deno binary at node_modules/deno/deno so `deno task …` works unchanged;
#   - data: each .gpu-bundle/data/NAME/*.xz decompressed to /tmp/htsgd-data/NAME/ (plain IDX;
#     HTSGD_BUNDLE_DATA is set to /tmp/htsgd-data for --data-dir).
# `deno` on PATH is the pinned binary; DENO_DIR is a fresh folder under /tmp.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
b=.gpu-bundle
# xz -dc, or Python's lzma where the machine has no xz.
unxz() {
  if command -v xz >/dev/null; then xz -dc "$1"; else
    python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer)' "$1"
  fi
}
[ -f "$b/deno.xz" ] || { echo "gpu_env.sh: no $b/deno.xz (run bash bench/bundle.sh)" >&2; exit 1; }

# Only where an NVIDIA driver is (or GPU_ENV_LOADERS=1): a development machine's own Mesa set-up
# is left alone.
nvidia=0
{ command -v nvidia-smi >/dev/null || [ -d /usr/local/nvidia ] || [ "${GPU_ENV_LOADERS:-0}" = 1 ]; } &&
  nvidia=1
if [ "$nvidia" = 1 ] && ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1 '; then
  if [ "$(id -u)" = 0 ] && ls "$b"/deb/*.deb >/dev/null 2>&1; then
    for f in "$b"/deb/*.deb; do dpkg -x "$f" /; done
    ldconfig
    echo "gpu_env: unpacked $(ls "$b"/deb/*.deb | wc -l) loader packages" >&2
  else
    echo "gpu_env: warning: no libvulkan.so.1 and no loader packages to unpack" >&2
  fi
fi
nv=/usr/local/nvidia/share
if [ -f "$nv/vulkan/icd.d/nvidia_icd.json" ] &&
  ! ls /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json >/dev/null 2>&1; then
  export VK_DRIVER_FILES=$nv/vulkan/icd.d/nvidia_icd.json
fi
if [ -f "$nv/glvnd/egl_vendor.d/10_nvidia.json" ] &&
  ! ls /usr/share/glvnd/egl_vendor.d/*.json >/dev/null 2>&1; then
  export __EGL_VENDOR_LIBRARY_FILENAMES=$nv/glvnd/egl_vendor.d/10_nvidia.json
fi
[ -d /usr/local/nvidia/lib64 ] &&
  export LD_LIBRARY_PATH="/usr/local/nvidia/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

if ! [ -x node_modules/deno/deno ] || ! node_modules/deno/deno --version >/dev/null 2>&1; then
  [ -L node_modules ] && rm -f node_modules
  mkdir -p node_modules/deno
  unxz "$b/node_modules.tar.xz" | tar -C node_modules -xf -
  unxz "$b/deno.xz" >node_modules/deno/deno.tmp
  chmod +x node_modules/deno/deno.tmp && mv node_modules/deno/deno.tmp node_modules/deno/deno
  echo "gpu_env: unpacked node_modules and $(node_modules/deno/deno --version | head -1)" >&2
fi
for d in "$b"/data/*/; do
  [ -d "$d" ] || continue
  name=$(basename "$d")
  mkdir -p "/tmp/htsgd-data/$name"
  for f in "$d"*.xz; do
    t=/tmp/htsgd-data/$name/$(basename "$f" .xz)
    [ -f "$t" ] || { unxz "$f" >"$t.tmp" && mv "$t.tmp" "$t"; }
  done
  export HTSGD_BUNDLE_DATA=/tmp/htsgd-data
done

mkdir -p /tmp/htsgd-bin
ln -sf "$PWD/node_modules/deno/deno" /tmp/htsgd-bin/deno
export PATH="/tmp/htsgd-bin:$PATH"
export DENO_DIR=${DENO_DIR:-/tmp/htsgd-deno-dir}
export DENO_NO_UPDATE_CHECK=1
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
[ $# -gt 0 ] || exit 0
exec "$@"
