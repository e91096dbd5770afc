#!/usr/bin/env bash
# Fuzzes spec loading and validation for SECONDS (default 600), split evenly between two
# targets: fuzz/fuzz_targets/spec.rs (no panic) and fuzz/fuzz_targets/limits.rs (time
# linear in the input, memory under -rss_limit_mb / -malloc_limit_mb), seeded with every
# example and HCL test spec, and prints libFuzzer's exec count for each.
# A crash leaves its input in fuzz/artifacts/TARGET/; add it to tests/fuzz-regressions/.
# Needs the nightly toolchain (rustup) and cargo-fuzz, which it installs when missing.
set -euo pipefail
shopt -s nullglob
cd "$(dirname "$0")/.."
seconds="${1:-600}"
# libFuzzer's seed: random (0) unless KUBEPLAN_FUZZ_SEED fixes it, as scripts/test.sh does.
seed="${KUBEPLAN_FUZZ_SEED:-0}"

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  echo "scripts/fuzz.sh: the nightly toolchain is missing; install it with: rustup toolchain install nightly" >&2
  exit 1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz (cargo install)"
  cargo install cargo-fuzz --locked
fi

seeds=target/fuzz-seeds
rm -rf "$seeds" && mkdir -p "$seeds" fuzz/corpus/spec
for f in examples/*/*.hcl tests/hcl/*.hcl tests/fuzz-regressions/*.hcl; do
  cp "$f" "$seeds/$(echo "$f" | tr / _)"
done

# fuzz TARGET SECONDS FLAGS...: one libFuzzer run; sets $execs.
fuzz() {
  local target=$1 secs=$2 log=target/fuzz-$1.log rc
  shift 2
  mkdir -p "fuzz/corpus/$target"
  set +e
  cargo +nightly fuzz run "$target" "fuzz/corpus/$target" "$seeds" -- \
    -dict=fuzz/spec.dict -max_total_time="$secs" -seed="$seed" -print_final_stats=1 "$@" 2>&1 |
    tee "$log" | grep -E "^(#[0-9]+ +(INITED|DONE|pulse)|==[0-9]+==|thread|SUMMARY|stat::)"
  rc=${PIPESTATUS[0]}
  set -e
  execs=$(grep -oE "stat::number_of_executed_units: *[0-9]+" "$log" | grep -oE "[0-9]+$" || echo "?")
  if [ "$rc" -ne 0 ]; then
    echo "fuzz $target: crash after $execs runs; input in fuzz/artifacts/$target/ (log: $log)" >&2
    exit 1
  fi
  echo "fuzz $target: $execs runs in ${secs}s, no crash, no timeout"
}

half=$(((seconds + 1) / 2))
fuzz spec "$half" -timeout=10 -rss_limit_mb=4096
spec_execs=$execs
# The limits target checks time itself (BASE + PER_BYTE per byte, least of three runs);
# -timeout catches a hang, the memory limits a blow-up.
fuzz limits "$half" -timeout=30 -rss_limit_mb=1024 -malloc_limit_mb=512
mkdir -p target/tmp/checks
{
  echo "cargo fuzz (fuzz_targets/spec.rs): $spec_execs spec inputs loaded and validated in ${half}s, no panic"
  echo "cargo fuzz (fuzz_targets/limits.rs): $execs spec inputs in ${half}s, each in time linear in its size and under 1 GB"
} > target/tmp/checks/cargo_fuzz.txt
