#!/usr/bin/env bash
# MultilevelAVX2 is compiled for AVX2 and FMA; its code must run only after VectorKernels has
# checked the processor. A weak or shared symbol in its object (a generic specialisation the
# compiler did not inline, a type's metadata accessor) could be merged by the linker with the same
# symbol of a module compiled for any x86-64 and then run on a processor without AVX2. This lists
# the symbols the module's objects define and fails on any that is not named in the module (its
# mangled name starts with $s14MultilevelAVX2, which no other module's symbols do, so the linker
# cannot merge it with anything) or Swift's reflection-version marker, and on any call out of the
# passes other than to log.
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
    | awk '$2 != "r" && $2 != "t" && $3 !~ /^\$s14MultilevelAVX2/ && $3 != "__swift_reflection_version"' || true)
if [ -n "$unexpected" ]; then
    echo "check-avx2-module: MultilevelAVX2 defines symbols other code could share:" >&2
    echo "$unexpected" >&2
    exit 1
fi
# Every helper must be inlined into the passes (a call per four rows would undo the point of
# them, and a call into the standard library could land in generic code): the only calls allowed
# are to the C library's log.
calls=$(objdump -dr "${objects[@]}" | awk '/R_X86_64_PLT32/ {print $3}' | sed 's/-0x4$//' | sort -u | grep -v '^log$' || true)
if [ -n "$calls" ]; then
    echo "check-avx2-module: MultilevelAVX2 calls functions other than log (helpers not inlined?):" >&2
    echo "$calls" >&2
    exit 1
fi
echo "check-avx2-module: only the module's own symbols ($(nm --defined-only "${objects[@]}" | awk '$3 ~ /^\$s14MultilevelAVX2/' | wc -l))"
