# References for issue 19's frequentist side: glmer.nb (default and tight θ search), an
# observation-level random effect in a Poisson glmer, adaptive Gauss-Hermite quadrature (nAGQ = 9)
# for a binomial and a Bernoulli model, and the probit, cloglog, cauchit and sqrt links. lme4 1.1-31.
# Writes Tests/MultilevelModelsTests/Fixtures/glmer_extended.json.
# Run from the repository root: nice -n 19 Rscript scripts/references/glmer_extended_families.R
suppressMessages({ library(lme4); library(jsonlite) })
fixtures <- "Tests/MultilevelModelsTests/Fixtures"
brms_name <- function(x) gsub("[():^ ]", "", sub("\\(Intercept\\)", "Intercept", x))
describe <- function(fit, call, formula, family, extra = list()) {
  fe <- fixef(fit); se <- sqrt(diag(as.matrix(vcov(fit))))
  vc <- as.data.frame(VarCorr(fit))
  parameters <- list()
  for (j in seq_along(fe)) parameters[[paste0("b_", brms_name(names(fe)[j]))]] <- list(estimate = unname(fe[j]), se = unname(se[j]))
  for (k in seq_len(nrow(vc))) if (is.na(vc$var2[k]))
    parameters[[sprintf("sd_%s__%s", vc$grp[k], brms_name(vc$var1[k]))]] <- list(estimate = vc$sdcor[k])
  re <- ranef(fit, condVar = TRUE)
  ranef <- list()
  for (g in names(re)) {
    pv <- attr(re[[g]], "postVar")
    ranef[[g]] <- lapply(seq_len(nrow(re[[g]])), function(l) list(level = rownames(re[[g]])[l], mode = re[[g]][l, 1], condsd = sqrt(pv[1, 1, l])))
  }
  c(list(r_call = call, formula = formula, family = family, nobs = nobs(fit), logLik = as.numeric(logLik(fit)),
         df = attr(logLik(fit), "df"), AIC = AIC(fit), BIC = BIC(fit), deviance = deviance(fit),
         minus_two_log_likelihood = -2 * as.numeric(logLik(fit)), theta = unname(getME(fit, "theta")),
         beta = unname(fe), parameters = parameters, ranef = ranef), extra)
}
grouseticks <- read.csv("/work/shared/data/grouseticks.csv", stringsAsFactors = TRUE,
                        colClasses = c(INDEX = "factor", BROOD = "factor", YEAR = "factor", LOCATION = "factor"))
cbpp <- read.csv("/work/shared/data/cbpp.csv", stringsAsFactors = TRUE)
cbpp$period <- factor(cbpp$period); cbpp$herd <- factor(cbpp$herd)
crossed <- read.csv(file.path(fixtures, "glmer_crossed.csv"), stringsAsFactors = TRUE)
out <- list(lme4_version = as.character(packageVersion("lme4")), R = R.version.string)

f_nb <- TICKS ~ YEAR + cHEIGHT + (1 | LOCATION)
nb <- glmer.nb(f_nb, data = grouseticks)
out$nb_default <- describe(nb, "glmer.nb(TICKS ~ YEAR + cHEIGHT + (1 | LOCATION), data = grouseticks)",
                           "TICKS ~ YEAR + cHEIGHT + (1 | LOCATION)", "negbinomial", list(shape = getME(nb, "glmer.nb.theta")))
# glmer.nb's own tol cannot be tightened (it is passed on to glmer), so the tight reference runs
# glmer.nb's θ search by hand: optimize() over log θ to 1e-9 of the -2 logLik of glmer fits at
# fixed θ with a tight bobyqa, from glmer.nb's interval.
tight <- glmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-9, maxfun = 1e5))
nb_at <- function(t) glmer(f_nb, data = grouseticks, family = MASS::negative.binomial(theta = exp(t)), control = tight)
th0 <- lme4:::est_theta(glmer(f_nb, data = grouseticks, family = poisson), limit = 20, eps = 1e-4)
opt <- optimize(function(t) -2 * as.numeric(logLik(nb_at(t))), interval = log(th0) + c(-3, 3), tol = 1e-9)
nb_tight <- nb_at(opt$minimum)
ll <- as.numeric(logLik(nb_tight))
out$nb_tight <- describe(nb_tight, "optimize(function(t) -2 * logLik(glmer(TICKS ~ YEAR + cHEIGHT + (1 | LOCATION), data = grouseticks, family = MASS::negative.binomial(theta = exp(t)), control = glmerControl(optimizer = 'bobyqa', optCtrl = list(rhoend = 1e-9, maxfun = 1e5)))), interval = log(th0) + c(-3, 3), tol = 1e-9)",
                         "TICKS ~ YEAR + cHEIGHT + (1 | LOCATION)", "negbinomial",
                         list(shape = exp(opt$minimum), initial_shape = th0,
                              note = "logLik, AIC and BIC here are of the glmer fit at fixed theta (df without theta); glmer.nb adds theta: AIC + 2, BIC + log(n)"))

