#!/bin/sh
# Fits one model of each family with a fixed seed and writes the CmdStan CSVs and posterior
# predictions into OUT/<model>/, so that two builds can be compared draw for draw:
#
#   scripts/check-family-draws.sh OLD_BINARY /tmp/before
#   scripts/check-family-draws.sh .build/release/multilevel /tmp/after
#   scripts/check-family-draws.sh --compare /tmp/before /tmp/after
#
# The comparison ignores the comment lines that carry timings (CmdStan's "Elapsed Time" block).
set -eu
if [ "$1" = "--compare" ]; then
    status=0
    for dir in "$2"/*/; do
        name=$(basename "$dir")
        for file in "$dir"*.csv "$dir"predict/*.csv; do
            [ -f "$file" ] || continue
            other="$3/$name/${file#"$dir"}"
            if grep -v -i -e "elapsed" -e "seconds" "$file" > /tmp/check-family-draws.a \
               && grep -v -i -e "elapsed" -e "seconds" "$other" > /tmp/check-family-draws.b \
               && cmp -s /tmp/check-family-draws.a /tmp/check-family-draws.b; then
                echo "identical  $name/${file#"$dir"}"
            else
                echo "DIFFERENT  $name/${file#"$dir"}"; status=1
            fi
        done
    done
    exit $status
fi
binary=$1
out=$2
here=$(cd "$(dirname "$0")/.." && pwd)
data=$here/Tests/MultilevelModelsTests/Fixtures
mkdir -p "$out"
fit() {
    name=$1; shift
    "$binary" fit "$@" --seed 20261206 --chains 2 --iter 400 --sampler nuts \
        --output "$out/$name" --predict "$out/$name/predict" --force > "$out/$name.txt" 2>&1
}
fit gaussian --data "$data/sleepstudy.csv" --formula 'Reaction ~ Days + (Days | Subject)' --family gaussian
fit student --data "$data/sleepstudy.csv" --formula 'Reaction ~ Days + (Days | Subject)' --family student
fit lognormal --data "$data/sleepstudy.csv" --formula 'Reaction ~ Days + (Days | Subject)' --family lognormal
fit gamma --data "$data/sleepstudy.csv" --formula 'Reaction ~ Days + (1 | Subject)' --family Gamma
fit bernoulli-fused --data "$data/glmer_crossed.csv" --formula 'success ~ x + (1 | site)' --family bernoulli
fit bernoulli-crossed --data "$data/glmer_crossed.csv" --formula 'success ~ x + (1 | site) + (1 | rater)' --family bernoulli
fit binomial --data "$data/cbpp.csv" --formula 'incidence | trials(size) ~ period + (1 | herd)' --family binomial
fit poisson --data "$data/glmer_crossed.csv" --formula 'count ~ x + (1 | site) + (1 | rater)' --family poisson
fit negbinomial --data "$data/glmer_crossed.csv" --formula 'count ~ x + (1 | site)' --family negbinomial
echo "wrote $out"
