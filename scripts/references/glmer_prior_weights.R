# References for lme4's prior weights beyond the gaussian lmer (issue 20): glmer with a
# proportion response and the numbers of trials as weights (binomial), glmer Poisson with prior
# weights, and performance::r2_nakagawa of the weighted fits. Writes
# Tests/MultilevelModelsTests/Fixtures/glmer_prior_weights.json and cbpp_proportions.csv.
# Run from the repository root: nice -n 19 Rscript scripts/references/glmer_prior_weights.R
suppressMessages({library(lme4); library(performance); library(jsonlite)})
out <- "Tests/MultilevelModelsTests/Fixtures"
cbpp <- read.csv(file.path(out, "cbpp.csv"), stringsAsFactors = TRUE)
cbpp$herd <- factor(cbpp$herd); cbpp$period <- factor(cbpp$period)
cbpp$prop <- cbpp$incidence / cbpp$size
write.csv(cbpp[, c("herd", "prop", "size", "period")], file.path(out, "cbpp_proportions.csv"), row.names = FALSE)
d <- read.csv(file.path(out, "weights.csv"), stringsAsFactors = TRUE)
summarise_glmer <- function(m, call) {
  fe <- summary(m)$coefficients
  list(r_call = call, logLik = as.numeric(logLik(m)), deviance = deviance(m), AIC = AIC(m),
       laplace_deviance = as.numeric(-2 * logLik(m)),
       theta = as.numeric(getME(m, "theta")), coefficients = as.list(setNames(fe[, 1], rownames(fe))),
       standard_errors = as.list(setNames(fe[, 2], rownames(fe))))
}
r2 <- function(m) { r <- r2_nakagawa(m); list(conditional = as.numeric(r$R2_conditional), marginal = as.numeric(r$R2_marginal)) }
bin <- glmer(prop ~ period + (1 | herd), data = cbpp, weights = size, family = binomial)
bin_cbind <- glmer(cbind(incidence, size - incidence) ~ period + (1 | herd), data = cbpp, family = binomial)
pois <- glmer(count ~ x + (1 | g), data = d, weights = wi, family = poisson)
lmm <- lmer(y ~ x + (1 | g), data = d, weights = w)
x <- list(lme4_version = as.character(packageVersion("lme4")), performance_version = as.character(packageVersion("performance")),
  binomial_proportions = c(summarise_glmer(bin, "glmer(prop ~ period + (1 | herd), data = cbpp_proportions, weights = size, family = binomial)"),
                           list(data_csv = "cbpp_proportions.csv", logLik_cbind = as.numeric(logLik(bin_cbind)), r2_nakagawa = r2(bin))),
  poisson_weights = c(summarise_glmer(pois, "glmer(count ~ x + (1 | g), data = weights, weights = wi, family = poisson)"),
                      list(data_csv = "weights.csv", r2_nakagawa = tryCatch(r2(pois), error = function(e) NULL))),
  lmer_weights_r2 = list(r_call = "performance::r2_nakagawa(lmer(y ~ x + (1 | g), data = weights, weights = w))",
                         data_csv = "weights.csv", r2_nakagawa = r2(lmm), sigma = sigma(lmm),
                         var_fixed = var(as.numeric(model.matrix(lmm) %*% fixef(lmm))),
                         var_random = as.numeric(VarCorr(lmm)$g[1, 1])))
writeLines(toJSON(x, digits = NA, auto_unbox = TRUE, null = "null", na = "null", pretty = TRUE), file.path(out, "glmer_prior_weights.json"))
print(x$binomial_proportions$logLik); print(x$binomial_proportions$logLik_cbind); print(x$lmer_weights_r2)
