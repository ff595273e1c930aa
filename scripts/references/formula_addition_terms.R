# References for the addition terms and offsets of issue 20 (offset() in brms, se(), cens(),
# weights(), trunc(), mo()): brms 2.18 fits with 4 chains x (1000 warm-up + 5000 draws), seed 20261121,
# default priors; lme4 fits with prior weights; metafor's rma (REML) for the eight schools.
# The simulated data sets are written next to the fixtures (and copied to models/ by hand).
# Run from the repository root: nice -n 19 Rscript scripts/references/formula_addition_terms.R [which...]
suppressMessages({library(brms); library(posterior); library(lme4); library(metafor); library(jsonlite)})
out <- "Tests/MultilevelModelsTests/Fixtures"
which <- commandArgs(trailingOnly = TRUE)
wanted <- function(name) length(which) == 0 || name %in% which
write_json_file <- function(x, name) writeLines(toJSON(x, digits = NA, auto_unbox = TRUE, null = "null", na = "null", pretty = TRUE),
                                               file.path(out, name))
summarise_fit <- function(fit) {
  draws <- as_draws_df(fit)
  vars <- grep("^(b_|bsp_|simo_|sd_|cor_|sigma$|shape$|nu$)", variables(draws), value = TRUE)
  s <- summarise_draws(subset_draws(draws, variable = vars), mean, sd, ~quantile(.x, probs = c(0.025, 0.975)),
                       rhat, ess_bulk, ess_tail, mcse_mean, mcse_sd, ~mcse_quantile(.x, probs = c(0.025, 0.975)))
  params <- list()
  for (k in seq_len(nrow(s))) params[[s$variable[k]]] <- list(mean = s$mean[k], sd = s$sd[k], q2.5 = s$`2.5%`[k],
    q97.5 = s$`97.5%`[k], rhat = s$rhat[k], ess_bulk = s$ess_bulk[k], ess_tail = s$ess_tail[k], mcse_mean = s$mcse_mean[k],
    mcse_sd = s$mcse_sd[k], mcse_q2.5 = s$mcse_q2.5[k], mcse_q97.5 = s$mcse_q97.5[k])
  np <- nuts_params(fit)
  list(parameters = params, divergences = sum(np$Value[np$Parameter == "divergent__"]),
       priors = lapply(split(as.data.frame(prior_summary(fit))[, c("prior", "class", "coef", "group")], seq_len(nrow(prior_summary(fit)))), as.list))
}
run_brms <- function(name, formula, data, family, csv, extra = list()) {
  t0 <- Sys.time()
  fit <- brm(as.formula(formula), data = data, family = family, chains = 4, iter = 6000, warmup = 1000,
             seed = 20261121, cores = 2, refresh = 0, silent = 2)
  s <- summarise_fit(fit)
  x <- c(list(formula = formula, family = family, data_csv = csv, chains = 4, iter = 6000, warmup = 1000, seed = 20261121,
              brms_version = as.character(packageVersion("brms")),
              r_call = sprintf("brm(%s, data = %s, family = %s, chains = 4, iter = 6000, warmup = 1000, seed = 20261121, cores = 2)",
                               formula, sub("\\.csv$", "", csv), family),
              seconds = as.numeric(Sys.time() - t0, units = "secs")), s, extra)
  write_json_file(x, paste0("brms_", name, ".json"))
  print(summary(fit))
}
set.seed(20261121)

# 1. offset() in a Bayesian Poisson model (glmmTMB's Owls; the glmer fit is offset_owls.json)
if (wanted("offset")) {
  owls <- read.csv(file.path(out, "Owls.csv"), stringsAsFactors = TRUE)
  run_brms("offset_owls", "NCalls ~ FoodTreatment * SexParent + offset(logBroodSize) + (1 | Nest)", owls, "poisson", "Owls.csv")
}

