#!/usr/bin/env bash
# Builds every fuzz target (fuzz/, cargo-fuzz; the stable toolchain does
# without a sanitizer) and runs each for SECONDS (default 10), one after the other, from its seeds
# (fuzz/seeds/<target>, read only) and its working corpus (fuzz/corpus/<target>,
# not committed). Prints per target: executions, executions per second,
# crashes (inputs kept under fuzz/artifacts/<target>/). Exit 1 when any
# target crashed, hung or ran out of memory.
#
#   scripts/fuzz/run.sh [SECONDS] [TARGET...]
#
# Environment: FUZZ_JOBS (build jobs, default 1); FUZZ_SANITIZER (none,
# the default, or address: custody forbids `unsafe`, so the sanitizer would
# only watch the C inside tree-sitter and SQLite; it needs the nightly
# toolchain, RUSTUP_TOOLCHAIN=nightly, and has not been run here yet);
# FUZZ_TIMEOUT (seconds one input may take, default 10); FUZZ_RSS_MB
# (memory limit, default 2048).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-10}
shift || true
sanitizer=${FUZZ_SANITIZER:-none}
timeout=${FUZZ_TIMEOUT:-10}
rss=${FUZZ_RSS_MB:-2048}
if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo fuzz list --fuzz-dir fuzz)
fi
# cargo fuzz has no --locked: check that fuzz/Cargo.lock needs no change first.
cargo metadata --locked --format-version 1 --manifest-path fuzz/Cargo.toml >/dev/null
# Debug assertions on (-a): overflow and other checks turn silent wrong
# answers into crashes the fuzzer can see.
build_start=$(date +%s)
CARGO_BUILD_JOBS=${FUZZ_JOBS:-1} cargo fuzz build --fuzz-dir fuzz -a -s "$sanitizer" >/dev/null 2>fuzz/build.log \
  || { tail -n 40 fuzz/build.log >&2; exit 2; }
echo "build: $(( $(date +%s) - build_start )) s (sanitizer $sanitizer)"
bin=fuzz/target/x86_64-unknown-linux-gnu/release
failed=0
printf '%-24s %12s %10s %8s\n' target executions 'execs/s' crashes
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
  log="fuzz/artifacts/$t/last-run.log"
  before=$(find "fuzz/artifacts/$t" -type f ! -name '*.log' | wc -l)
  rc=0
  "$bin/$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -max_total_time="$seconds" -timeout="$timeout" \
    -rss_limit_mb="$rss" -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$t/" >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  crashes=$(( $(find "fuzz/artifacts/$t" -type f ! -name '*.log' | wc -l) - before ))
  if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ]; then crashes="rc=$rc"; fi
  printf '%-24s %12s %10s %8s\n' "$t" "${execs:-?}" "${rate:-?}" "$crashes"
  if [ "$rc" -ne 0 ] || [ "$crashes" != 0 ]; then
    failed=1
    grep -m 3 -E 'panicked|ERROR: libFuzzer|SUMMARY' "$log" >&2 || true
  fi
done
exit "$failed"
