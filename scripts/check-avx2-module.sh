#!/usr/bin/env bash
# MultilevelAVX2 is compiled for AVX2 and FMA; its code must run only after VectorKernels has
# checked the processor. A weak or shared symbol in its object (a generic specialisation the
# compiler did not inline, a type's metadata accessor) could be merged by the linker with the same
# symbol of a module compiled for any x86-64 and then run on a processor without AVX2. This lists
# the symbols the module's objects define and fails on any that is not one of its own public
# functions (strong, `T`, named in the module) or Swift's reflection-version marker.
# Usage: scripts/check-avx2-module.sh [build directory, default .build/release]
set -euo pipefail
[ "$(uname -m)" = x86_64 ] || exit 0   # compiled with the AVX2 flags on x86-64 only
cd "$(dirname "$0")/.."
directory="${1:-.build/release}/MultilevelAVX2.build"
shopt -s nullglob
objects=("$directory"/*.o)
if [ ${#objects[@]} -eq 0 ]; then
    echo "check-avx2-module: no objects in $directory (build first)" >&2
    exit 1
fi
unexpected=$(nm --defined-only "${objects[@]}" | grep -v '^$' | grep -v ':$' \
    | awk '$2 != "r" && $2 != "t" && !($2 == "T" && $3 ~ /^\$s14MultilevelAVX2/) && $3 != "__swift_reflection_version"' || true)
if [ -n "$unexpected" ]; then
    echo "check-avx2-module: MultilevelAVX2 defines symbols other code could share:" >&2
    echo "$unexpected" >&2
    exit 1
fi
echo "check-avx2-module: only the module's own functions ($(nm --defined-only "${objects[@]}" | awk '$2 == "T"' | wc -l))"