# 2. se(): the eight schools (Rubin 1981) and BCG (se(sei, sigma = TRUE) ~ 1, the random-effects
#    meta-analysis written with a residual SD in place of a trial effect)
if (wanted("se")) {
  schools <- data.frame(school = LETTERS[1:8], y = c(28, 8, -3, 7, -1, 1, 18, 12), se = c(15, 10, 16, 11, 9, 11, 10, 18))
  write.csv(schools, file.path(out, "eight_schools.csv"), row.names = FALSE)
  schools <- read.csv(file.path(out, "eight_schools.csv"), stringsAsFactors = TRUE)
  r <- rma(yi = y, sei = se, data = schools, method = "REML")
  p <- predict(r)
  rma_block <- list(r_call = "rma(yi = y, sei = se, data = eight_schools, method = \"REML\")",
    estimate = as.numeric(r$beta), se = r$se, z = r$zval, p = r$pval, ci_lb = r$ci.lb, ci_ub = r$ci.ub,
    tau2 = r$tau2, se_tau2 = r$se.tau2, tau = sqrt(r$tau2), I2 = r$I2, H2 = r$H2, QE = r$QE, logLik_REML = as.numeric(logLik(r)),
    pi_lb = p$pi.lb, pi_ub = p$pi.ub, blup = as.numeric(blup(r)$pred))
  run_brms("se_eight_schools", "y | se(se) ~ 1 + (1 | school)", schools, "gaussian", "eight_schools.csv",
           list(metafor = rma_block))
  bcg <- read.csv(file.path(out, "dat_bcg.csv"), stringsAsFactors = TRUE)
  r <- rma(yi = yi, vi = vi, data = bcg, method = "REML")
  run_brms("se_sigma_bcg", "yi | se(sei, sigma = TRUE) ~ 1", bcg, "gaussian", "dat_bcg.csv",
           list(metafor = list(r_call = "rma(yi, vi, data = dat_bcg, method = \"REML\")", estimate = as.numeric(r$beta), se = r$se,
                               tau2 = r$tau2, tau = sqrt(r$tau2))))
}

# 3. cens(): a simulated gaussian with left, right and interval censoring (codes -1/0/1/2 and
#    the same as words), 10 groups x 8 rows
if (wanted("cens")) {
  n <- 80; g <- rep(sprintf("g%02d", 1:10), each = 8); x <- round(rnorm(n), 3)
  u <- rnorm(10, 0, 0.7)[as.integer(factor(g))]
  latent <- 1 + 0.6 * x + u + rnorm(n)
  cens <- ifelse(latent < 0, -1, ifelse(latent > 2.5, 1, 0))
  interval <- cens == 0 & (seq_len(n) %% 4 == 0)
  cens[interval] <- 2
  y <- ifelse(cens == -1, 0, ifelse(cens == 1, 2.5, ifelse(cens == 2, floor(latent * 2) / 2, round(latent, 3))))
  y2 <- ifelse(cens == 2, floor(latent * 2) / 2 + 0.5, y)
  status <- c("left", "none", "right", "interval")[cens + 2]
  d <- data.frame(y = y, y2 = y2, cens = cens, status = status, x = x, g = g)
  write.csv(d, file.path(out, "censored_gaussian.csv"), row.names = FALSE)
  d <- read.csv(file.path(out, "censored_gaussian.csv"), stringsAsFactors = TRUE)
  run_brms("cens_gaussian", "y | cens(cens, y2) ~ x + (1 | g)", d, "gaussian", "censored_gaussian.csv")
}

