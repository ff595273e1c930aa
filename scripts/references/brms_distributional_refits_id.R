# References for issue 20's last distributional (bf()) questions:
#   kfold   brms' kfold of bf(Reaction ~ Days + (Days | Subject), sigma ~ Days) on sleepstudy with the
#           folds given explicitly (folds = rep(1:5, length.out = 180), so that both sides hold out
#           the same rows), 4 chains x (500 warm-up + 1000 draws), seed 20261208: elpd_kfold and each
#           row's elpd with its Monte Carlo SE (from the saved refits' held-out log-likelihood).
#   id      group-level effects correlated across dpars with brms' |ID| syntax,
#           bf(Reaction ~ Days + (1 |p| Subject), sigma ~ (1 |p| Subject)) and
#           bf(Reaction ~ Days + (Days |p| Subject), sigma ~ Days + (1 |p| Subject)), default priors,
#           4 chains x (1000 warm-up + 2000 draws), seed 20261208: posterior summaries with MCSEs,
#           one fixture per model (brms_distributional_id_intercepts.json, brms_distributional_id_slopes.json).
#   weights brms' weights() with a predicted sigma: bf(y | weights(w) ~ x + (1 | g), sigma ~ x) on weights.csv
#           (12 groups x 8 rows, formula_addition_terms.R), default priors, 4 chains x (1000 warm-up + 2000
#           draws), seed 20261208: posterior summaries with MCSEs (brms_distributional_weights.json).
# Run from the repository root:
#   nice -n 5 Rscript scripts/references/brms_distributional_refits_id.R [kfold] [id] [weights]
suppressMessages({library(brms); library(posterior); library(jsonlite); library(loo)})
out <- "Tests/MultilevelModelsTests/Fixtures"
which <- commandArgs(trailingOnly = TRUE)
wanted <- function(name) length(which) == 0 || name %in% which
write_json_file <- function(x, name) writeLines(toJSON(x, digits = NA, auto_unbox = TRUE, null = "null", na = "null", pretty = TRUE),
                                               file.path(out, name))
sleep <- read.csv(file.path(out, "sleepstudy.csv"), stringsAsFactors = TRUE)
sleep$Subject <- factor(sleep$Subject)
seed <- 20261208

param_summary <- function(fit) {
  draws <- as_draws_df(fit)
  vars <- grep("^(b_|sd_|cor_|sigma$)", variables(draws), value = TRUE)
  s <- summarise_draws(subset_draws(draws, variable = vars), mean, sd, ~quantile(.x, probs = c(0.025, 0.975)),
                       mcse_mean, mcse_sd, ~mcse_quantile(.x, probs = c(0.025, 0.975)), rhat, ess_bulk, ess_tail)
  params <- list()
  for (k in seq_len(nrow(s))) params[[s$variable[k]]] <- list(mean = s$mean[k], sd = s$sd[k], q2.5 = s$`2.5%`[k],
    q97.5 = s$`97.5%`[k], mcse_mean = s$mcse_mean[k], mcse_sd = s$mcse_sd[k], mcse_q2.5 = s$mcse_q2.5[k],
    mcse_q97.5 = s$mcse_q97.5[k], rhat = s$rhat[k], ess_bulk = s$ess_bulk[k], ess_tail = s$ess_tail[k])
  params
}

