# Times brms 2.18 (rstan 2.21) for the jobs of Benchmarks/MultilevelBench/CrossValidationBenchmarks:
#   1. sleepstudy Reaction ~ Days + (Days | Subject): brm (compile + sample, 4 x (1000 + 1000)) and
#      kfold(K = 10, folds = "grouped", group = "Subject") (10 refits, no recompilation);
#   2. a simulated random-intercept logistic model, y ~ x + (1 | g) and y ~ 1 + (1 | g), bernoulli,
#      ROWS rows in ROWS / 20 groups (x ~ N(0, 1), eta = -0.5 + 0.8 x + u_g, u_g ~ N(0, 1),
#      set.seed(11)): the two brm fits and loo(fit1, fit2) (PSIS-LOO of both plus loo_compare).
# Run under `nice -n 19 Rscript scripts/references/brms_cross_validation_timing.R ROWS OUT.json [all|sleepstudy|bernoulli] [sampling|meanfield]`;
# the load average is recorded before and after each step. Timings only: no fixture is made.
suppressPackageStartupMessages({ library(brms); library(lme4); library(jsonlite) })
options(mc.cores = 2)
args <- commandArgs(trailingOnly = TRUE)
rows <- if (length(args) >= 1) as.integer(args[1]) else 10000L
out_file <- if (length(args) >= 2) args[2] else "brms_cv_timing.json"
what <- if (length(args) >= 3) args[3] else "all"
# "sampling" (default: NUTS, 4 x (1000 + 1000)) or "meanfield": the Bernoulli fits' 4,000 draws from
# ADVI (rstan::vb, output_samples = 4000), for timing loo() at 100,000 rows, where each NUTS fit
# takes about 1.5 CPU-hours here; loo's work (log_lik of 100,000 x 4,000 and PSIS) is the same.
algorithm <- if (length(args) >= 4) args[4] else "sampling"
# Cores for loo(): at 100,000 rows each worker holds a 100,000 x 4,000 log-likelihood matrix
# (3.2 GB) and its copies; two workers and the master outgrew 24 GB here, so pass 1 there.
loo_cores <- if (length(args) >= 5) as.integer(args[5]) else 2L
# "pointwise": loo(..., pointwise = TRUE), brms' low-memory route (the log-likelihood one observation
# at a time). At 100,000 rows x 4,000 draws the default matrix route was killed by the kernel at
# 24.2 GB resident with one core (2026-12-07), so the 100,000-row timing takes this route.
pointwise <- length(args) >= 6 && args[6] == "pointwise"
load <- function() readLines("/proc/loadavg")
result <- list(brms = as.character(packageVersion("brms")), rstan = as.character(packageVersion("rstan")),
               loo = as.character(packageVersion("loo")), rows = rows)
save <- function() writeLines(toJSON(result, auto_unbox = TRUE, digits = NA, pretty = TRUE), out_file)
step <- function(name, expr) {
  before <- load()
  t <- system.time(value <- force(expr))
  result[[name]] <<- list(elapsed_s = unname(t[["elapsed"]]), cpu_s = unname(t[["user.self"]] + t[["sys.self"]] +
                            t[["user.child"]] + t[["sys.child"]]), load_before = before, load_after = load())
  save()
  value
}

if (what %in% c("all", "sleepstudy")) {
  m <- step("sleepstudy_brm", brm(Reaction ~ Days + (Days | Subject), data = sleepstudy, chains = 4,
                                  iter = 2000, seed = 1, refresh = 0, silent = 2))
  kf <- step("sleepstudy_kfold_grouped_10", kfold(m, K = 10, folds = "grouped", group = "Subject",
                                                   seed = 1, refresh = 0, silent = 2))
  result$sleepstudy_elpd_kfold <- unname(kf$estimates["elpd_kfold", ])
  save()
}

if (what %in% c("all", "bernoulli")) {
  set.seed(11)
  groups <- rows %/% 20
  u <- rnorm(groups)
  g <- rep_len(seq_len(groups), rows)
  x <- rnorm(rows)
  y <- rbinom(rows, 1, plogis(-0.5 + 0.8 * x + u[g]))
  d <- data.frame(y = y, x = x, g = factor(g))
  fit <- function(formula) if (algorithm == "sampling") {
    brm(formula, data = d, family = bernoulli(), chains = 4, iter = 2000, seed = 1, refresh = 0, silent = 2)
  } else {
    brm(formula, data = d, family = bernoulli(), algorithm = algorithm, iter = 10000, output_samples = 4000,
        seed = 1, refresh = 0, silent = 2)
  }
  result$algorithm <- algorithm
  f1 <- step("bernoulli_brm_x", fit(y ~ x + (1 | g)))
  f0 <- step("bernoulli_brm_1", fit(y ~ 1 + (1 | g)))
  result$loo_cores <- loo_cores
  result$loo_pointwise <- pointwise
  l <- step("bernoulli_loo_2fits", loo(f1, f0, cores = loo_cores, pointwise = pointwise))
  result$bernoulli_elpd_loo <- c(l$loos[[1]]$estimates["elpd_loo", 1], l$loos[[2]]$estimates["elpd_loo", 1])
  result$bernoulli_elpd_diff <- unname(l$diffs[2, 1:2])
  save()
}
