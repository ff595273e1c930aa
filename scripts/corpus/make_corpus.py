import os, json, shutil, random
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../") + "Tests/MultilevelCLITests/Fixtures/corpus"
shutil.rmtree(root, ignore_errors=True)
os.makedirs(root + "/shared")
shutil.copy(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../") + "Tests/MultilevelCLITests/Fixtures/sleepstudy.csv", root + "/shared/sleepstudy.csv")
rows = [(2.35,0,'a',5,1,0,0),(3.1,1,'a',5,2,1,1),(2.8,2,'a',5,3,0,2),(4.0,3,'a',5,4,1,3),
        (1.2,0,'b',6,0,0,1),(2.6,1,'b',6,2,1,2),(3.3,2,'b',6,5,1,4),(3.9,3,'b',6,6,1,6),
        (0.7,0,'c',4,1,0,0),(1.9,1,'c',4,1,0,1),(2.2,2,'c',4,3,1,3),(3.5,3,'c',4,4,1,5)]
with open(root + "/shared/d.csv", "w") as f:
    f.write("y,x,g,n,k,b,cnt\n")
    for r in rows: f.write(",".join(str(v) for v in r) + "\n")
cases = []
def case(name, args, stderr, exit=None, files=None, output=None, mkdir=None, generate=None):
    c = {"name": name, "args": args, "stderr": stderr}
    if exit is not None: c["exit"] = exit
    if output: c["output"] = output
    if mkdir: c["mkdir"] = mkdir
    if generate: c["generate"] = generate
    if files:
        os.makedirs(f"{root}/{name}")
        for fn, content in files.items():
            os.makedirs(os.path.dirname(f"{root}/{name}/{fn}"), exist_ok=True)
            mode = "wb" if isinstance(content, bytes) else "w"
            with open(f"{root}/{name}/{fn}", mode) as f: f.write(content)
    cases.append(c)
F = ["--formula"]
def lmer(data, formula="y ~ x + (1 | g)"): return ["lmer", "--data", data, "--formula", formula]
FIT = ["--iter", "20", "--warmup", "10", "--chains", "1", "--seed", "1"]
def fit(data, formula, *extra): return ["fit", "--data", data, "--formula", formula] + FIT + list(extra)
SS = "Reaction ~ Days + (Days | Subject)"
random.seed(7)
garbage = bytes(random.randrange(256) for _ in range(3000))
# ---- CSV
case("csv-binary-garbage", lmer("bad.csv"), "bad.csv", 1, files={"bad.csv": garbage})
case("csv-nul-bytes", lmer("bad.csv"), "bad.csv", 1, files={"bad.csv": b"y,x,g\n1,2\x00,a\n"})
case("csv-utf16le", lmer("bad.csv"), "UTF-16", 1, files={"bad.csv": "y,x,g\n1,2,a\n2,3,b\n".encode("utf-16")})
case("csv-utf16be", lmer("bad.csv"), "UTF-16", 1, files={"bad.csv": b"\xfe\xff" + "y,x,g\n1,2,a\n".encode("utf-16-be")})
case("csv-unterminated-quote", lmer("bad.csv"), "bad.csv:3", 1, files={"bad.csv": 'y,x,g\n1,2,a\n2,3,"b\n3,4,c\n'})
case("csv-ragged-long-row", lmer("bad.csv"), "bad.csv:3", 1, files={"bad.csv": "y,x,g\n1,2,a\n2,3,b,9\n3,4,c\n"})
case("csv-ragged-short-row", lmer("bad.csv"), "bad.csv:4", 1, files={"bad.csv": "y,x,g\n1,2,a\n2,3,b\n3,4\n"})
case("csv-text-after-closing-quote", lmer("bad.csv"), "bad.csv:3", 1, files={"bad.csv": 'y,x,g\n1,2,a\n2,3,"b"c\n3,1,c\n'})
case("csv-two-megabyte-field", lmer("big.csv"), "big.csv:4", 1,
     generate=[{"file": "big.csv", "parts": ["y,x,g\n1,2,a\n", {"repeat": "z", "count": 2*1024*1024}, ",3,b\n2,4,c\n"]}])
case("csv-two-megabyte-header", lmer("big.csv", "y ~ xx + (1 | g)"), "xx", 1,
     generate=[{"file": "big.csv", "parts": ["y,x,g,", {"repeat": "h", "count": 2*1024*1024}, "\n1,2,a,4\n"]}])
case("csv-duplicate-column", lmer("bad.csv"), "duplicate", 1, files={"bad.csv": "y,x,g,x\n1,2,a,3\n2,3,b,4\n"})
case("csv-inf-response", lmer("bad.csv"), "bad.csv:3", 1, files={"bad.csv": "y,x,g\n1,2,a\nInf,3,b\n2,4,c\n1,1,a\n"})
case("csv-nan-cells-dropped", lmer("bad.csv"), "dropped 2 rows with missing values in y, x", 0,
     files={"bad.csv": "y,x,g\n1,2,a\n2,3,b\n2,4,c\nNaN,1,c\n1,NaN,c\n3,1,a\n2.5,2,b\n1.5,3,c\n2,2,a\n3.5,5,b\n"})
case("csv-nan-response-everywhere", lmer("bad.csv"), "no rows left", 1, files={"bad.csv": "y,x,g\nNaN,2,a\nNaN,3,b\nNaN,1,c\n"})
case("csv-single-group", lmer("bad.csv"), "g", 1, files={"bad.csv": "y,x,g\n1,2,a\n2,3,a\n3,1,a\n4,5,a\n"})
case("csv-constant-response", lmer("bad.csv"), "response 'y' is constant", 1, files={"bad.csv": "y,x,g\n5,2,a\n5,3,a\n5,1,b\n5,5,b\n5,2,c\n5,1,c\n"})
case("csv-constant-response-fit", fit("bad.csv", "y ~ x + (1 | g)"), "constant", 1,
     files={"bad.csv": "y,x,g\n5,2,a\n5,3,a\n5,1,b\n5,5,b\n5,2,c\n5,1,c\n"})
case("csv-empty-file", lmer("bad.csv"), "bad.csv", 1, files={"bad.csv": ""})
case("csv-header-only", lmer("bad.csv"), "bad.csv", 1, files={"bad.csv": "y,x,g\n"})
case("csv-missing-file", lmer("nothere.csv"), "nothere.csv", 1)
case("csv-data-is-directory", lmer("adir"), "directory", 1, mkdir=["adir"])
case("csv-all-rows-missing", lmer("bad.csv"), "no rows", 1, files={"bad.csv": "y,x,g\nNA,2,a\n1,NA,b\n2,3,\n"})
case("csv-unknown-column", lmer("d.csv", "y ~ xx + (1 | g)"), "xx", 1)
case("csv-factor-response-gaussian", lmer("bad.csv"), "response 'y' is a factor", 1, files={"bad.csv": "y,x,g\nlow,2,a\nhigh,3,b\nlow,1,c\nhigh,4,a\n"})
case("csv-empty-header-name", lmer("bad.csv"), "unknown variable 'x'", 1, files={"bad.csv": "y,,g\n1,2,a\n2,3,b\n"})
# ---- formulas
case("formula-empty", ["lmer", "--data", "d.csv", "--formula", ""], "--formula", None)
case("formula-blank", ["lmer", "--data", "d.csv", "--formula", "   "], "formula", None)
case("formula-no-tilde", lmer("d.csv", "y x"), "column", 1)
case("formula-no-response", lmer("d.csv", "~ x + (1 | g)"), "column 1", 1)
def R(s, n): return {"repeat": s, "count": n}
case("formula-deep-nesting", ["lmer", "--data", "d.csv", "--formula", ["y ~ ", R("(", 50000), "x", R(")", 50000)]], "column", 1)
case("formula-deep-nesting-unbalanced", ["lmer", "--data", "d.csv", "--formula", ["y ~ ", R("(", 100000)]], "column", 1)
case("formula-deep-unary", ["lmer", "--data", "d.csv", "--formula", ["y ~ ", R("-", 100000), "x"]], "column", 1)
case("formula-deep-power", ["lmer", "--data", "d.csv", "--formula", ["y ~ I(x", R("^x", 30000), ") + (1 | g)"]], "column", 1)
case("formula-deep-nesting-model-file", ["lmer", "m.model"], "m.model:2", 1,
     generate=[{"file": "m.model", "parts": ["data: d.csv\nformula: y ~ ", R("(", 1000000), "x", R(")", 1000000), " + (1 | g)\n"]}])
case("formula-deep-random-term", ["lmer", "--data", "d.csv", "--formula", ["y ~ x + ", R("(", 30000), "1 | g", R(")", 30000)]], "column", 1)
case("formula-unknown-function", lmer("d.csv", "y ~ foo(x) + (1 | g)"), "column 5", 1)
case("formula-bare-bar", lmer("d.csv", "y ~ x + 1 | g"), "column", 1)
case("formula-response-in-random-term", lmer("d.csv", "y ~ x + (y | g)"), "column", 1)
case("formula-unicode-unknown-name", lmer("d.csv", "ÿ ~ x + (1 | g)"), "ÿ", 1)
case("formula-unicode-column-position", lmer("d.csv", "y ~ é + (1 | g"), "opened at column 9", 1)
case("formula-emoji", lmer("d.csv", "y ~ 👍 + (1 | g)"), "column", 1)
case("formula-unbalanced-paren", lmer("d.csv", "y ~ x + (1 | g"), "column", 1)
case("formula-trailing-plus", lmer("d.csv", "y ~ x +"), "column", 1)
case("formula-double-tilde", lmer("d.csv", "y ~ x ~ g"), "column", 1)
case("formula-empty-random-term", lmer("d.csv", "y ~ x + ( | g)"), "column", 1)
case("formula-unknown-grouping", lmer("d.csv", "y ~ x + (1 | gg)"), "gg", 1)
case("formula-log-of-negative", lmer("bad.csv", "y ~ log(x) + (1 | g)"), "bad.csv:3", 1,
     files={"bad.csv": "y,x,g\n1,2,a\n2,-3,b\n3,1,c\n4,2,a\n2,2,b\n1,3,c\n"})
case("formula-no-random-terms-lmer", lmer("d.csv", "y ~ x"), "random", 1)
# ---- model files
case("model-unknown-key", ["lmer", "m.model"], "m.model:3", 1,
     files={"m.model": "data: d.csv\nformula: y ~ x + (1 | g)\nfamliy: gaussian\n"})
case("model-duplicate-key", ["lmer", "m.model"], "m.model:3", 1,
     files={"m.model": "data: d.csv\nformula: y ~ x + (1 | g)\nformula: y ~ 1 + (1 | g)\n"})
case("model-missing-data", ["lmer", "m.model"], "m.model:1", 1,
     files={"m.model": "data: nothere.csv\nformula: y ~ x + (1 | g)\n"})
case("model-data-directory", ["lmer", "m.model"], "m.model:1", 1, mkdir=["adir"],
     files={"m.model": "data: adir\nformula: y ~ x + (1 | g)\n"})
case("model-line-without-colon", ["lmer", "m.model"], "m.model:2", 1,
     files={"m.model": "data: d.csv\nformula y ~ x + (1 | g)\n"})
case("model-empty-value", ["lmer", "m.model"], "m.model:2", 1, files={"m.model": "data: d.csv\nformula:\n"})
case("model-file-missing", ["lmer", "nothere.model"], "nothere.model", 1)
case("model-file-is-directory", ["lmer", "adir"], "adir", 1, mkdir=["adir"])
case("model-binary", ["lmer", "m.model"], "m.model", 1, files={"m.model": garbage})
case("model-utf16", ["lmer", "m.model"], "m.model", 1, files={"m.model": "data: d.csv\nformula: y ~ x + (1 | g)\n".encode("utf-16")})
case("model-bad-chains", ["fit", "m.model"], "m.model:3", 1,
     files={"m.model": "data: d.csv\nformula: y ~ x + (1 | g)\nchains: four\n"})
case("model-warmup-not-below-iter", ["fit", "m.model"], "m.model:4", 1,
     files={"m.model": "data: d.csv\nformula: y ~ x + (1 | g)\niter: 20\nwarmup: 20\n"})
case("model-no-formula", ["lmer", "m.model"], "formula", 1, files={"m.model": "data: d.csv\n"})
case("model-no-data", ["lmer", "m.model"], "data", 1, files={"m.model": "formula: y ~ x + (1 | g)\n"})
case("model-formula-error-names-line", ["lmer", "m.model"], "m.model:3", 1,
     files={"m.model": "# comment\ndata: d.csv\nformula: y ~ x + (1 | g\n"})
case("model-two-positional", ["lmer", "a.model", "b.model"], "MODEL", 2)
case("model-no-model-at-all", ["lmer"], "no model", 2)
# ---- priors
case("prior-unknown-distribution", fit("d.csv", "y ~ x + (1 | g)", "--prior", "b ~ normaal(0, 1)"), "normaal", 1)
case("prior-negative-scale", fit("d.csv", "y ~ x + (1 | g)", "--prior", "b ~ normal(0, -1)"), "--prior", 1)
case("prior-zero-scale", fit("d.csv", "y ~ x + (1 | g)", "--prior", "sigma ~ student_t(3, 0, 0)"), "--prior", 1)
case("prior-unknown-coefficient", fit("d.csv", "y ~ x + (1 | g)", "--prior", "b:z ~ normal(0, 1)"), "z", 1)
case("prior-unknown-group", fit("d.csv", "y ~ x + (1 | g)", "--prior", "sd:h ~ normal(0, 1)"), "h", 1)
case("prior-unknown-class", fit("d.csv", "y ~ x + (1 | g)", "--prior", "beta ~ normal(0, 1)"), "beta", 1)
case("prior-no-tilde", fit("d.csv", "y ~ x + (1 | g)", "--prior", "b normal(0, 1)"), "--prior", 1)
case("prior-wrong-argument-count", fit("d.csv", "y ~ x + (1 | g)", "--prior", "b ~ normal(0)"), "normal", 1)
case("prior-lkj-negative", fit("d.csv", "y ~ x + (x | g)", "--prior", "cor ~ lkj(-1)"), "lkj", 1)
case("prior-class-not-in-family", fit("d.csv", "cnt ~ x + (1 | g)", "--family", "poisson", "--prior", "sigma ~ exponential(1)"), "sigma", 1)
case("prior-in-model-file", ["fit", "m.model"] + FIT, "m.model:3", 1,
     files={"m.model": "data: d.csv\nformula: y ~ x + (1 | g)\nprior: b ~ normal(0, -5)\n"})
case("prior-non-numeric-argument", fit("d.csv", "y ~ x + (1 | g)", "--prior", "b ~ normal(0, ten)"), "ten", 1)
# ---- sampler settings
case("sampler-zero-chains", fit("d.csv", "y ~ x + (1 | g)", "--chains", "0"), "--chains", 2)
case("sampler-warmup-equals-iter", ["fit", "--data", "d.csv", "--formula", "y ~ x + (1 | g)", "--iter", "20", "--warmup", "20", "--seed", "1"], "warmup", 2)
case("sampler-warmup-above-iter", ["fit", "--data", "d.csv", "--formula", "y ~ x + (1 | g)", "--iter", "20", "--warmup", "50", "--seed", "1"], "warmup", 2)
case("sampler-adapt-delta-one", fit("d.csv", "y ~ x + (1 | g)", "--adapt-delta", "1"), "--adapt-delta", 2)
case("sampler-adapt-delta-text", fit("d.csv", "y ~ x + (1 | g)", "--adapt-delta", "high"), "--adapt-delta", 2)
case("sampler-seed-text", ["fit", "--data", "d.csv", "--formula", "y ~ x + (1 | g)", "--iter", "20", "--warmup", "10", "--seed", "abc"], "--seed", 2)
case("sampler-seed-negative", ["fit", "--data", "d.csv", "--formula", "y ~ x + (1 | g)", "--iter", "20", "--warmup", "10", "--seed", "-3"], "--seed", 2)
case("sampler-unknown-option", fit("d.csv", "y ~ x + (1 | g)", "--chians", "2"), "--chians", 2)
case("sampler-iter-zero", ["fit", "--data", "d.csv", "--formula", "y ~ x + (1 | g)", "--iter", "0"], "--iter", 2)
case("sampler-iter-float", ["fit", "--data", "d.csv", "--formula", "y ~ x + (1 | g)", "--iter", "1e3"], "--iter", 2)
case("sampler-max-treedepth-zero", fit("d.csv", "y ~ x + (1 | g)", "--max-treedepth", "0"), "--max-treedepth", 2)
case("sampler-init-negative", fit("d.csv", "y ~ x + (1 | g)", "--init", "-1"), "--init", 2)
case("sampler-unknown-sampler", fit("d.csv", "y ~ x + (1 | g)", "--sampler", "hmc"), "hmc", 2)
case("sampler-option-without-value", ["fit", "--data", "d.csv", "--formula", "y ~ x + (1 | g)", "--iter"], "--iter", 2)
case("sampler-chain-id-zero", fit("d.csv", "y ~ x + (1 | g)", "--chain-id", "0"), "--chain-id", 2)
case("output-exists-without-force", fit("d.csv", "y ~ x + (1 | g)", "--output", "out"), "--force", 2, output="out", mkdir=["out"])
case("output-is-a-file", fit("d.csv", "y ~ x + (1 | g)", "--output", "d.csv"), "--output", 2)
case("output-on-bad-family", fit("d.csv", "y ~ x + (1 | g)", "--family", "poisson", "--output", "out"), "line 2", 1, output="out")
# ---- family mismatches
case("family-binomial-continuous", fit("d.csv", "y | trials(n) ~ x + (1 | g)", "--family", "binomial"), "line 2", 1)
case("family-binomial-no-trials", fit("d.csv", "k ~ x + (1 | g)", "--family", "binomial"), "trials", 1)
case("family-binomial-successes-exceed-trials", fit("bad.csv", "k | trials(n) ~ x + (1 | g)", "--family", "binomial"), "line 4", 1,
     files={"bad.csv": "k,n,x,g\n1,3,0,a\n2,3,1,b\n4,3,2,c\n0,3,1,a\n"})
case("family-poisson-negative", fit("bad.csv", "cnt ~ x + (1 | g)", "--family", "poisson"), "line 3", 1,
     files={"bad.csv": "cnt,x,g\n1,0,a\n-2,1,b\n4,2,c\n0,1,a\n"})
case("family-poisson-fraction", fit("d.csv", "y ~ x + (1 | g)", "--family", "poisson"), "line 2", 1)
case("family-negbinomial-negative", fit("bad.csv", "cnt ~ x + (1 | g)", "--family", "negbinomial"), "line 5", 1,
     files={"bad.csv": "cnt,x,g\n1,0,a\n2,1,b\n4,2,c\n-1,1,a\n"})
case("family-bernoulli-three-levels", fit("bad.csv", "r ~ x + (1 | g)", "--family", "bernoulli"), "bad.csv:4", 1,
     files={"bad.csv": "r,x,g\nyes,0,a\nno,1,b\nmaybe,2,c\nno,1,a\n"})
case("family-bernoulli-numeric-two", fit("bad.csv", "r ~ x + (1 | g)", "--family", "bernoulli"), "line 3", 1,
     files={"bad.csv": "r,x,g\n0,0,a\n2,1,b\n1,2,c\n0,1,a\n"})
case("family-gamma-zero", fit("bad.csv", "y ~ x + (1 | g)", "--family", "Gamma"), "line 3", 1,
     files={"bad.csv": "y,x,g\n1.5,0,a\n0,1,b\n2.2,2,c\n0.4,1,a\n"})
case("family-lognormal-negative", fit("bad.csv", "y ~ x + (1 | g)", "--family", "lognormal"), "line 2", 1,
     files={"bad.csv": "y,x,g\n-1.5,0,a\n1,1,b\n2.2,2,c\n0.4,1,a\n"})
case("family-unknown", fit("d.csv", "y ~ x + (1 | g)", "--family", "gausian"), "gausian", 1)
case("family-lmer-nongaussian", ["lmer", "--data", "d.csv", "--formula", "cnt ~ x + (1 | g)", "--family", "poisson"], "poisson", None)
case("family-gaussian-fit-on-factor", fit("bad.csv", "y ~ x + (1 | g)"), "response 'y' is a factor", 1,
     files={"bad.csv": "y,x,g\nlow,2,a\nhigh,3,b\nlow,1,c\nhigh,4,a\n"})
case("family-poisson-on-factor", fit("bad.csv", "y ~ x + (1 | g)", "--family", "poisson"), "family poisson needs numbers", 1,
     files={"bad.csv": "y,x,g\nlow,2,a\nhigh,3,b\nlow,1,c\nhigh,4,a\n"})
case("lmer-complete-pooling-factor-response", ["lmer", "--data", "bad.csv", "--formula", "y ~ x + (1 | g)", "--pooling", "complete"], "response 'y' is a factor", 1,
     files={"bad.csv": "y,x,g\nlow,2,a\nhigh,3,b\nlow,1,c\nhigh,4,a\n"})
case("csv-minus-inf-predictor", lmer("bad.csv"), "bad.csv:4", 1, files={"bad.csv": "y,x,g\n1,2,a\n2,3,b\n3,-Inf,c\n1,1,c\n2,2,a\n"})
case("family-trials-with-gaussian-lmer", lmer("d.csv", "k | trials(n) ~ x + (1 | g)"), "only family binomial uses", 1)
case("family-trials-with-gaussian-fit", fit("d.csv", "k | trials(n) ~ x + (1 | g)"), "only family binomial uses", 1)
case("family-cbind-with-poisson", fit("d.csv", "cbind(k, n) ~ x + (1 | g)", "--family", "poisson"), "family poisson would ignore them", 1)
case("family-bernoulli-separation-warns", fit("sep.csv", "y ~ x + (1 | g)", "--family", "bernoulli", "--prior", "b ~ normal(0, 5)"), "complete separation: 'x'", 0,
     files={"sep.csv": "y,x,g\n" + "".join("%d,%d,g%d\n" % (1 if i >= 8 else 0, i, i % 4) for i in range(16))})
case("prior-cor-without-correlations", fit("d.csv", "y ~ x + (1 | g)", "--prior", "cor:g ~ lkj(2)"), "no correlated", 1)
case("prior-sd-on-missing-coefficient", fit("d.csv", "y ~ x + (1 | g)", "--prior", "sd:g:x ~ normal(0, 1)"), "coefficient 'x'", 1)
case("prior-two-statements-one-bad", fit("d.csv", "y ~ x + (1 | g)", "--prior", "b ~ normal(0, 1); sd ~ foo(1)"), "column 17", 1)
case("lmer-unknown-confint", ["lmer", "--data", "d.csv", "--formula", "y ~ x + (1 | g)", "--confint", "bogus"], "--confint", 2)
case("bootstrap-unknown-type", ["bootstrap", "--data", "d.csv", "--formula", "y ~ x + (1 | g)", "--type", "bogus"], "--type", 2)
case("formula-factor-of-unknown-column", lmer("d.csv", "y ~ factor(zz) + (1 | g)"), "column 12", 1)
case("sampler-iter-beyond-memory", ["fit", "--data", "d.csv", "--formula", "y ~ x + (1 | g)", "--iter", "1000000000", "--warmup", "10", "--chains", "1", "--seed", "1"], "--iter 1000000000", 2)
case("sampler-iter-overflowing-int", ["fit", "--data", "d.csv", "--formula", "y ~ x + (1 | g)", "--iter", "99999999999999999999", "--seed", "1"], "--iter", 2)
case("bootstrap-replicates-beyond-memory", ["bootstrap", "--data", "d.csv", "--formula", "y ~ x + (1 | g)", "--replicates", "1000000000", "--seed", "1"], "--replicates 1000000000", 2)
# ---- diagnose
case("diagnose-garbage", ["diagnose", "bad.csv"], "bad.csv", 1, files={"bad.csv": garbage})
case("diagnose-missing-file", ["diagnose", "nothere.csv"], "nothere.csv", 1)
case("diagnose-empty-file", ["diagnose", "bad.csv"], "bad.csv", 1, files={"bad.csv": ""})
case("diagnose-directory", ["diagnose", "adir"], "adir", 1, mkdir=["adir"])
case("diagnose-header-only", ["diagnose", "bad.csv"], "bad.csv", 1, files={"bad.csv": "lp__,accept_stat__,mu\n"})
case("diagnose-ragged-rows", ["diagnose", "bad.csv"], "bad.csv:3", 1, files={"bad.csv": "lp__,mu\n-1,0.5\n-2\n-1.5,0.2\n"})
case("diagnose-non-numeric-draw", ["diagnose", "bad.csv"], "bad.csv:3", 1, files={"bad.csv": "lp__,mu\n-1,0.5\n-2,abc\n-1.5,0.2\n"})
case("diagnose-different-columns", ["diagnose", "a.csv", "b.csv"], "b.csv", 1,
     files={"a.csv": "lp__,mu\n-1,0.5\n-2,0.4\n-1.5,0.2\n", "b.csv": "lp__,nu\n-1,0.5\n-2,0.4\n-1.5,0.2\n"})
case("diagnose-no-files", ["diagnose"], "CSV", 2)
case("diagnose-utf16", ["diagnose", "bad.csv"], "bad.csv", 1, files={"bad.csv": "lp__,mu\n-1,0.5\n".encode("utf-16")})
case("diagnose-unknown-variable", ["diagnose", "a.csv", "--variables", "nu"], "nu", 2,
     files={"a.csv": "lp__,mu\n-1,0.5\n-2,0.4\n-1.5,0.2\n-1.1,0.3\n"})
# ---- other commands
case("bootstrap-zero-replicates", ["bootstrap", "--data", "d.csv", "--formula", "y ~ x + (1 | g)", "--replicates", "0", "--seed", "1"], "--replicates", 2)
case("bootstrap-fraction-out-of-range", ["bootstrap", "--data", "d.csv", "--formula", "y ~ x + (1 | g)", "--type", "row", "--fraction", "1.5", "--seed", "1"], "--fraction", 2)
case("lmer-unknown-pooling", ["lmer", "--data", "d.csv", "--formula", "y ~ x + (1 | g)", "--pooling", "some"], "--pooling", 2)
case("describe-garbage", ["describe", "--data", "bad.csv", "--formula", "y ~ x"], "bad.csv", 1, files={"bad.csv": garbage})
# ---- tests and intervals (issue 16)
case("anova-one-model", ["anova", "--data", "sleepstudy.csv", "--formula", "Reaction ~ Days + (1 | Subject)"], "anova compares two or more models; got 1", 2)
case("lmer-ddf-unknown", ["lmer", "--data", "sleepstudy.csv", "--formula", "Reaction ~ Days + (1 | Subject)", "--ddf", "kr"], "--ddf must be satterthwaite, kenward-roger or none, not 'kr'", 2)
case("lmer-anova-type-4", ["lmer", "--data", "sleepstudy.csv", "--formula", "Reaction ~ Days + (1 | Subject)", "--anova", "4"], "--anova must be 3 (type III), 2 (type II) or 1 (type I), not '4'", 2)
case("lmer-ddf-kenward-roger-glmm", lmer("d.csv", "k | trials(n) ~ x + (1 | g)") + ["--family", "binomial", "--ddf", "kenward-roger"], "--ddf kenward-roger is for linear mixed models fitted by REML, not family 'binomial'", 2)
case("lmer-ddf-kenward-roger-ml", ["lmer", "--data", "sleepstudy.csv", "--formula", "Reaction ~ Days + (1 | Subject)", "--ml", "--ddf", "kenward-roger"], "Kenward-Roger needs a REML fit (drop --ml)", 1)
case("lmer-exponentiate-identity-link", lmer("d.csv") + ["--exponentiate"], "--exponentiate: family gaussian has the identity link", 2)
case("lmer-confint-unknown-glmm", lmer("d.csv", "cnt ~ x + (1 | g)") + ["--family", "poisson", "--confint", "boot"], "--confint must be wald or profile, not 'boot'", 2)
# ---- loo and kfold (issue 18): a one-chain fit directory of d.csv written by `fit --output`
tiny = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tiny-fit")
def tiny_fit(without=()):
    return {f"fd/{fn}": open(f"{tiny}/{fn}").read() for fn in ["fit.json", "data.csv", "model.txt", "chain-1.csv"] if fn not in without}
FEWER = {"e.csv": "y,x,g,n,k,b,cnt\n" + "".join(",".join(str(v) for v in r) + "\n" for r in rows[:10]), "e.model": "data: e.csv\nformula: y ~ x + (1 | g)\n"}
KF = ["--data", "d.csv", "--formula", "y ~ x + (1 | g)"] + FIT
case("loo-no-fits", ["loo"], "expected at least one FIT", 2)
case("kfold-no-fits", ["kfold", "--k", "3"], "expected at least one FIT", 2)
case("loo-different-rows", ["loo", "d.model", "e.model", "--reloo", "0"] + FIT, "fits use different rows: d has 12 observations of y, e 10 of y", 1,
     files=dict(FEWER, **{"d.model": "data: d.csv\nformula: y ~ x + (1 | g)\n"}))
case("loo-fit-directory-different-rows", ["loo", "fd", "e.model", "--reloo", "0"], "fits use different rows: fd has 12 observations of y, e 10 of y", 1,
     files=dict(FEWER, **tiny_fit()))
case("kfold-k-above-rows", ["kfold"] + KF + ["--k", "13"], "option --k: 13 folds but only 12 rows", 2)
case("kfold-k-above-groups", ["kfold"] + KF + ["--k", "4", "--group", "g"], "option --k: 4 folds but 'g' has only 3 levels", 2)
case("kfold-group-missing-column", ["kfold"] + KF + ["--k", "3", "--group", "school"], "option --group: 'school' is not a grouping factor of the model (grouping factors: g)", 2)
case("kfold-fit-directory-k-above-groups", ["kfold", "fd", "--k", "4", "--group", "g"], "option --k: 4 folds but 'g' has only 3 levels", 2, files=tiny_fit())
case("loo-fit-directory-missing-chain", ["loo", "fd"], "fd/chain-1.csv", 1, files=tiny_fit(without=["chain-1.csv"]))
case("kfold-fit-directory-missing-chain", ["kfold", "fd", "--k", "3"], "fd/chain-1.csv", 1, files=tiny_fit(without=["chain-1.csv"]))
case("loo-fit-directory-with-model-option", ["loo", "fd", "--iter", "100"], "option --iter applies to model files, and 'fd' is a fit directory", 2, files=tiny_fit())
case("loo-directory-without-fit-json", ["loo", "adir"], "adir: is a directory without fit.json", 1, mkdir=["adir"])
json.dump({"cases": cases}, open(root + "/manifest.json", "w"), indent=1, ensure_ascii=False)
print(len(cases))
