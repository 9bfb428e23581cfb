#!/usr/bin/env bash
# Packs .devkit/: everything a lent GPU machine needs to run bench/gpu_bench.ts and bench/device/gpu_check.ts,
# for a machine that has no Node, no npm and no network (the `device` machines of this workplace). The two
# scripts and the CPU scoring worker are bundled by esbuild into plain ES modules that Deno runs without
# node_modules; Deno itself travels xz-packed (the carry limit is 64 MiB and the binary is 95 MB); the real
# 30-minute panel and the Vulkan loader .debs travel beside them. Run here once, then carry .devkit to the
# device and run bench/device/run.sh there.
set -euo pipefail
cd "$(dirname "$0")/../.."
kit=.devkit
mkdir -p "$kit/gl"
rm -rf "$kit/js"
# Annotations are ignored because the backends register themselves by import side effects, which the
# packages' sideEffects lists would otherwise let esbuild drop. Node platform: under Deno tfjs takes its Node
# paths (it sees process.versions.node), whose require() calls of Node built-ins the banner serves.
node_modules/.bin/esbuild bench/gpu_bench.ts bench/device/gpu_check.ts src/eval/eval_worker.ts --bundle --format=esm --platform=node \
  --splitting --ignore-annotations --outdir="$kit/js" --entry-names='[name]' --chunk-names='chunk-[hash]' --log-level=warning \
  --banner:js="import { createRequire as __afRequire } from 'node:module'; const require = __afRequire(import.meta.url);"
if [ ! -s "$kit/deno.xz" ]; then
  xz -T0 -6 -c node_modules/@deno/linux-x64-glibc/deno >"$kit/deno.xz.part" && mv "$kit/deno.xz.part" "$kit/deno.xz"
fi
data=../shared/data/ashare_15min_sse/bars_30min.csv.gz
if [ -f "$data" ]; then cp "$data" "$kit/bars_30min.csv.gz"; else echo "real data not found at $data: the device run will time the large synthetic panel only"; fi
if ! ls "$kit"/gl/*.deb >/dev/null 2>&1; then
  # The loaders the device README names; the NVIDIA driver and its Vulkan ICD are on the machine already.
  lists=/tmp/devkit-apt
  mkdir -p "$lists/partial"
  o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists="$lists")
  apt-get "${o[@]}" update -qq
  (cd "$kit/gl" && apt-get "${o[@]}" download -qq libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
fi
du -sh "$kit"
