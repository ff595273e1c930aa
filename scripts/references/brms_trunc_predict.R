# References for issue 20: predictions of truncated fits. brms 2.18's posterior_epred (the truncated
# mean, brms' posterior_epred_trunc_*) and posterior_predict (draws from the truncated distribution)
# of the two trunc() models of brms_dpars_trunc_mo.R, 4 chains x (1000 warm-up + 1000 draws),
# seed 20261208. Per row: the mean of the draws, their sd and MCSE of the mean (posterior's
# mcse_mean over the 4 chains).
#   trunc_predict_gaussian  y | trunc(lb = 0) ~ x + (1 | g)    gaussian, b ~ normal(0, 5)  (truncated_gaussian.csv)
#   trunc_predict_poisson   y | trunc(ub = 10) ~ x + (1 | g)   poisson                     (truncated_poisson.csv)
# Run from the repository root: nice -n 5 Rscript scripts/references/brms_trunc_predict.R [which...]
suppressMessages({library(brms); library(posterior); library(jsonlite)})
out <- "Tests/MultilevelModelsTests/Fixtures"
which <- commandArgs(trailingOnly = TRUE)
wanted <- function(name) length(which) == 0 || name %in% which
rows_summary <- function(m, chains) {
  # m: draws x rows matrix in chain order; per row mean, sd, mcse_mean.
  per_chain <- nrow(m) / chains
  lapply(seq_len(ncol(m)), function(i) {
    x <- matrix(m[, i], nrow = per_chain, ncol = chains)
    list(mean = mean(x), sd = sd(as.vector(x)), mcse_mean = mcse_mean(x))
  })
}
run <- function(name, formula, csv, family, prior = NULL) {
  d <- read.csv(file.path(out, csv), stringsAsFactors = TRUE)
  t0 <- Sys.time()
  fit <- brm(eval(parse(text = formula)), data = d, family = eval(parse(text = family)),
             prior = if (is.null(prior)) NULL else eval(parse(text = prior)), chains = 4, iter = 2000, warmup = 1000,
             seed = 20261208, cores = 2, refresh = 0, silent = 2)
  epred <- posterior_epred(fit)
  set.seed(20261208)
  pred <- posterior_predict(fit)
  draws <- as_draws_df(fit)
  vars <- grep("^(b_|sd_|sigma$)", variables(draws), value = TRUE)
  s <- summarise_draws(subset_draws(draws, variable = vars), mean, sd, mcse_mean)
  params <- list()
  for (k in seq_len(nrow(s))) params[[s$variable[k]]] <- list(mean = s$mean[k], sd = s$sd[k], mcse_mean = s$mcse_mean[k])
  x <- list(formula = formula, family = family, data_csv = csv, prior = prior, chains = 4, iter = 2000, warmup = 1000,
            seed = 20261208, brms_version = as.character(packageVersion("brms")),
            r_call = sprintf("brm(%s, data = %s, family = %s%s, chains = 4, iter = 2000, warmup = 1000, seed = 20261208); posterior_epred(fit); posterior_predict(fit)",
                             formula, sub("\\.csv$", "", csv), family, if (is.null(prior)) "" else paste0(", prior = ", prior)),
            seconds = as.numeric(Sys.time() - t0, units = "secs"), parameters = params,
            epred = rows_summary(epred, 4), predict = rows_summary(pred, 4))
  writeLines(toJSON(x, digits = NA, auto_unbox = TRUE, null = "null", na = "null", pretty = TRUE),
             file.path(out, paste0("brms_", name, ".json")))
  cat(name, "done in", x$seconds, "s\n")
}
if (wanted("gaussian"))
  run("trunc_predict_gaussian", "y | trunc(lb = 0) ~ x + (1 | g)", "truncated_gaussian.csv", "gaussian()",
      prior = "prior(normal(0, 5), class = b)")
if (wanted("poisson"))
  run("trunc_predict_poisson", "y | trunc(ub = 10) ~ x + (1 | g)", "truncated_poisson.csv", "poisson()")
