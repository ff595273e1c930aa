# Reference for `multilevel lmer --confint profile|wald --level L` (lme4's confint(fit, level = L)):
# written to Tests/MultilevelCLITests/Fixtures/confint_level.json (run from the repository root:
#   nice -n 19 Rscript scripts/references/confint_level.R).
# - sleepstudy Reaction ~ Days + (Days | Subject), REML fit: profile and Wald intervals at 0.90 and
#   0.99 (lme4 profiles on the ML refit, as the tool);
# - cbpp cbind(incidence, size - incidence) ~ period + (1 | herd), binomial: profile and Wald at 0.90.
suppressPackageStartupMessages({ library(lme4); library(jsonlite) })
sleep <- read.csv("models/sleepstudy.csv", stringsAsFactors = TRUE)
sleep$Subject <- factor(sleep$Subject)
cbpp <- read.csv("models/cbpp.csv", stringsAsFactors = TRUE)
cbpp$period <- factor(cbpp$period); cbpp$herd <- factor(cbpp$herd)
fm <- lmer(Reaction ~ Days + (Days | Subject), sleep)
gm <- glmer(cbind(incidence, size - incidence) ~ period + (1 | herd), cbpp, family = binomial)
# lme4's row names (.sig01, ...) in the order of the tool's brms names.
sleepNames <- c("sd_Subject__Intercept", "cor_Subject__Intercept__Days", "sd_Subject__Days", "sigma",
                "b_Intercept", "b_Days")
cbppNames <- c("sd_herd__Intercept", "b_Intercept", "b_period2", "b_period3", "b_period4")
intervals <- function(ci, names) {
  out <- list()
  for (i in seq_along(names)) if (all(is.finite(ci[i, ]))) out[[names[i]]] <- unname(ci[i, ])
  out
}
out <- list(
  versions = list(R = as.character(getRversion()), lme4 = as.character(packageVersion("lme4"))),
  sleepstudy = list(
    profile_90 = intervals(confint(fm, level = 0.90, method = "profile"), sleepNames),
    profile_99 = intervals(confint(fm, level = 0.99, method = "profile"), sleepNames),
    wald_90 = intervals(confint(fm, level = 0.90, method = "Wald"), sleepNames)),
  cbpp = list(
    profile_90 = intervals(confint(gm, level = 0.90, method = "profile"), cbppNames),
    wald_90 = intervals(confint(gm, level = 0.90, method = "Wald"), cbppNames)))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), "Tests/MultilevelCLITests/Fixtures/confint_level.json")
