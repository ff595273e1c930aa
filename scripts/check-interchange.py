#!/usr/bin/env python3
"""Checks that the CmdStan CSV files Multilevel writes load in the tools people use on them.

Not part of `swift test`: run it where the tools are installed (each missing tool is reported and
skipped):

    python3 scripts/check-interchange.py [--keep DIR]

1. Chains are written by `multilevel fit --output` when that works for the sleepstudy model;
   otherwise by CmdStanCSVWriter through the test driver
   `MULTILEVEL_INTERCHANGE_DIR=DIR swift test --filter InterchangeExportTests`, which writes
   4 chains × 500 draws (no warm-up saved) and 2 chains × (100 warm-up + 200) draws, with
   group-level effects in the index form r_Subject.1.1.
2. ArviZ (`arviz.from_cmdstan`): every parameter (r_Subject as one 3 × 2 array), the numbers of
   chains and draws, the warm-up group, and the sampler statistics.
3. R (scripts/check-interchange.R): `rstan::read_stan_csv` (parameters, chains, draws, sampler
   parameters) and posterior's `summarise_draws` on those chains compared with
   `multilevel diagnose --json` on the same files (1e-6 relative).
Exit status 0 when every available check passes.
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
failures = []


def check(condition, message):
    print(("ok    " if condition else "FAIL  ") + message)
    if not condition:
        failures.append(message)


_binary = None


def multilevel_binary():
    """The debug `multilevel`, built (incrementally) from this checkout on first use."""
    global _binary
    if _binary is None:
        subprocess.run(["swift", "build", "--product", "multilevel"], cwd=ROOT, check=True, capture_output=True)
        _binary = os.path.join(ROOT, ".build", "debug", "multilevel")
    return _binary


def write_chains(directory):
    """Chains from `multilevel fit --output` (when it works) and from the writer's test driver
    (which also covers saved warm-up). Returns {run: {files, chains, draws, warmup_saved,
    parameters}}."""
    runs = {}
    fit_dir = os.path.join(directory, "fit")
    command = [multilevel_binary(), "fit", "--data", os.path.join(ROOT, "models", "sleepstudy.csv"),
               "--formula", "Reaction ~ Days + (Days | Subject)", "--chains", "4", "--iter", "600",
               "--seed", "1", "--output", fit_dir]
    result = subprocess.run(command, capture_output=True, text=True)
    files = sorted(glob.glob(os.path.join(fit_dir, "chain-*.csv")))
    if result.returncode == 0 and files:
        print("chains written by: multilevel fit --output (sleepstudy, 4 x 300 draws)")
        diagnose = subprocess.run([multilevel_binary(), "diagnose", "--json"] + files, capture_output=True, text=True)
        names = [n for n in json.loads(diagnose.stdout)["parameters"] if n != "lp__"]
        runs["fit"] = {"files": files, "chains": 4, "draws": 300, "warmup_saved": 0, "parameters": names}
    else:
        print("skip  multilevel fit --output unavailable (%s)" % (result.stderr.strip().splitlines() or ["no output"])[-1])
    print("chains written by: CmdStanCSVWriter through the test driver InterchangeExportTests")
    env = dict(os.environ, MULTILEVEL_INTERCHANGE_DIR=os.path.join(directory, "driver"))
    subprocess.run(["swift", "build", "--build-tests"], cwd=ROOT, check=True, capture_output=True)
    subprocess.run(["swift", "test", "--skip-build", "--filter", "InterchangeExportTests"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    with open(os.path.join(directory, "driver", "manifest.json")) as f:
        manifest = json.load(f)
    for name in ("sampling", "warmup"):
        runs[name] = dict(manifest[name], parameters=manifest["parameters"],
                          files=sorted(glob.glob(os.path.join(directory, "driver", name, "chain-*.csv"))))
    return runs


def expected_arviz_variables(parameters):
    names = set()
    for p in parameters:
        names.add(p.split("[")[0])
    return names


def check_arviz(runs):
    try:
        import arviz as az
    except ImportError:
        print("skip  ArviZ not installed (pip install arviz)")
        return
    print("ArviZ", az.__version__)
    for name, run in runs.items():
        save_warmup = run["warmup_saved"] > 0
        data = az.from_cmdstan(posterior=run["files"], save_warmup=save_warmup)
        posterior = data.posterior
        check(posterior.sizes["chain"] == run["chains"], f"{name}: ArviZ reads {run['chains']} chains")
        check(posterior.sizes["draw"] == run["draws"], f"{name}: ArviZ reads {run['draws']} draws per chain")
        parameters = run["parameters"]
        missing = expected_arviz_variables(parameters) - set(posterior.data_vars)
        check(not missing, f"{name}: ArviZ has every parameter (missing: {sorted(missing)})")
        levels = len({p.split("[")[1].split(",")[0] for p in parameters if p.startswith("r_Subject[")})
        terms = len({p.split(",")[1] for p in parameters if p.startswith("r_Subject[")})
        r = posterior["r_Subject"]
        check(r.shape[2:] == (levels, terms),
              f"{name}: r_Subject.i.j read as a {levels} x {terms} array (shape {tuple(r.shape)})")
        stats = set(data.sample_stats.data_vars)
        wanted = {"lp", "acceptance_rate", "step_size", "tree_depth", "n_steps", "diverging", "energy"}
        check(wanted <= stats, f"{name}: ArviZ sample_stats has {sorted(wanted)} (got {sorted(stats)})")
        if save_warmup:
            check("warmup_posterior" in data.groups() and
                  data.warmup_posterior.sizes["draw"] == run["warmup_saved"],
                  f"{name}: ArviZ warm-up group holds {run['warmup_saved']} draws")


def check_r(runs, directory):
    if shutil.which("Rscript") is None:
        print("skip  Rscript not found")
        return
    have = subprocess.run(["Rscript", "-e", "cat(requireNamespace('rstan', quietly=TRUE), "
                           "requireNamespace('posterior', quietly=TRUE))"], capture_output=True, text=True)
    if "TRUE TRUE" not in have.stdout:
        print("skip  R packages rstan and posterior not both installed "
              "(apt-get install r-cran-rstan r-cran-posterior)")
        return
    binary = multilevel_binary()
    for name, run in runs.items():
        diagnose = subprocess.run([binary, "diagnose", "--json"] + run["files"], capture_output=True, text=True)
        check(diagnose.returncode == 0, f"{name}: multilevel diagnose reads its own files")
        ours = os.path.join(directory, f"{name}-diagnose.json")
        with open(ours, "w") as f:
            f.write(diagnose.stdout)
        result = subprocess.run(["Rscript", os.path.join(ROOT, "scripts", "check-interchange.R"), ours,
                                 str(run["chains"]), str(run["draws"])] + run["files"],
                                capture_output=True, text=True)
        for line in result.stdout.splitlines():
            print(line)
            if line.startswith("FAIL"):
                failures.append(line)
        if result.returncode != 0:
            check(False, f"{name}: R check ran ({result.stderr.strip().splitlines()[-1:]})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", help="write the chains into this directory and keep them")
    args = parser.parse_args()
    directory = args.keep or tempfile.mkdtemp(prefix="multilevel-interchange-")
    os.makedirs(directory, exist_ok=True)
    runs = write_chains(directory)
    check_arviz(runs)
    check_r(runs, directory)
    if not args.keep:
        shutil.rmtree(directory, ignore_errors=True)
    print("all checks passed" if not failures else f"{len(failures)} check(s) failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
