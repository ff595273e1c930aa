# References for what a user does with a brms distributional fit afterwards (issue 20, point 4):
# loo, posterior_epred / posterior_predict / posterior_linpred(dpar = "sigma") on new rows, and
# user priors with dpar = (prior_summary, and a fit under a tight prior).
#   postfit       bf(Reaction ~ Days + (Days | Subject), sigma ~ Days), gaussian, default priors,
#                 4 chains x (500 warm-up + 1500 draws), seed 20261207: loo (elpd_loo, p_loo, looic,
#                 MCSE, pointwise), predictions on new rows with MCSEs of every summary.
#   priors        prior_summary of brm(empty = TRUE) with user priors carrying dpar = sigma.
#   tight         the postfit model with prior(normal(0.2, 0.01), class = b, coef = Days, dpar = sigma)
#                 and prior(normal(3, 0.5), class = Intercept, dpar = sigma): posterior summaries.
# Run from the repository root:
#   nice -n 5 Rscript scripts/references/brms_distributional_postfit.R [postfit] [priors] [tight]
suppressMessages({library(brms); library(posterior); library(jsonlite); library(loo)})
out <- "Tests/MultilevelModelsTests/Fixtures"
which <- commandArgs(trailingOnly = TRUE)
wanted <- function(name) length(which) == 0 || name %in% which
write_json_file <- function(x, name) writeLines(toJSON(x, digits = NA, auto_unbox = TRUE, null = "null", na = "null", pretty = TRUE),
                                               file.path(out, name))
sleep <- read.csv(file.path(out, "sleepstudy.csv"), stringsAsFactors = TRUE)
sleep$Subject <- factor(sleep$Subject)
formula <- bf(Reaction ~ Days + (Days | Subject), sigma ~ Days)
chains <- 4; iter <- 2000; warmup <- 500; seed <- 20261207

# Summaries of a draws x rows matrix (chains stacked) with posterior's MCSEs.
summarise_matrix <- function(m) {
  n <- nrow(m) / chains
  lapply(seq_len(ncol(m)), function(j) {
    x <- matrix(m[, j], nrow = n, ncol = chains)
    list(mean = mean(x), sd = sd(x), q2.5 = unname(quantile(x, 0.025)), q97.5 = unname(quantile(x, 0.975)),
         mcse_mean = mcse_mean(x), mcse_sd = mcse_sd(x), mcse_q2.5 = unname(mcse_quantile(x, 0.025)),
         mcse_q97.5 = unname(mcse_quantile(x, 0.975)))
  })
}
param_summary <- function(fit) {
  draws <- as_draws_df(fit)
  vars <- grep("^(b_|sd_|cor_|sigma$)", variables(draws), value = TRUE)
  s <- summarise_draws(subset_draws(draws, variable = vars), mean, sd, ~quantile(.x, probs = c(0.025, 0.975)),
                       mcse_mean, mcse_sd, ~mcse_quantile(.x, probs = c(0.025, 0.975)))
  params <- list()
  for (k in seq_len(nrow(s))) params[[s$variable[k]]] <- list(mean = s$mean[k], sd = s$sd[k], q2.5 = s$`2.5%`[k],
    q97.5 = s$`97.5%`[k], mcse_mean = s$mcse_mean[k], mcse_sd = s$mcse_sd[k], mcse_q2.5 = s$mcse_q2.5[k],
    mcse_q97.5 = s$mcse_q97.5[k])
  params
}
prior_rows <- function(ps) {
  ps <- as.data.frame(ps)
  lapply(split(ps[, c("prior", "class", "coef", "group", "dpar", "source")], seq_len(nrow(ps))), as.list)
}

