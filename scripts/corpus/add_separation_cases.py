#!/usr/bin/env python3
"""Adds (or refreshes) the cases of issue 23's second round in the bad-input corpus manifest, with
their data files: separation by a combination of columns, responses that over- or underflow in
fit and lmer, an identifier column used as a population-level factor. Run from the repository
root; idempotent."""
import json, os

root = "Tests/MultilevelCLITests/Fixtures/corpus"
path = root + "/manifest.json"
manifest = json.load(open(path))
short = ["--iter", "20", "--warmup", "10", "--chains", "1", "--seed", "1"]

# y = 1 exactly when x1 + x2 > 3 on the grid {0..4}^2: neither column alone separates.
combination = "y,x1,x2,g\n" + "".join("%d,%d,%d,g%d\n" % (1 if a + b > 3 else 0, a, b, (a + b) % 3)
                                      for a in range(5) for b in range(5))
# binomial: all successes above the line x1 + x2 = 3, all failures below, a mix on it.
binomial = "k,n,x1,x2,g\n" + "".join("%d,5,%d,%d,g%d\n" % (5 if a + b > 3 else (2 if a + b == 3 else 0), a, b, (a + b) % 3)
                                     for a in range(5) for b in range(5))
# poisson: level c has only zero counts.
counts = {"a": [3, 0, 2, 5], "b": [1, 4, 0, 2], "c": [0, 0, 0, 0]}
poisson = "y,f,g\n" + "".join("%d,%s,g%d\n" % (y, f, k % 2) for f in "abc" for k, y in enumerate(counts[f]))

cases = [
    ({"name": "fit-separation-combination-flat-prior",
      "args": ["fit", "--data", "sep2.csv", "--formula", "y ~ x1 + x2 + (1 | g)", "--family", "bernoulli"] + short + ["--output", "out"],
      "stderr": "complete separation: a linear combination of 'x1' and 'x2' with the intercept separates the outcomes; b_x1, b_x2 are identified only by their priors, and the priors of b_x1, b_x2 are flat",
      "exit": 1, "output": "out"}, {"sep2.csv": combination}),
    ({"name": "fit-separation-combination-proper-prior",
      "args": ["fit", "--data", "sep2.csv", "--formula", "y ~ x1 + x2 + (1 | g)", "--family", "bernoulli", "--prior", "b ~ normal(0, 2.5)"] + short,
      "stderr": "Warning: complete separation: a linear combination of 'x1' and 'x2'",
      "exit": 0}, {"sep2.csv": combination}),
    ({"name": "fit-separation-combination-one-flat",
      "args": ["fit", "--data", "sep2.csv", "--formula", "y ~ x1 + x2 + (1 | g)", "--family", "bernoulli", "--prior", "b:x1 ~ normal(0, 2.5)"] + short,
      "stderr": "the prior of b_x2 is flat, so the posterior is improper; give b_x2 a proper prior",
      "exit": 1}, {"sep2.csv": combination}),
    ({"name": "fit-separation-binomial-quasi-complete",
      "args": ["fit", "--data", "bin.csv", "--formula", "k | trials(n) ~ x1 + x2 + (1 | g)", "--family", "binomial"] + short,
      "stderr": "quasi-complete separation: a linear combination of 'x1' and 'x2' with the intercept separates the outcomes",
      "exit": 1}, {"bin.csv": binomial}),
    ({"name": "fit-separation-poisson-zero-level",
      "args": ["fit", "--data", "zero.csv", "--formula", "y ~ f + (1 | g)", "--family", "poisson"] + short,
      "stderr": "separation: 'fc' sets apart rows whose counts are all 0 (the maximum-likelihood rate there is 0); b_fc is identified only by its prior, and its prior is flat",
      "exit": 1}, {"zero.csv": poisson}),
]
import math
rows = [(10 + i % 5 + 2 * math.sin(i) + i % 6, i % 5, i % 6) for i in range(30)]
def scaled(factor):
    return "y,x,g\n" + "".join("%r,%d,g%d\n" % (y * factor, x, g) for y, x, g in rows)
# 12,000 rows with a distinct id each: y ~ id would need 12,000 x 12,000 design values (> 2^27).
ids = "y,id,g\n" + "".join("%d,i%05d,g%d\n" % (i % 7, i, i % 5) for i in range(12000))
cases += [
    ({"name": "lmer-response-overflow", "args": ["lmer", "--data", "huge.csv", "--formula", "y ~ x + (1 | g)"],
      "stderr": "overflows double precision; rescale it", "exit": 1}, {"huge.csv": scaled(1e299)}),
    ({"name": "fit-response-overflow", "args": ["fit", "--data", "huge.csv", "--formula", "y ~ x + (1 | g)"] + short,
      "stderr": "overflows double precision; rescale it", "exit": 1}, {"huge.csv": scaled(1e299)}),
    ({"name": "fit-response-underflow", "args": ["fit", "--data", "tiny.csv", "--formula", "y ~ x + (1 | g)"] + short,
      "stderr": "underflow double precision; rescale it", "exit": 1}, {"tiny.csv": scaled(1e-300)}),
    ({"name": "formula-id-column-as-factor", "args": ["lmer", "--data", "ids.csv", "--formula", "y ~ id + (1 | g)"],
      "stderr": "term 'id' alone gives", "exit": 1}, {"ids.csv": ids}),
]
names = {case["name"] for case, _ in cases}
manifest["cases"] = [c for c in manifest["cases"] if c["name"] not in names] + [case for case, _ in cases]
for case, files in cases:
    os.makedirs(root + "/" + case["name"], exist_ok=True)
    for name, text in files.items():
        open(root + "/" + case["name"] + "/" + name, "w").write(text)
open(path, "w").write(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
