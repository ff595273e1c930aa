# References for brms' distributional regression (issue 20, point 4): bf(y ~ ..., dpar ~ ...)
# fitted by brms 2.18 with default priors, 4 chains x (1000 warm-up + 3000 draws), seed 20261207.
#   sleepstudy_sigma_days     bf(Reaction ~ Days + (Days | Subject), sigma ~ Days)           gaussian
#   sleepstudy_sigma_subject  bf(Reaction ~ Days + (Days | Subject), sigma ~ 1 + (1 | Subject)) gaussian
#   beta_phi_presidential     bf(demShare ~ south + (1 | state) + (1 | year), phi ~ south)   Beta
# Each fixture keeps the posterior summaries with their MCSEs and brms' prior_summary (with dpar).
# Run from the repository root: nice -n 19 Rscript scripts/references/brms_distributional.R [which...]
suppressMessages({library(brms); library(posterior); library(jsonlite)})
out <- "Tests/MultilevelModelsTests/Fixtures"
which <- commandArgs(trailingOnly = TRUE)
wanted <- function(name) length(which) == 0 || name %in% which
write_json_file <- function(x, name) writeLines(toJSON(x, digits = NA, auto_unbox = TRUE, null = "null", na = "null", pretty = TRUE),
                                               file.path(out, name))
summarise_fit <- function(fit) {
  draws <- as_draws_df(fit)
  vars <- grep("^(b_|sd_|cor_|sigma$|shape$|nu$|phi$)", variables(draws), value = TRUE)
  s <- summarise_draws(subset_draws(draws, variable = vars), mean, sd, ~quantile(.x, probs = c(0.025, 0.975)),
                       rhat, ess_bulk, ess_tail, mcse_mean, mcse_sd, ~mcse_quantile(.x, probs = c(0.025, 0.975)))
  params <- list()
  for (k in seq_len(nrow(s))) params[[s$variable[k]]] <- list(mean = s$mean[k], sd = s$sd[k], q2.5 = s$`2.5%`[k],
    q97.5 = s$`97.5%`[k], rhat = s$rhat[k], ess_bulk = s$ess_bulk[k], ess_tail = s$ess_tail[k], mcse_mean = s$mcse_mean[k],
    mcse_sd = s$mcse_sd[k], mcse_q2.5 = s$mcse_q2.5[k], mcse_q97.5 = s$mcse_q97.5[k])
  np <- nuts_params(fit)
  ps <- as.data.frame(prior_summary(fit))
  list(parameters = params, divergences = sum(np$Value[np$Parameter == "divergent__"]),
       priors = lapply(split(ps[, c("prior", "class", "coef", "group", "dpar", "source")], seq_len(nrow(ps))), as.list))
}
run_brms <- function(name, formula, data, family, csv) {
  t0 <- Sys.time()
  fit <- brm(eval(parse(text = formula)), data = data, family = eval(parse(text = family)), chains = 4, iter = 4000,
             warmup = 1000, seed = 20261207, cores = 2, refresh = 0, silent = 2)
  s <- summarise_fit(fit)
  x <- c(list(formula = formula, family = family, data_csv = csv, chains = 4, iter = 4000, warmup = 1000, seed = 20261207,
              brms_version = as.character(packageVersion("brms")),
              r_call = sprintf("brm(%s, data = %s, family = %s, chains = 4, iter = 4000, warmup = 1000, seed = 20261207, cores = 2)",
                               formula, sub("\\.csv$", "", csv), family),
              seconds = as.numeric(Sys.time() - t0, units = "secs")), s)
  write_json_file(x, paste0("brms_", name, ".json"))
  print(summary(fit))
}
sleep <- read.csv(file.path(out, "sleepstudy.csv"), stringsAsFactors = TRUE)
sleep$Subject <- factor(sleep$Subject)
if (wanted("sigma_days"))
  run_brms("sleepstudy_sigma_days", "bf(Reaction ~ Days + (Days | Subject), sigma ~ Days)", sleep, "gaussian()", "sleepstudy.csv")
if (wanted("sigma_subject"))
  run_brms("sleepstudy_sigma_subject", "bf(Reaction ~ Days + (Days | Subject), sigma ~ 1 + (1 | Subject))", sleep, "gaussian()",
           "sleepstudy.csv")
if (wanted("phi_south")) {
  pe <- read.csv(file.path(out, "presidentialElections.csv"), stringsAsFactors = TRUE)
  pe$year <- factor(pe$year)
  run_brms("beta_phi_presidential", "bf(demShare ~ south + (1 | state) + (1 | year), phi ~ south)", pe, "Beta()",
           "presidentialElections.csv")
}
