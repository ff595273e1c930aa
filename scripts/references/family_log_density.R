# Pointwise log densities of every family multilevel fits, as brms' log_lik evaluates them (Stan's
# *_lpdf / *_lpmf with all constants), at a few (y, trials, eta, auxiliary) points (issue 18).
# Writes Tests/MultilevelModelsTests/Fixtures/family_log_density.json.
# Run from the repository root: Rscript scripts/references/family_log_density.R
suppressMessages(library(jsonlite))
cases <- list(
  list(family = "gaussian", y = 2.5, trials = 1, eta = 1.2, aux = c(0.7), value = dnorm(2.5, 1.2, 0.7, log = TRUE)),
  list(family = "student", y = -1.3, trials = 1, eta = 0.4, aux = c(1.5, 3.5), value = dt((-1.3 - 0.4) / 1.5, 3.5, log = TRUE) - log(1.5)),
  list(family = "bernoulli", y = 1, trials = 1, eta = -0.8, aux = numeric(0), value = dbinom(1, 1, plogis(-0.8), log = TRUE)),
  list(family = "bernoulli", y = 0, trials = 1, eta = 2.1, aux = numeric(0), value = dbinom(0, 1, plogis(2.1), log = TRUE)),
  list(family = "binomial", y = 3, trials = 12, eta = -1.1, aux = numeric(0), value = dbinom(3, 12, plogis(-1.1), log = TRUE)),
  list(family = "poisson", y = 7, trials = 1, eta = 1.6, aux = numeric(0), value = dpois(7, exp(1.6), log = TRUE)),
  list(family = "negbinomial", y = 4, trials = 1, eta = 0.9, aux = c(2.3), value = dnbinom(4, size = 2.3, mu = exp(0.9), log = TRUE)),
  list(family = "lognormal", y = 3.2, trials = 1, eta = 0.8, aux = c(0.45), value = dlnorm(3.2, 0.8, 0.45, log = TRUE)),
  list(family = "Gamma", y = 1.7, trials = 1, eta = 0.3, aux = c(2.8), value = dgamma(1.7, shape = 2.8, rate = 2.8 / exp(0.3), log = TRUE)))
writeLines(toJSON(list(r_version = as.character(getRversion()), cases = cases), digits = NA, auto_unbox = TRUE),
           "Tests/MultilevelModelsTests/Fixtures/family_log_density.json")
