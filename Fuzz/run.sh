#!/usr/bin/env bash
# Builds the libFuzzer harnesses (CSV reader, formula parser, model-file parser) and runs each for
# SECONDS (default 60) with its seed corpus. Usage: Fuzz/run.sh [seconds] [csv|formula|modelfile ...]
# The harnesses are compiled into one module together with the MultilevelMath and MultilevelData
# sources (their `import MultilevelMath` lines removed), with -sanitize=fuzzer,address.
# Crashes are written to Fuzz/.work/<name>/crash-*; the growing corpus to Fuzz/.work/<name>/corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(csv formula modelfile)
work=Fuzz/.work
mkdir -p "$work/src"
rm -f "$work"/src/*.swift
for f in Sources/MultilevelMath/*.swift Sources/MultilevelData/*.swift; do
    sed '/^import MultilevelMath$/d' "$f" > "$work/src/$(basename "$(dirname "$f")")_$(basename "$f")"
done
harness() {
    case "$1" in
        csv) echo Fuzz/CSVReaderFuzzer.swift ;;
        formula) echo Fuzz/FormulaFuzzer.swift ;;
        modelfile) echo Fuzz/ModelFileFuzzer.swift ;;
        *) echo "unknown fuzz target '$1' (csv, formula, modelfile)" >&2; exit 2 ;;
    esac
}
for target in "${targets[@]}"; do
    source=$(harness "$target")
    mkdir -p "$work/$target/corpus"
    echo "== building $target"
    nice swiftc -O -g -sanitize=fuzzer,address -parse-as-library -module-name "Fuzz_$target" \
        "$work"/src/*.swift "$source" -o "$work/$target/fuzzer"
    echo "== running $target for ${seconds}s"
    (cd "$work/$target" && nice ./fuzzer -max_total_time="$seconds" -max_len=4096 -timeout=10 \
        -rss_limit_mb=4096 -print_final_stats=1 corpus "../../seeds/$target" 2>&1 | tail -n 25) \
        | tee "$work/$target/last-run.txt"
done
