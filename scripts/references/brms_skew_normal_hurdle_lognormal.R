# brms references for the skew_normal and hurdle_lognormal families (issue 19).
# Simulates two multilevel data sets (30 groups x 10 rows), writes them as CSV fixtures (and to
# models/), writes brms' densities at a grid of points (family_skew_hurdle_density.json), then fits
# brms 2.18 defaults, 4 chains x (1000 warm-up + 2000 draws), and writes the posterior summaries
# (posterior package: mean, sd, quantiles, R-hat, ESS, MCSE), brms' prior_summary() and the
# generated Stan code's likelihood lines as brms_skew_normal_sim.json and brms_hurdle_lognormal_sim.json.
# Run from the repository root: Rscript scripts/references/brms_skew_normal_hurdle_lognormal.R
suppressMessages({library(brms); library(posterior); library(jsonlite)})
out <- "Tests/MultilevelModelsTests/Fixtures"
seed <- 20261207

# --- data -------------------------------------------------------------------------------------
set.seed(seed)
groups <- 30; per <- 10; n <- groups * per
g <- sprintf("g%02d", rep(seq_len(groups), each = per))
x <- round(rnorm(n), 4)
u <- rnorm(groups, 0, 0.5)[rep(seq_len(groups), each = per)]
y <- round(rskew_normal(n, mu = 1 + 0.5 * x + u, sigma = 1, alpha = 4), 5)
skew <- data.frame(y = y, x = x, g = g)
write.csv(skew, file.path(out, "skew_normal_sim.csv"), row.names = FALSE, quote = FALSE)
write.csv(skew, "models/skew_normal_sim.csv", row.names = FALSE, quote = FALSE)

x2 <- round(rnorm(n), 4)
u2 <- rnorm(groups, 0, 0.4)[rep(seq_len(groups), each = per)]
zero <- runif(n) < 0.3
y2 <- ifelse(zero, 0, round(rlnorm(n, 0.5 + 0.3 * x2 + u2, 0.6), 5))
hurdle <- data.frame(y = y2, x = x2, g = g)
write.csv(hurdle, file.path(out, "hurdle_lognormal_sim.csv"), row.names = FALSE, quote = FALSE)
write.csv(hurdle, "models/hurdle_lognormal_sim.csv", row.names = FALSE, quote = FALSE)

# --- densities (brms' own density functions) ----------------------------------------------------
grid <- expand.grid(y = c(-3, -0.7, 0, 0.4, 1.3, 4.2), mu = c(-1, 0.3, 2), sigma = c(0.4, 1.7),
                    alpha = c(-6, -0.5, 0, 1.2, 4, 30))
grid$logd <- mapply(function(y, mu, sigma, alpha) dskew_normal(y, mu, sigma, alpha, log = TRUE),
                    grid$y, grid$mu, grid$sigma, grid$alpha)
hgrid <- expand.grid(y = c(0, 0.05, 0.8, 2.5, 40), mu = c(-1, 0.3, 2), sigma = c(0.3, 1.4), hu = c(0.05, 0.3, 0.9))
hgrid$logd <- mapply(function(y, mu, sigma, hu) dhurdle_lognormal(y, mu, sigma, hu, log = TRUE),
                     hgrid$y, hgrid$mu, hgrid$sigma, hgrid$hu)
writeLines(toJSON(list(source = "brms 2.18 dskew_normal / dhurdle_lognormal (log = TRUE)",
                       skew_normal = grid, hurdle_lognormal = hgrid), digits = I(15), pretty = TRUE),
           file.path(out, "family_skew_hurdle_density.json"))

# --- fits ---------------------------------------------------------------------------------------
run <- function(name, data, family, familyText) {
  formula <- y ~ x + (1 | g)
  t0 <- Sys.time()
  fit <- brm(formula, data = data, family = family, chains = 4, iter = 3000, warmup = 1000,
             seed = seed, refresh = 0, silent = 2, cores = 2)
  seconds <- as.numeric(difftime(Sys.time(), t0, units = "secs"))
  draws <- as_draws_df(fit)
  vars <- grep("^(b_|sd_|cor_|sigma$|alpha$|hu$)", variables(draws), value = TRUE)
  s <- summarise_draws(subset_draws(draws, variable = vars), mean, median, sd,
                       ~quantile(.x, probs = c(0.025, 0.975)), rhat, ess_bulk, ess_tail, mcse_mean,
                       ~mcse_quantile(.x, probs = c(0.025, 0.975)))
  params <- list()
  for (k in seq_len(nrow(s))) {
    params[[s$variable[k]]] <- list(mean = s$mean[k], median = s$median[k], sd = s$sd[k],
                                    q2.5 = s$`2.5%`[k], q97.5 = s$`97.5%`[k], rhat = s$rhat[k],
                                    ess_bulk = s$ess_bulk[k], ess_tail = s$ess_tail[k],
                                    mcse_mean = s$mcse_mean[k], mcse_q2.5 = s$mcse_q2.5[k],
                                    mcse_q97.5 = s$mcse_q97.5[k])
  }
  np <- nuts_params(fit)
  ps <- as.data.frame(prior_summary(fit))
  code <- strsplit(stancode(fit), "\n")[[1]]
  writeLines(toJSON(list(
    formula = "y ~ x + (1 | g)", family = familyText, data_csv = paste0(name, ".csv"),
    chains = 4, iter = 3000, warmup = 1000, seed = seed,
    brms_version = as.character(packageVersion("brms")), rstan_version = as.character(packageVersion("rstan")),
    seconds = seconds,
    divergences = sum(np$Value[np$Parameter == "divergent__"]),
    priors = ps[, c("prior", "class", "coef", "group", "resp", "dpar", "nlpar", "lb", "ub", "source")],
    stan_likelihood = grep("target \\+=|skew_normal|hurdle|lognormal|omega|delta", code, value = TRUE),
    parameters = params), auto_unbox = TRUE, digits = I(15), pretty = TRUE, na = "null"),
    file.path(out, paste0("brms_", name, ".json")))
  print(s)
  print(prior_summary(fit))
}
run("skew_normal_sim", skew, skew_normal(), "skew_normal()")
run("hurdle_lognormal_sim", hurdle, hurdle_lognormal(), "hurdle_lognormal()")
