# References for issue 20's remaining points: zi/hu dpars, trunc() and mo() in interactions and
# group-level terms. brms 2.18, 4 chains x (1000 warm-up + 3000 draws), seed 20261207.
#   zip_zi_salamanders     bf(count ~ mined + (1 | site), zi ~ mined)      zero_inflated_poisson
#   hurdle_hu_salamanders  bf(count ~ mined + (1 | site), hu ~ mined)      hurdle_poisson
#   trunc_lb_gaussian      y | trunc(lb = 0) ~ x + (1 | g)                 gaussian, b ~ normal(0, 5)
#   trunc_ub_poisson       y | trunc(ub = 10) ~ x + (1 | g)                poisson (simulated, written here)
#   mo_interaction         y ~ mo(edu) + mo(edu):x + (1 | g)               gaussian (monotonic.csv)
#   mo_group               y ~ mo(edu) + x + (mo(edu) | g)                 gaussian (monotonic.csv)
# Each fixture keeps the posterior summaries with their MCSEs and brms' prior_summary (with dpar).
# Run from the repository root: nice -n 5 Rscript scripts/references/brms_dpars_trunc_mo.R [which...]
suppressMessages({library(brms); library(posterior); library(jsonlite)})
out <- "Tests/MultilevelModelsTests/Fixtures"
which <- commandArgs(trailingOnly = TRUE)
wanted <- function(name) length(which) == 0 || name %in% which
write_json_file <- function(x, name) writeLines(toJSON(x, digits = NA, auto_unbox = TRUE, null = "null", na = "null", pretty = TRUE),
                                               file.path(out, name))
summarise_fit <- function(fit) {
  draws <- as_draws_df(fit)
  vars <- grep("^(b_|bsp_|simo_|sd_|cor_|sigma$|shape$|nu$|phi$|zi$|hu$)", variables(draws), value = TRUE)
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
run_brms <- function(name, formula, data, family, csv, prior = NULL) {
  t0 <- Sys.time()
  fit <- brm(eval(parse(text = formula)), data = data, family = eval(parse(text = family)),
             prior = if (is.null(prior)) NULL else eval(parse(text = prior)), chains = 4, iter = 4000,
             warmup = 1000, seed = 20261207, cores = 2, refresh = 0, silent = 2)
  s <- summarise_fit(fit)
  x <- c(list(formula = formula, family = family, data_csv = csv, prior = prior, chains = 4, iter = 4000, warmup = 1000,
              seed = 20261207, brms_version = as.character(packageVersion("brms")),
              r_call = sprintf("brm(%s, data = %s, family = %s%s, chains = 4, iter = 4000, warmup = 1000, seed = 20261207, cores = 2)",
                               formula, sub("\\.csv$", "", csv), family, if (is.null(prior)) "" else paste0(", prior = ", prior)),
              seconds = as.numeric(Sys.time() - t0, units = "secs")), s)
  write_json_file(x, paste0("brms_", name, ".json"))
  print(summary(fit))
}
sal <- read.csv(file.path(out, "Salamanders.csv"), stringsAsFactors = TRUE)
if (wanted("zi"))
  run_brms("zip_zi_salamanders", "bf(count ~ mined + (1 | site), zi ~ mined)", sal, "zero_inflated_poisson()", "Salamanders.csv")
if (wanted("trunc_lb")) {
  d <- read.csv(file.path(out, "truncated_gaussian.csv"), stringsAsFactors = TRUE)
  run_brms("trunc_lb_gaussian", "y | trunc(lb = 0) ~ x + (1 | g)", d, "gaussian()", "truncated_gaussian.csv",
           prior = "prior(normal(0, 5), class = b)")
}
if (wanted("trunc_ub")) {
  # Poisson counts with log mean 1.6 + 0.5 x + u_g, u_g ~ N(0, 0.4), kept when <= 10 (rejection), 12 groups x 10 rows.
  set.seed(20261207)
  n <- 120; g <- rep(sprintf("p%02d", 1:12), each = 10); x <- round(rnorm(n), 3)
  u <- rnorm(12, 0, 0.4)[as.integer(factor(g))]
  y <- integer(n)
  for (i in seq_len(n)) repeat { v <- rpois(1, exp(1.6 + 0.5 * x[i] + u[i])); if (v <= 10) { y[i] <- v; break } }
  write.csv(data.frame(y = y, x = x, g = g), file.path(out, "truncated_poisson.csv"), row.names = FALSE)
  d <- read.csv(file.path(out, "truncated_poisson.csv"), stringsAsFactors = TRUE)
  run_brms("trunc_ub_poisson", "y | trunc(ub = 10) ~ x + (1 | g)", d, "poisson()", "truncated_poisson.csv")
}
if (wanted("hu"))
  run_brms("hurdle_hu_salamanders", "bf(count ~ mined + (1 | site), hu ~ mined)", sal, "hurdle_poisson()", "Salamanders.csv")
mono <- read.csv(file.path(out, "monotonic.csv"), stringsAsFactors = TRUE)
if (wanted("mo_interaction"))
  run_brms("mo_interaction", "y ~ mo(edu) + mo(edu):x + (1 | g)", mono, "gaussian()", "monotonic.csv")
if (wanted("mo_group"))
  run_brms("mo_group", "y ~ mo(edu) + x + (mo(edu) | g)", mono, "gaussian()", "monotonic.csv")