if (wanted("kfold")) {
  t0 <- Sys.time()
  chains <- 4; iter <- 1500; warmup <- 500
  folds <- rep(1:5, length.out = nrow(sleep))
  fit <- brm(bf(Reaction ~ Days + (Days | Subject), sigma ~ Days), data = sleep, family = gaussian(), chains = chains,
             iter = iter, warmup = warmup, seed = seed, cores = 2, refresh = 0, silent = 2)
  kf <- kfold(fit, folds = folds, save_fits = TRUE, seed = seed, cores = 2)
  # Each held-out row's elpd and its MCSE from the refit's draws (chains kept apart for the ESS).
  elpd <- numeric(nrow(sleep)); mcse <- numeric(nrow(sleep))
  for (k in seq_len(nrow(kf$fits))) {
    rows <- kf$fits[k, ]$omitted
    ll <- log_lik(kf$fits[k, ]$fit, newdata = sleep[rows, ], allow_new_levels = TRUE)
    n <- nrow(ll) / chains
    for (j in seq_along(rows)) {
      l <- ll[, j]; m <- max(l); w <- exp(l - m)
      elpd[rows[j]] <- m + log(mean(w))
      mcse[rows[j]] <- mcse_mean(matrix(w, nrow = n, ncol = chains)) / mean(w)
    }
  }
  write_json_file(list(formula = "bf(Reaction ~ Days + (Days | Subject), sigma ~ Days)", family = "gaussian",
                       data_csv = "sleepstudy.csv", chains = chains, iter = iter, warmup = warmup, seed = seed,
                       brms_version = as.character(packageVersion("brms")),
                       r_call = "kfold(brm(bf(Reaction ~ Days + (Days | Subject), sigma ~ Days), sleepstudy, chains = 4, iter = 1500, warmup = 500), folds = rep(1:5, length.out = 180), save_fits = TRUE)",
                       folds = folds,
                       elpd_kfold = kf$estimates["elpd_kfold", "Estimate"], se_elpd_kfold = kf$estimates["elpd_kfold", "SE"],
                       p_kfold = kf$estimates["p_kfold", "Estimate"],
                       pointwise_elpd_kfold = kf$pointwise[, "elpd_kfold"], pointwise_elpd_recomputed = elpd,
                       pointwise_mcse = mcse, seconds = as.numeric(Sys.time() - t0, units = "secs")),
                  "brms_distributional_kfold.json")
  print(kf)
}

if (wanted("id")) {
  chains <- 4; iter <- 3000; warmup <- 1000
  models <- list(
    intercepts = bf(Reaction ~ Days + (1 |p| Subject), sigma ~ (1 |p| Subject)),
    slopes = bf(Reaction ~ Days + (Days |p| Subject), sigma ~ Days + (1 |p| Subject)))
  texts <- c(intercepts = "bf(Reaction ~ Days + (1 |p| Subject), sigma ~ (1 |p| Subject))",
             slopes = "bf(Reaction ~ Days + (Days |p| Subject), sigma ~ Days + (1 |p| Subject))")
  for (name in names(models)) {
    t0 <- Sys.time()
    fit <- brm(models[[name]], data = sleep, family = gaussian(), chains = chains, iter = iter, warmup = warmup,
               seed = seed, cores = 2, refresh = 0, silent = 2)
    np <- nuts_params(fit)
    result <- list(formula = texts[[name]], family = "gaussian", data_csv = "sleepstudy.csv", chains = chains,
                           iter = iter, warmup = warmup, seed = seed, brms_version = as.character(packageVersion("brms")),
                           divergences = sum(np$Value[np$Parameter == "divergent__"]),
                           parameters = param_summary(fit), prior_summary = lapply(split(as.data.frame(prior_summary(fit))[, c("prior", "class", "coef", "group", "dpar")], seq_len(nrow(prior_summary(fit)))), as.list),
                           seconds = as.numeric(Sys.time() - t0, units = "secs"))
    write_json_file(result, paste0("brms_distributional_id_", name, ".json"))
    print(summary(fit))
  }
}

if (wanted("weights")) {
  t0 <- Sys.time()
  chains <- 4; iter <- 3000; warmup <- 1000
  d <- read.csv(file.path(out, "weights.csv"), stringsAsFactors = TRUE)
  fit <- brm(bf(y | weights(w) ~ x + (1 | g), sigma ~ x), data = d, family = gaussian(), chains = chains, iter = iter,
             warmup = warmup, seed = seed, cores = 2, refresh = 0, silent = 2)
  np <- nuts_params(fit)
  ll <- log_lik(fit)
  write_json_file(list(formula = "bf(y | weights(w) ~ x + (1 | g), sigma ~ x)", family = "gaussian", data_csv = "weights.csv",
                       chains = chains, iter = iter, warmup = warmup, seed = seed,
                       brms_version = as.character(packageVersion("brms")),
                       divergences = sum(np$Value[np$Parameter == "divergent__"]), parameters = param_summary(fit),
                       log_lik_mean_row1 = mean(ll[, 1]), seconds = as.numeric(Sys.time() - t0, units = "secs")),
                  "brms_distributional_weights.json")
  print(summary(fit))
}
