#!/usr/bin/env bash
# Runs the GPU benchmark on a lent GPU machine from the kit bench/device/pack.sh made (carry .devkit):
#   bash bench/device/run.sh all      # check, webgpu and cpu in turn (stops at once when there is no adapter)
#   bash bench/device/run.sh webgpu   # Deno's WebGPU over Vulkan, real + large panel, with a kernel profile
#   bash bench/device/run.sh cpu      # the CPU default on the same machine: one thread, then one worker per core
#   bash bench/device/run.sh check    # the adapter, then the test suite's WebGPU kernel checks on this GPU (gpu_check.ts)
#   bash bench/device/run.sh adapter  # only: does Deno see a hardware adapter (a few seconds)
#   bash bench/device/run.sh diagnose # the Vulkan drivers the loader sees and what it says (also run when no adapter)
# Logs and one JSON line per timing go to $OUT (the device tool's return folder), else .devkit/out; back here,
# `npx tsx bench/agree.ts --results <that folder>/results.jsonl` says whether the GPU scored the trees as the CPU did.
# Extra arguments after the mode go to the script it runs (e.g. --panel large --population 64); not with all.
set -uo pipefail
cd "$(dirname "$0")/../.."
kit=.devkit
out=${OUT:-$kit/out}
mkdir -p "$out"
mode=${1:-check}
shift || true
ldconfig=$(command -v ldconfig || echo /sbin/ldconfig)
if ! "$ldconfig" -p | grep -q libvulkan.so.1; then
  for f in "$kit"/gl/*.deb; do dpkg -x "$f" /; done
  "$ldconfig"
fi
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f "$icd" ] && export VK_DRIVER_FILES="$icd"
egl=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
[ -f "$egl" ] && export __EGL_VENDOR_LIBRARY_FILENAMES="$egl"
deno=/tmp/deno
if [ ! -x "$deno" ]; then
  if command -v xz >/dev/null; then xz -dc "$kit/deno.xz" >"$deno"
  else python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$kit/deno.xz" "$deno"; fi
  chmod +x "$deno"
fi
(nvidia-smi -L; nproc; "$deno" --version) 2>&1 | tee "$out/machine.txt"
bench() {
  local name=$1
  shift
  "$deno" run -A "$kit/js/gpu_bench.js" --data "$kit/bars_30min.csv.gz" --json "$out/results.jsonl" "$@" 2>&1 | tee "$out/$name.log"
}
probe='const a = await navigator.gpu?.requestAdapter({ powerPreference: "high-performance" }); if (!a) { console.log("no WebGPU adapter"); Deno.exit(1); } const pick = (o) => Object.fromEntries(Object.keys(Object.getOwnPropertyDescriptors(Object.getPrototypeOf(o))).filter((k) => typeof o[k] !== "function").map((k) => [k, o[k]])); console.log(JSON.stringify({ info: pick(a.info), features: [...a.features], limits: pick(a.limits) }))'
adapter() {
  # Vulkan first (the record is for WebGPU over Vulkan); wgpu's other backends (OpenGL ES through EGL, which is
  # how it reaches Mesa's llvmpipe on the CI machine) only when Vulkan has no adapter, and then the logs say so.
  local via
  if DENO_WEBGPU_BACKEND=vulkan "$deno" eval "$probe" >"$out/adapter.txt" 2>&1; then
    export DENO_WEBGPU_BACKEND=vulkan
    via='Vulkan'
  else
    unset DENO_WEBGPU_BACKEND
    "$deno" eval "$probe" >"$out/adapter.txt" 2>&1 || { cat "$out/adapter.txt"; return 1; }
    via='NOT Vulkan (no Vulkan adapter; wgpu chose another backend, likely OpenGL ES)'
  fi
  echo "wgpu backend: $via" >>"$out/adapter.txt"
  cat "$out/adapter.txt"
}
diagnose() {
  # Why Deno found no adapter: which Vulkan drivers the loader can see and what it says while looking.
  {
    echo "--- Vulkan diagnostics"
    for d in /usr/local/nvidia/share/vulkan/icd.d /usr/share/vulkan/icd.d /etc/vulkan/icd.d; do ls -l "$d" 2>&1; done
    "$ldconfig" -p | grep -Ei 'libvulkan|GLX_nvidia|GLdispatch|nvidia-glcore' || echo "ldconfig knows none of libvulkan, libGLX_nvidia, libGLdispatch"
    echo "VK_DRIVER_FILES=${VK_DRIVER_FILES:-unset}"
    VK_LOADER_DEBUG=error,warn,driver "$deno" eval 'const a = await navigator.gpu?.requestAdapter({ powerPreference: "high-performance" }); console.log(a ? "adapter: " + a.info.description : "no adapter")' 2>&1 | tail -60
  } 2>&1 | tee "$out/diagnose.txt"
}
check() {
  adapter || { diagnose; return 1; }
  "$deno" run -A "$kit/js/gpu_check.js" --data "$kit/bars_30min.csv.gz" --json "$out/check.json" "$@" 2>&1 | tee "$out/check.log"
}
cpu() {
  bench cpu1 --backend cpu "$@"
  bench cpuN --backend cpu --workers auto --cpu-population 64 "$@"
}
case "$mode" in
  adapter) adapter || { diagnose; exit 1; } ;;
  diagnose) diagnose ;;
  check) check "$@" ;;
  webgpu) adapter >/dev/null || { diagnose; exit 1; }; bench webgpu --backend webgpu --profile "$@" ;;
  cpu) cpu "$@" ;;
  all)
    # A failed kernel check still leaves the timings worth having (they are recorded only if it passes).
    adapter >/dev/null || { echo "run.sh: no WebGPU adapter (see $out/adapter.txt and diagnose.txt)"; diagnose; exit 1; }
    check; status=$?
    bench webgpu --backend webgpu --profile
    cpu
    exit $status ;;
  *) echo "run.sh: unknown mode '$mode' (all, check, adapter, diagnose, webgpu or cpu)" >&2; exit 2 ;;
esac
