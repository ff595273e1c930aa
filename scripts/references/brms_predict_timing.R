# Times brms 2.18 (rstan 2.21) for the job of Benchmarks/MultilevelBench/PredictionBenchmarks:
# predictions for 10,000 new rows (Days = (i mod 91) / 10, Subject = the (i mod 18)-th subject,
# i = 0 … 9999) from a 4,000-draw fit of Reaction ~ Days + (Days | Subject) on sleepstudy
# (4 chains x (1000 warm-up + 1000 draws), seed 17):
#   posterior_epred / posterior_predict (the 4,000 x 10,000 draws matrix, `predict --draws`),
#   fitted / predict (per-row mean, sd, 2.5% and 97.5% quantiles, `predict`'s summaries).
# Elapsed and CPU seconds (user + system, this process) per step; the load average before and
# after. Timings only: no fixture is made.
# Run: nice -n 5 Rscript scripts/references/brms_predict_timing.R OUT.json
suppressPackageStartupMessages({ library(brms); library(lme4); library(jsonlite) })
args <- commandArgs(trailingOnly = TRUE)
out_file <- if (length(args) >= 1) args[1] else "brms_predict_timing.json"
data("sleepstudy", package = "lme4")
fit <- brm(Reaction ~ Days + (Days | Subject), data = sleepstudy, chains = 4, iter = 2000, warmup = 1000,
           seed = 17, cores = 2, refresh = 0)
subjects <- levels(sleepstudy$Subject)
i <- 0:9999
newdata <- data.frame(Days = (i %% 91) / 10, Subject = factor(subjects[i %% 18 + 1], levels = subjects))
result <- list(brms = as.character(packageVersion("brms")), rstan = as.character(packageVersion("rstan")),
               R = paste(R.version$major, R.version$minor, sep = "."), rows = nrow(newdata),
               draws = ndraws(fit), cores = 1)
step <- function(name, expr) {
  before <- readLines("/proc/loadavg")
  gc()
  t0 <- proc.time()
  value <- force(expr)
  t <- proc.time() - t0
  result[[name]] <<- list(elapsed_seconds = unname(t["elapsed"]),
                          cpu_seconds = unname(t["user.self"] + t["sys.self"]),
                          load_before = before, load_after = readLines("/proc/loadavg"))
  invisible(value)
}
set.seed(1)
step("posterior_epred", posterior_epred(fit, newdata = newdata))
step("posterior_predict", posterior_predict(fit, newdata = newdata, cores = 1))
step("fitted", fitted(fit, newdata = newdata))
step("predict", predict(fit, newdata = newdata, cores = 1))
writeLines(toJSON(result, auto_unbox = TRUE, digits = NA, pretty = TRUE), out_file)
print(result)