olre <- glmer(TICKS ~ YEAR + cHEIGHT + (1 | LOCATION) + (1 | INDEX), data = grouseticks, family = poisson)
out$olre_poisson <- describe(olre, "glmer(TICKS ~ YEAR + cHEIGHT + (1 | LOCATION) + (1 | INDEX), data = grouseticks, family = poisson)",
                             "TICKS ~ YEAR + cHEIGHT + (1 | LOCATION) + (1 | INDEX)", "poisson")
olre_tight <- glmer(TICKS ~ YEAR + cHEIGHT + (1 | LOCATION) + (1 | INDEX), data = grouseticks, family = poisson,
                    control = glmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-9, maxfun = 1e5)))
out$olre_poisson_tight <- describe(olre_tight, "glmer(..., control = glmerControl(optimizer = 'bobyqa', optCtrl = list(rhoend = 1e-9, maxfun = 1e5)))",
                                   "TICKS ~ YEAR + cHEIGHT + (1 | LOCATION) + (1 | INDEX)", "poisson")

agq <- glmer(cbind(incidence, size - incidence) ~ period + (1 | herd), data = cbpp, family = binomial, nAGQ = 9)
out$agq9_cbpp <- describe(agq, "glmer(cbind(incidence, size - incidence) ~ period + (1 | herd), data = cbpp, family = binomial, nAGQ = 9)",
                          "incidence | trials(size) ~ period + (1 | herd)", "binomial", list(nAGQ = 9))
agq_b <- glmer(success ~ x + (1 | site), data = crossed, family = binomial, nAGQ = 9)
out$agq9_bernoulli <- describe(agq_b, "glmer(success ~ x + (1 | site), data = glmer_crossed, family = binomial, nAGQ = 9)",
                               "success ~ x + (1 | site)", "bernoulli", list(nAGQ = 9))
agq_b25 <- glmer(success ~ x + (1 | site), data = crossed, family = binomial, nAGQ = 25)
out$agq25_bernoulli <- describe(agq_b25, "glmer(success ~ x + (1 | site), data = glmer_crossed, family = binomial, nAGQ = 25)",
                                "success ~ x + (1 | site)", "bernoulli", list(nAGQ = 25))
agq_p <- glmer(count ~ x + (1 | site), data = crossed, family = poisson, nAGQ = 9)
out$agq9_poisson <- describe(agq_p, "glmer(count ~ x + (1 | site), data = glmer_crossed, family = poisson, nAGQ = 9)",
                             "count ~ x + (1 | site)", "poisson", list(nAGQ = 9))

cll <- glmer(cbind(incidence, size - incidence) ~ period + (1 | herd), data = cbpp, family = binomial("cloglog"))
out$cloglog_cbpp <- describe(cll, "glmer(cbind(incidence, size - incidence) ~ period + (1 | herd), data = cbpp, family = binomial('cloglog'))",
                             "incidence | trials(size) ~ period + (1 | herd)", "binomial(\"cloglog\")")
prb <- glmer(cbind(incidence, size - incidence) ~ period + (1 | herd), data = cbpp, family = binomial("probit"))
out$probit_cbpp <- describe(prb, "glmer(cbind(incidence, size - incidence) ~ period + (1 | herd), data = cbpp, family = binomial('probit'))",
                            "incidence | trials(size) ~ period + (1 | herd)", "binomial(\"probit\")")
prb_x <- glmer(success ~ x + (1 | site) + (1 | rater), data = crossed, family = binomial("probit"))
out$probit_bernoulli_crossed <- describe(prb_x, "glmer(success ~ x + (1 | site) + (1 | rater), data = glmer_crossed, family = binomial('probit'))",
                                         "success ~ x + (1 | site) + (1 | rater)", "bernoulli(\"probit\")")
cau <- glmer(success ~ x + (1 | site), data = crossed, family = binomial("cauchit"))
out$cauchit_bernoulli <- describe(cau, "glmer(success ~ x + (1 | site), data = glmer_crossed, family = binomial('cauchit'))",
                                  "success ~ x + (1 | site)", "bernoulli(\"cauchit\")")
sq <- glmer(count ~ x + (1 | site), data = crossed, family = poisson("sqrt"))
out$sqrt_poisson <- describe(sq, "glmer(count ~ x + (1 | site), data = glmer_crossed, family = poisson('sqrt'))",
                             "count ~ x + (1 | site)", "poisson(\"sqrt\")")
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(fixtures, "glmer_extended.json"))
print(summary(nb)); print(summary(nb_tight)); print(summary(olre)); print(summary(agq))
