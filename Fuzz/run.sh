#!/usr/bin/env bash
# Builds the libFuzzer harnesses (CSV reader, formula parser, model-file parser, diagnose's draws
# readers) and runs each for SECONDS (default 60) with its seed corpus.
# Usage: Fuzz/run.sh [seconds] [csv|formula|modelfile|diagnose ...]
# The harnesses are compiled into one module together with the MultilevelAVX2, MultilevelMath,
# MultilevelData and MultilevelSampling sources (their imports of one another removed), with
# -sanitize=fuzzer,address, as one module named MultilevelSampling (a qualified MultilevelSampling.median
# in SplitRhat.swift needs that name) (and -mavx2 -mfma for the AVX2 kernels, called only on processors that
# have them).
# Crashes are written to Fuzz/.work/<name>/crash-*; the growing corpus to Fuzz/.work/<name>/corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(csv formula modelfile diagnose)
work=Fuzz/.work
mkdir -p "$work/src"
rm -f "$work"/src/*.swift
for f in Sources/MultilevelAVX2/*.swift Sources/MultilevelMath/*.swift Sources/MultilevelData/*.swift \
         Sources/MultilevelSampling/*.swift Sources/MultilevelSampling/*/*.swift; do
    sed -e '/^import MultilevelAVX2$/d' -e '/^import MultilevelMath$/d' -e '/^import MultilevelData$/d' "$f" \
        > "$work/src/$(echo "${f#Sources/}" | tr / _)"
done
harness() {
    case "$1" in
        csv) echo Fuzz/CSVReaderFuzzer.swift ;;
        formula) echo Fuzz/FormulaFuzzer.swift ;;
        modelfile) echo Fuzz/ModelFileFuzzer.swift ;;
        diagnose) echo Fuzz/DiagnoseCSVFuzzer.swift ;;
        *) echo "unknown fuzz target '$1' (csv, formula, modelfile, diagnose)" >&2; exit 2 ;;
    esac
}
for target in "${targets[@]}"; do
    source=$(harness "$target")
    mkdir -p "$work/$target/corpus"
    rm -f "$work/$target/fuzzer"
    echo "== building $target"
    nice swiftc -O -g -sanitize=fuzzer,address -parse-as-library -module-name MultilevelSampling -Xcc -mavx2 -Xcc -mfma \
        "$work"/src/*.swift "$source" -o "$work/$target/fuzzer" 2>&1 | grep -v "Cannot export local symbol" || true
    [ -x "$work/$target/fuzzer" ] || { echo "build of $target failed" >&2; exit 1; }
done
status=0
for target in "${targets[@]}"; do
    echo "== running $target for ${seconds}s"
    # libFuzzer exits non-zero on a crash, leaving crash-* (the input) next to the corpus.
    # detect_leaks=0 for ASan too (not only libFuzzer's -detect_leaks): at exit LeakSanitizer
    # reports the harness's lazily built global table (168 bytes, once per process) as a leak and
    # turns a clean run into a "crash" with an empty input.
    (cd "$work/$target" && ASAN_OPTIONS=detect_leaks=0 nice ./fuzzer -max_total_time="$seconds" -max_len=4096 -timeout=10 \
        -rss_limit_mb=4096 -print_final_stats=1 -print_funcs=0 -detect_leaks=0 corpus "../../seeds/$target" > last-run.txt 2>&1) || status=1
    grep -E "^(stat::|Done|==[0-9]+==|SUMMARY|artifact_prefix|Test unit written)|ERROR|Fatal error" \
        "$work/$target/last-run.txt" | grep -v "INFO" || true
    ls "$work/$target"/crash-* "$work/$target"/timeout-* "$work/$target"/oom-* 2>/dev/null || true
done
exit $status