# 4. Prior weights: lme4's weights = (residual variance sigma^2 / w; prior weights in the GLMM)
#    and brms' weights() (each row's log-likelihood times w), 12 groups x 8 rows
if (wanted("weights")) {
  n <- 96; g <- rep(sprintf("s%02d", 1:12), each = 8); x <- round(runif(n, 0, 4), 2)
  w <- round(runif(n, 0.4, 3), 2); u <- rnorm(12, 0, 0.8)[as.integer(factor(g))]
  y <- round(2 + 0.5 * x + u + rnorm(n, 0, 1.1) / sqrt(w), 3)
  wi <- sample(1:3, n, replace = TRUE)
  count <- rpois(n, exp(0.3 + 0.25 * x + u / 2))
  d <- data.frame(y = y, count = count, x = x, w = w, wi = wi, g = g)
  write.csv(d, file.path(out, "weights.csv"), row.names = FALSE)
  d <- read.csv(file.path(out, "weights.csv"), stringsAsFactors = TRUE)
  fits <- list()
  for (reml in c(TRUE, FALSE)) {
    m <- lmer(y ~ x + (1 | g), data = d, weights = w, REML = reml)
    m2 <- update(m, control = lmerControl(optimizer = "bobyqa"))
    if (deviance(m2, REML = reml) < deviance(m, REML = reml)) m <- m2
    fe <- summary(m)$coefficients
    fits[[if (reml) "reml" else "ml"]] <- list(
      r_call = sprintf("lmer(y ~ x + (1 | g), data = weights, weights = w, REML = %s)", reml),
      logLik = as.numeric(logLik(m)), deviance_or_criterion = as.numeric(deviance(m, REML = reml)),
      theta = as.numeric(getME(m, "theta")), sigma = sigma(m),
      sd_g__Intercept = as.numeric(attr(VarCorr(m)$g, "stddev")),
      b_Intercept = fe[1, 1], b_x = fe[2, 1], se_Intercept = fe[1, 2], se_x = fe[2, 2],
      ranef = as.numeric(ranef(m)$g[, 1]))
  }
  gm <- glmer(count ~ x + (1 | g), data = d, weights = wi, family = poisson)
  fe <- summary(gm)$coefficients
  fits$glmer_poisson <- list(r_call = "glmer(count ~ x + (1 | g), data = weights, weights = wi, family = poisson)",
    logLik = as.numeric(logLik(gm)), deviance = deviance(gm), theta = as.numeric(getME(gm, "theta")),
    b_Intercept = fe[1, 1], b_x = fe[2, 1], se_Intercept = fe[1, 2], se_x = fe[2, 2])
  write_json_file(c(list(data_csv = "weights.csv", lme4_version = as.character(packageVersion("lme4"))), fits), "lme4_weights.json")
  run_brms("weights_gaussian", "y | weights(w) ~ x + (1 | g)", d, "gaussian", "weights.csv")
}

# 5. trunc(): a gaussian truncated to [0, 4] (rejection sampling), 10 groups x 8 rows. brms'
#    fit of it (default priors, flat on b) does not converge: 5,504 divergent transitions of 20,000,
#    R-hat 1.04-1.05, b_x wandering to 8 (the truncated likelihood flattens as sigma and |b| grow
#    together), so brms_trunc_gaussian.json is not kept as a reference; the CSV is used by
#    PointwiseAdditionTermsTests.
if (wanted("trunc")) {
  set.seed(20261126)  # each of sections 5 and 6 has its own seed, so it can be rerun alone
  n <- 80; g <- rep(sprintf("t%02d", 1:10), each = 8); x <- round(rnorm(n), 3)
  u <- rnorm(10, 0, 0.6)[as.integer(factor(g))]
  y <- numeric(n)
  for (i in seq_len(n)) repeat { v <- 1.5 + 0.7 * x[i] + u[i] + rnorm(1, 0, 1.3); if (v >= 0 && v <= 4) { y[i] <- round(v, 3); break } }
  d <- data.frame(y = y, x = x, g = g)
  write.csv(d, file.path(out, "truncated_gaussian.csv"), row.names = FALSE)
  d <- read.csv(file.path(out, "truncated_gaussian.csv"), stringsAsFactors = TRUE)
  run_brms("trunc_gaussian", "y | trunc(lb = 0, ub = 4) ~ x + (1 | g)", d, "gaussian", "truncated_gaussian.csv")
}

# 6. mo(): a monotonic effect of an ordinal predictor (0..3, D = 3) beside a numeric one,
#    12 groups x 10 rows; the effect is bsp * D * sum(simo[1:edu]) (Buerkner & Charpentier 2020)
if (wanted("mo")) {
  set.seed(20261127)
  n <- 120; g <- rep(sprintf("m%02d", 1:12), each = 10); x <- round(rnorm(n), 3)
  edu <- sample(0:3, n, replace = TRUE, prob = c(0.3, 0.3, 0.25, 0.15))
  zeta <- c(0.6, 0.3, 0.1); u <- rnorm(12, 0, 0.7)[as.integer(factor(g))]
  effect <- sapply(edu, function(e) if (e == 0) 0 else 3 * sum(zeta[1:e]))
  y <- round(1 + 0.5 * effect + 0.4 * x + u + rnorm(n, 0, 0.9), 3)
  d <- data.frame(y = y, edu = edu, x = x, g = g)
  write.csv(d, file.path(out, "monotonic.csv"), row.names = FALSE)
  d <- read.csv(file.path(out, "monotonic.csv"), stringsAsFactors = TRUE)
  run_brms("mo_gaussian", "y ~ mo(edu) + x + (1 | g)", d, "gaussian", "monotonic.csv")
}
