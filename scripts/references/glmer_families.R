# Reference fits for the Laplace engine (issue 6): simulated Poisson and Bernoulli data with two
# crossed grouping factors, fitted by glmer (lme4 1.1-31, nAGQ = 1, default control), written as
# Tests/MultilevelModelsTests/Fixtures/{glmer_poisson,glmer_bernoulli}.{csv,json} in the shape of
# ../shared/reference/cbpp_binomial.json. Run from the repository root: Rscript scripts/references/glmer_families.R
suppressMessages(library(lme4))
out <- "Tests/MultilevelModelsTests/Fixtures"
num <- function(x) formatC(x, digits = 15, format = "g")
write_fit <- function(fit, name, formula, family) {
  fe <- fixef(fit); se <- sqrt(diag(vcov(fit)))
  vc <- as.data.frame(VarCorr(fit))
  par <- c(sprintf('"b_%s": {"estimate": %s, "se": %s}', sub("\\(Intercept\\)", "Intercept", names(fe)), num(fe), num(se)))
  for (k in seq_len(nrow(vc))) if (is.na(vc$var2[k]))
    par <- c(par, sprintf('"sd_%s__%s": {"estimate": %s}', vc$grp[k], sub("\\(Intercept\\)", "Intercept", vc$var1[k]), num(vc$sdcor[k])))
  re <- ranef(fit, condVar = TRUE)
  groups <- c()
  for (g in names(re)) {
    pv <- attr(re[[g]], "postVar")
    lv <- c()
    for (l in seq_len(nrow(re[[g]]))) {
      terms <- c()
      for (j in seq_len(ncol(re[[g]])))
        terms <- c(terms, sprintf('"%s": {"mode": %s, "condsd": %s}', sub("\\(Intercept\\)", "Intercept", colnames(re[[g]])[j]),
                                  num(re[[g]][l, j]), num(sqrt(pv[j, j, l]))))
      lv <- c(lv, sprintf('"%s": {%s}', rownames(re[[g]])[l], paste(terms, collapse = ", ")))
    }
    groups <- c(groups, sprintf('"%s": {%s}', g, paste(lv, collapse = ", ")))
  }
  json <- sprintf('{"formula": "%s", "family": "%s", "method": "Laplace", "nobs": %d, "logLik": %s, "AIC": %s, "BIC": %s, "deviance": %s, "theta": [%s], "parameters": {%s}, "ranef": {%s}, "lme4_version": "%s"}\n',
                  formula, family, nobs(fit), num(logLik(fit)), num(AIC(fit)), num(BIC(fit)), num(deviance(fit)),
                  paste(num(getME(fit, "theta")), collapse = ", "), paste(par, collapse = ", "), paste(groups, collapse = ", "),
                  as.character(packageVersion("lme4")))
  writeLines(json, file.path(out, paste0(name, ".json")), sep = "")
}
set.seed(20261121)
n <- 600
d <- data.frame(site = factor(sprintf("s%02d", sample(1:20, n, TRUE))), rater = factor(sprintf("r%02d", sample(1:12, n, TRUE))),
                x = round(rnorm(n), 3))
a <- rnorm(20, 0, 0.5); b <- rnorm(12, 0, 0.3)
eta <- 0.5 + 0.4 * d$x + a[as.integer(d$site)] + b[as.integer(d$rater)]
d$count <- rpois(n, exp(eta))
d$success <- rbinom(n, 1, plogis(eta - 0.5))
write.csv(d, file.path(out, "glmer_crossed.csv"), row.names = FALSE)
fp <- glmer(count ~ x + (1 | site) + (1 | rater), data = d, family = poisson)
write_fit(fp, "glmer_poisson", "count ~ x + (1 | site) + (1 | rater)", "poisson")
fb <- glmer(success ~ x + (1 | site) + (1 | rater), data = d, family = binomial)
write_fit(fb, "glmer_bernoulli", "success ~ x + (1 | site) + (1 | rater)", "bernoulli")
print(summary(fp)); print(summary(fb))
