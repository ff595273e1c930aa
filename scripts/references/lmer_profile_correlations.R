# Exact profile-likelihood limits of correlations in blocks of 3 and 4 correlated coefficients
# (issue 22), independent of lme4's profile(): for sleepstudy with (Days + I(Days^2) | Subject) and
# (Days + I(Days^2) + I(Days^3) | Subject), the ML deviance profiled over everything else with
# cor(Intercept, Days) held at v is
#   d(v) = min over relative sds s and the other canonical partial correlations of devfun(theta),
# devfun being lme4's own ML deviance with sigma profiled out (devFunOnly = TRUE; a correlation is
# free of sigma), theta the lower Cholesky factor of diag(s) R diag(s) with R built from canonical
# partial correlations whose first is v. Each d(v) is minimised by Nelder-Mead then BFGS from the
# previous v's optimum and from the ML estimate (the smaller kept); the 95% limits solve
# sign(v - v_hat) sqrt(d(v) - d_hat) = -+1.959964 by uniroot (tol 1e-10).
# lme4's confint(method = "profile") limits for the 3-block are in lmer_profile_blocks.json (it
# interpolates zeta by splines on a grid). Run from the repository root:
#   Rscript scripts/references/lmer_profile_correlations.R
suppressPackageStartupMessages({ library(lme4); library(jsonlite) })
fixtures <- "Tests/MultilevelModelsTests/Fixtures"
sleep <- read.csv(file.path(fixtures, "sleepstudy.csv"), stringsAsFactors = TRUE)
control <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12, maxfun = 1e5))
cases <- list(
  quadratic = "Reaction ~ Days + (Days + I(Days^2) | Subject)",
  cubic = "Reaction ~ Days + (Days + I(Days^2) + I(Days^3) | Subject)")
# Correlation matrix from canonical partial correlations z (column-major over r > c).
cpcToCor <- function(z, q) {
  L <- matrix(0, q, q); used <- rep(0, q); k <- 1
  for (c in 1:q) {
    L[c, c] <- sqrt(max(0, 1 - used[c]))
    if (c < q) for (r in (c + 1):q) { L[r, c] <- z[k] * sqrt(max(0, 1 - used[r])); used[r] <- used[r] + L[r, c]^2; k <- k + 1 }
  }
  L
}
corToCpc <- function(R) {
  q <- nrow(R); L <- t(chol(R)); z <- c()
  for (c in 1:(q - 1)) for (r in (c + 1):q) z <- c(z, L[r, c] / sqrt(1 - sum(L[r, seq_len(c - 1)]^2)))
  z
}
result <- list()
for (name in names(cases)) {
  formula <- as.formula(cases[[name]])
  fit <- lmer(formula, sleep, REML = FALSE, control = control)
  devfun <- lmer(formula, sleep, REML = FALSE, devFunOnly = TRUE)
  base <- deviance(fit)
  th <- getME(fit, "theta"); q <- round((sqrt(8 * length(th) + 1) - 1) / 2)
  Lt <- matrix(0, q, q); Lt[lower.tri(Lt, diag = TRUE)] <- th
  S <- Lt %*% t(Lt); s0 <- sqrt(diag(S)); R0 <- cov2cor(S); z0 <- corToCpc(R0)
  vhat <- R0[2, 1]
  theta <- function(p, v) {
    s <- exp(p[1:q]); z <- c(v, tanh(p[-(1:q)]))
    C <- diag(s) %*% cpcToCor(z, q); C[lower.tri(C, diag = TRUE)]
  }
  p0 <- c(log(s0), atanh(z0[-1]))
  warm <- p0
  profile <- function(v) {
    best <- NULL
    for (start in list(warm, p0)) {
      obj <- function(p) devfun(theta(p, v))
      r <- optim(start, obj, method = "Nelder-Mead", control = list(maxit = 50000, reltol = 1e-13))
      r <- optim(r$par, obj, method = "BFGS", control = list(maxit = 5000, reltol = 1e-15))
      if (is.null(best) || r$value < best$value) best <- r
    }
    warm <<- best$par
    best$value
  }
  zeta <- function(v) sign(v - vhat) * sqrt(max(0, profile(v) - base))
  z <- qnorm(0.975)
  # The 4-block's zeta stays above -1.96 down to -0.999: its lower limit is the bound -1.
  warm <- p0; lower <- tryCatch(uniroot(function(v) zeta(v) + z, c(-0.999, vhat - 1e-3), tol = 1e-10)$root,
                                error = function(e) -1)
  warm <- p0; upper <- uniroot(function(v) zeta(v) - z, c(vhat + 1e-3, 0.999), tol = 1e-10)$root
  cat(name, "cor(Intercept, Days): estimate", vhat, "exact", format(c(lower, upper), digits = 12), "\n")
  result[[name]] <- list(formula = cases[[name]], ml_deviance = base, theta_ml = unname(th),
                         estimate = vhat, exact = c(lower, upper))
  writeLines(toJSON(result, digits = NA, auto_unbox = TRUE, pretty = TRUE), file.path(fixtures, "lmer_profile_correlations.json"))
}
result$note <- "exact: root of the signed root deviance of cor(Intercept, Days) with everything else minimised (lme4 devfun, ML, sigma profiled)"
result$lme4_version <- as.character(packageVersion("lme4"))
writeLines(toJSON(result, digits = NA, auto_unbox = TRUE, pretty = TRUE), file.path(fixtures, "lmer_profile_correlations.json"))
