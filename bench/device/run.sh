#!/usr/bin/env bash
# Runs the GPU benchmark on a lent GPU machine from the kit bench/device/pack.sh made (carry .devkit):
#   bash bench/device/run.sh all      # check, webgpu and cpu in turn (stops at once when there is no adapter)
#   bash bench/device/run.sh webgpu   # Deno's WebGPU over Vulkan, real + large panel, with a kernel profile
#   bash bench/device/run.sh cpu      # the CPU default on the same machine: one thread, then one worker per core
#   bash bench/device/run.sh check    # the adapter, then the test suite's WebGPU kernel checks on this GPU (gpu_check.ts)
#   bash bench/device/run.sh adapter  # only: does Deno see a hardware adapter (a few seconds)
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
adapter() {
  "$deno" eval 'const a = await navigator.gpu?.requestAdapter({ powerPreference: "high-performance" }); if (!a) { console.log("no WebGPU adapter"); Deno.exit(1); } const pick = (o) => Object.fromEntries(Object.keys(Object.getOwnPropertyDescriptors(Object.getPrototypeOf(o))).filter((k) => typeof o[k] !== "function").map((k) => [k, o[k]])); console.log(JSON.stringify({ info: pick(a.info), features: [...a.features], limits: pick(a.limits) }))' 2>&1 | tee "$out/adapter.txt"
}
check() {
  adapter || return 1
  "$deno" run -A "$kit/js/gpu_check.js" --data "$kit/bars_30min.csv.gz" --json "$out/check.json" "$@" 2>&1 | tee "$out/check.log"
}
cpu() {
  bench cpu1 --backend cpu "$@"
  bench cpuN --backend cpu --workers auto --cpu-population 64 "$@"
}
case "$mode" in
  adapter) adapter ;;
  check) check "$@" ;;
  webgpu) bench webgpu --backend webgpu --profile "$@" ;;
  cpu) cpu "$@" ;;
  all)
    # A failed kernel check still leaves the timings worth having (they are recorded only if it passes).
    adapter >/dev/null || { echo "run.sh: no WebGPU adapter (see $out/adapter.txt)"; exit 1; }
    check; status=$?
    bench webgpu --backend webgpu --profile
    cpu
    exit $status ;;
  *) echo "run.sh: unknown mode '$mode' (all, check, adapter, webgpu or cpu)" >&2; exit 2 ;;
esac
