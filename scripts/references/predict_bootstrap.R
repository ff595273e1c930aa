# Reference for `multilevel predict FIT --newdata CSV --interval bootstrap` on an lmer fit (issue 17):
# lme4's parametric bootstrap of predictions for new rows, bootMer's way,
#   bootMer(fit, function(f) c(predict(f, nd, re.form = NA),
#                              predict(f, nd, re.form = NULL, allow.new.levels = TRUE)),
#           nsim = 4000, use.u = FALSE, type = "parametric")
# then per-row type-7 quantiles (R's quantile default) at 2.5/50/97.5%. sleepstudy,
# Reaction ~ Days + (Days | Subject), REML; the new rows are Days 0, 4.5 and 9 for subjects 308,
# 335 and a subject the fit has not seen ("new", which gets the population prediction).
# Our replicates come from another random stream, so the tests compare within Monte-Carlo error.
# Run from the repository root: Rscript scripts/references/predict_bootstrap.R
suppressPackageStartupMessages({ library(lme4); library(jsonlite) })
fixtures <- "Tests/MultilevelModelsTests/Fixtures"
sleep <- read.csv(file.path(fixtures, "sleepstudy.csv"), stringsAsFactors = TRUE)
fit <- lmer(Reaction ~ Days + (Days | Subject), sleep)
nd <- expand.grid(Days = c(0, 4.5, 9), Subject = c("308", "335", "new"), stringsAsFactors = FALSE)
m <- nrow(nd)
statistic <- function(f) c(predict(f, newdata = nd, re.form = NA),
                           predict(f, newdata = nd, re.form = NULL, allow.new.levels = TRUE))
nsim <- 4000
set.seed(20261217)
boot <- bootMer(fit, statistic, nsim = nsim, use.u = FALSE, type = "parametric")
probs <- c(0.025, 0.5, 0.975)
q <- apply(boot$t, 2, quantile, probs = probs, type = 7, na.rm = TRUE)
out <- list(
  r_call = "bootMer(lmer(Reaction ~ Days + (Days | Subject), sleepstudy), function(f) c(predict(f, nd, re.form = NA), predict(f, nd, re.form = NULL, allow.new.levels = TRUE)), nsim = 4000, use.u = FALSE, type = 'parametric'); quantile(type = 7)",
  lme4_version = as.character(packageVersion("lme4")), nsim = nsim,
  failed = sum(!complete.cases(boot$t)), probabilities = probs,
  days = nd$Days, subject = nd$Subject,
  population_estimate = unname(boot$t0[1:m]), population_quantiles = unname(t(q[, 1:m])),
  conditional_estimate = unname(boot$t0[m + 1:m]), conditional_quantiles = unname(t(q[, m + 1:m])))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = FALSE), file.path(fixtures, "predict_bootstrap.json"))
cat("done\n")
