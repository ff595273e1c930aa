# Percentile bands of fitted lines from lme4's parametric bootstrap (bootMer, use.u = FALSE, the
# default), for issue 22's `bootstrap --bands`: sleepstudy, Reaction ~ Days + (Days | Subject), REML,
# 2000 replicates; at each of Days 0..9 the 5/50/95% quantiles (type 7) of the population line
# predict(f, re.form = NA), and at each of the 180 rows those of the conditional fit predict(f).
# Our replicates come from another random stream, so the tests compare within Monte-Carlo error.
# Run from the repository root: Rscript scripts/references/bootmer_bands.R
suppressPackageStartupMessages({ library(lme4); library(jsonlite) })
fixtures <- "Tests/MultilevelModelsTests/Fixtures"
sleep <- read.csv(file.path(fixtures, "sleepstudy.csv"), stringsAsFactors = TRUE)
fit <- lmer(Reaction ~ Days + (Days | Subject), sleep)
grid <- data.frame(Days = 0:9)
statistic <- function(f) c(predict(f, newdata = grid, re.form = NA), predict(f))
set.seed(20261207)
boot <- bootMer(fit, statistic, nsim = 2000, use.u = FALSE, type = "parametric")
probs <- c(0.05, 0.5, 0.95)
q <- apply(boot$t, 2, quantile, probs = probs, type = 7, na.rm = TRUE)
population <- q[, 1:10]
rows <- q[, -(1:10)]
out <- list(
  r_call = "bootMer(lmer(Reaction ~ Days + (Days | Subject), sleepstudy), function(f) c(predict(f, newdata = data.frame(Days = 0:9), re.form = NA), predict(f)), nsim = 2000, use.u = FALSE, type = 'parametric'); quantile(type = 7)",
  lme4_version = as.character(packageVersion("lme4")), nsim = 2000, probabilities = probs,
  population_days = 0:9, population_estimate = unname(boot$t0[1:10]),
  population_quantiles = unname(t(population)),
  row_subject = as.character(sleep$Subject), row_days = sleep$Days, row_estimate = unname(boot$t0[-(1:10)]),
  row_quantiles = unname(t(rows)))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = FALSE), file.path(fixtures, "bootmer_bands.json"))
cat("done\n")