if (wanted("postfit")) {
  t0 <- Sys.time()
  fit <- brm(formula, data = sleep, family = gaussian(), chains = chains, iter = iter, warmup = warmup, seed = seed,
             cores = 2, refresh = 0, silent = 2)
  l <- loo(fit)
  pw <- as.data.frame(l$pointwise)
  newdata <- data.frame(Days = c(0, 9, 4.5, 2, 8), Subject = factor(c("308", "308", "335", "new1", "new2")))
  known <- newdata[1:3, ]
  pred <- list(
    epred_full = summarise_matrix(posterior_epred(fit, newdata = newdata, allow_new_levels = TRUE)),
    epred_na = summarise_matrix(posterior_epred(fit, newdata = newdata, re_formula = NA)),
    prediction_full = summarise_matrix(posterior_predict(fit, newdata = known)),
    prediction_na = summarise_matrix(posterior_predict(fit, newdata = newdata, re_formula = NA)),
    linpred_full = summarise_matrix(posterior_linpred(fit, newdata = known)),
    linpred_sigma = summarise_matrix(posterior_linpred(fit, newdata = newdata, dpar = "sigma", re_formula = NA)),
    epred_sigma = summarise_matrix(posterior_epred(fit, newdata = newdata, dpar = "sigma", re_formula = NA)))
  x <- list(formula = "bf(Reaction ~ Days + (Days | Subject), sigma ~ Days)", family = "gaussian", data_csv = "sleepstudy.csv",
            chains = chains, iter = iter, warmup = warmup, seed = seed, brms_version = as.character(packageVersion("brms")),
            loo_version = as.character(packageVersion("loo")),
            r_call = "brm(bf(Reaction ~ Days + (Days | Subject), sigma ~ Days), data = sleepstudy, chains = 4, iter = 2000, warmup = 500, seed = 20261207); loo(fit); posterior_epred/predict/linpred(newdata)",
            loo = list(elpd_loo = l$estimates["elpd_loo", "Estimate"], se_elpd_loo = l$estimates["elpd_loo", "SE"],
                       p_loo = l$estimates["p_loo", "Estimate"], se_p_loo = l$estimates["p_loo", "SE"],
                       looic = l$estimates["looic", "Estimate"], mcse_elpd_loo = mcse_loo(l),
                       pointwise_elpd_loo = pw$elpd_loo, pointwise_mcse_elpd_loo = pw$mcse_elpd_loo,
                       pointwise_p_loo = pw$p_loo, pareto_k = pw$influence_pareto_k),
            newdata = list(Days = newdata$Days, Subject = as.character(newdata$Subject)),
            known_rows = 3, predictions = pred, parameters = param_summary(fit),
            seconds = as.numeric(Sys.time() - t0, units = "secs"))
  write_json_file(x, "brms_distributional_postfit.json")
  print(l)
}

if (wanted("priors")) {
  priors <- c(prior(normal(0, 1), class = b, dpar = sigma),
              prior(normal(3, 1), class = Intercept, dpar = sigma),
              prior(exponential(2), class = sd, dpar = sigma, group = Subject),
              prior(normal(10, 5), class = b, coef = Days))
  f2 <- bf(Reaction ~ Days + (Days | Subject), sigma ~ Days + (1 | Subject))
  e <- brm(f2, data = sleep, family = gaussian(), prior = priors, empty = TRUE)
  write_json_file(list(formula = "bf(Reaction ~ Days + (Days | Subject), sigma ~ Days + (1 | Subject))",
                       priors = c("normal(0, 1), class = b, dpar = sigma", "normal(3, 1), class = Intercept, dpar = sigma",
                                  "exponential(2), class = sd, dpar = sigma, group = Subject", "normal(10, 5), class = b, coef = Days"),
                       prior_summary = prior_rows(prior_summary(e))),
                  "brms_distributional_user_priors.json")
  print(prior_summary(e))
}

if (wanted("tight")) {
  t0 <- Sys.time()
  priors <- c(prior(normal(0.2, 0.01), class = b, coef = Days, dpar = sigma),
              prior(normal(3, 0.5), class = Intercept, dpar = sigma))
  fit <- brm(formula, data = sleep, family = gaussian(), prior = priors, chains = chains, iter = iter, warmup = warmup,
             seed = seed, cores = 2, refresh = 0, silent = 2)
  write_json_file(list(formula = "bf(Reaction ~ Days + (Days | Subject), sigma ~ Days)",
                       priors = c("normal(0.2, 0.01), class = b, coef = Days, dpar = sigma", "normal(3, 0.5), class = Intercept, dpar = sigma"),
                       chains = chains, iter = iter, warmup = warmup, seed = seed, parameters = param_summary(fit),
                       prior_summary = prior_rows(prior_summary(fit)), seconds = as.numeric(Sys.time() - t0, units = "secs")),
                  "brms_distributional_tight_prior.json")
  print(summary(fit))
}
