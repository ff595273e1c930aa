# Pointwise log densities of families with a non-default link (Tests/MultilevelModelsTests/Fixtures/
# family_link_density.json): R's d* functions at mu = linkinv(eta) from R's make.link / brms' inverse
# links, for the pairs Family.visit lists. Run: Rscript scripts/references/family_link_density.R OUT.json
library(jsonlite)
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args)) args[1] else "family_link_density.json"
# cloglog: log(1 - mu) = -exp(eta) exactly; dbinom's 1 - (1 - exp(-exp(eta))) loses it once mu is near 1.
dcloglog <- function(y, n, eta) lchoose(n, y) + y * log(-expm1(-exp(eta))) - (n - y) * exp(eta)
cases <- list()
add <- function(family, link, y, trials, eta, aux, value) {
  cases[[length(cases) + 1]] <<- list(family = family, link = link, y = y, trials = trials, eta = eta,
                                      auxiliary = aux, logLik = value)
}
for (eta in c(-7.5, -0.4, 0.9, 3)) {
  for (y in c(0, 1)) {
    add("bernoulli", "probit", y, 1, eta, numeric(0), dbinom(y, 1, pnorm(eta), log = TRUE))
    add("bernoulli", "cloglog", y, 1, eta, numeric(0), dcloglog(y, 1, eta))
    add("bernoulli", "cauchit", y, 1, eta, numeric(0), dbinom(y, 1, pcauchy(eta), log = TRUE))
  }
  add("binomial", "probit", 3, 7, eta, numeric(0), dbinom(3, 7, pnorm(eta), log = TRUE))
  add("binomial", "cloglog", 5, 9, eta, numeric(0), dcloglog(5, 9, eta))
  add("binomial", "cauchit", 0, 4, eta, numeric(0), dbinom(0, 4, pcauchy(eta), log = TRUE))
}
# The probit tail: P(y = 1) = pnorm(-40) underflows a double, its log does not.
add("bernoulli", "probit", 1, 1, -40, numeric(0), pnorm(-40, log.p = TRUE))
add("binomial", "cloglog", 2, 2, -50, numeric(0), 2 * log(-expm1(-exp(-50))))
for (eta in c(0.3, 2.2, 6)) {
  for (y in c(0, 4, 11)) {
    add("poisson", "identity", y, 1, eta, numeric(0), dpois(y, eta, log = TRUE))
    add("poisson", "sqrt", y, 1, eta, numeric(0), dpois(y, eta^2, log = TRUE))
    add("negbinomial", "identity", y, 1, eta, 2.5, dnbinom(y, size = 2.5, mu = eta, log = TRUE))
    add("negbinomial", "sqrt", y, 1, eta, 2.5, dnbinom(y, size = 2.5, mu = eta^2, log = TRUE))
  }
}
for (eta in c(0.25, 0.8, 1.9)) {
  for (y in c(0.4, 1.3, 5.2)) {
    add("gaussian", "log", y, 1, eta, 0.7, dnorm(y, exp(eta), 0.7, log = TRUE))
    add("gaussian", "inverse", y, 1, eta, 0.7, dnorm(y, 1 / eta, 0.7, log = TRUE))
    add("Gamma", "inverse", y, 1, eta, 3.1, dgamma(y, shape = 3.1, rate = 3.1 * eta, log = TRUE))
    add("Gamma", "identity", y, 1, eta, 3.1, dgamma(y, shape = 3.1, rate = 3.1 / eta, log = TRUE))
  }
}
write(toJSON(cases, auto_unbox = FALSE, digits = NA), out)
