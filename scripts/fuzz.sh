#!/usr/bin/env bash
# Fuzzes spec loading and validation (fuzz/fuzz_targets/spec.rs) for SECONDS (default
# 600), seeded with every example and HCL test spec, and prints libFuzzer's exec count.
# A crash leaves its input in fuzz/artifacts/spec/; add it to tests/fuzz-regressions/.
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

log=target/fuzz-spec.log
set +e
cargo +nightly fuzz run spec fuzz/corpus/spec "$seeds" -- \
  -dict=fuzz/spec.dict -max_total_time="$seconds" -seed="$seed" -timeout=10 -rss_limit_mb=4096 \
  -print_final_stats=1 2>&1 | tee "$log" | grep -E "^(#[0-9]+ +(INITED|DONE|pulse)|==[0-9]+==|thread|SUMMARY|stat::)" 
rc=${PIPESTATUS[0]}
set -e
execs=$(grep -oE "stat::number_of_executed_units: *[0-9]+" "$log" | grep -oE "[0-9]+$" || echo "?")
if [ "$rc" -ne 0 ]; then
  echo "fuzz: crash after $execs runs; input in fuzz/artifacts/spec/ (log: $log)" >&2
  exit 1
fi
echo "fuzz: $execs runs in ${seconds}s, no crash, no timeout"
mkdir -p target/tmp/checks
echo "cargo fuzz (fuzz_targets/spec.rs): $execs spec inputs loaded and validated in ${seconds}s, no panic" \
  > target/tmp/checks/cargo_fuzz.txt
