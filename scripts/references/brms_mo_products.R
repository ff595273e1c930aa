# References for issue 20, point 3: products of monotonic effects and mo() with a factor, brms 2.18,
# 4 chains x (1000 warm-up + 2000 draws), seed 20261208, default priors.
#   mo_product  y ~ mo(edu) * mo(w) + (1 | g)   brms: bsp_moedu:mow * mo(simo_moedu:mow1, edu) * mo(simo_moedu:mow2, w)
#   mo_factor   y ~ mo(edu) * f + (1 | g)       brms: one bsp and simplex per contrast column (moedu:fb, moedu:fc)
# The data (monotonic_products.csv) are simulated here: 240 rows, 12 groups, edu 0-3, w 0-2, f a/b/c.
# Run from the repository root: nice -n 5 Rscript scripts/references/brms_mo_products.R [which...]
suppressMessages({library(brms); library(posterior); library(jsonlite)})
out <- "Tests/MultilevelModelsTests/Fixtures"
which <- commandArgs(trailingOnly = TRUE)
wanted <- function(name) length(which) == 0 || name %in% which
csv <- file.path(out, "monotonic_products.csv")
if (!file.exists(csv)) {
  set.seed(20261208)
  n <- 240; g <- rep(sprintf("q%02d", 1:12), each = 20)
  edu <- sample(0:3, n, TRUE); w <- sample(0:2, n, TRUE); f <- sample(c("a", "b", "c"), n, TRUE)
  moe <- c(0, 0.6, 0.8, 1)[edu + 1]; mow <- c(0, 0.3, 1)[w + 1]
  u <- rnorm(12, 0, 0.5)[as.integer(factor(g))]
  y <- 1 + 1.2 * moe + 0.8 * mow + 0.9 * moe * mow + c(a = 0, b = 0.4, c = -0.3)[f] + c(a = 0, b = 0.7, c = -0.5)[f] * moe + u +
    rnorm(n, 0, 0.8)
  write.csv(data.frame(y = round(y, 3), edu = edu, w = w, f = f, g = g), csv, row.names = FALSE)
}
d <- read.csv(csv, stringsAsFactors = TRUE)
run <- function(name, formula) {
  t0 <- Sys.time()
  fit <- brm(eval(parse(text = formula)), data = d, family = gaussian(), chains = 4, iter = 3000, warmup = 1000,
             seed = 20261208, cores = 2, refresh = 0, silent = 2)
  draws <- as_draws_df(fit)
  vars <- grep("^(b_|bsp_|simo_|sd_|cor_|sigma$)", variables(draws), value = TRUE)
  s <- summarise_draws(subset_draws(draws, variable = vars), mean, sd, ~quantile(.x, probs = c(0.025, 0.975)),
                       rhat, ess_bulk, ess_tail, mcse_mean, mcse_sd, ~mcse_quantile(.x, probs = c(0.025, 0.975)))
  params <- list()
  for (k in seq_len(nrow(s))) params[[s$variable[k]]] <- list(mean = s$mean[k], sd = s$sd[k], q2.5 = s$`2.5%`[k],
    q97.5 = s$`97.5%`[k], rhat = s$rhat[k], ess_bulk = s$ess_bulk[k], ess_tail = s$ess_tail[k], mcse_mean = s$mcse_mean[k],
    mcse_sd = s$mcse_sd[k], mcse_q2.5 = s$mcse_q2.5[k], mcse_q97.5 = s$mcse_q97.5[k])
  np <- nuts_params(fit)
  ps <- as.data.frame(prior_summary(fit))
  x <- list(formula = formula, family = "gaussian()", data_csv = "monotonic_products.csv", chains = 4, iter = 3000,
            warmup = 1000, seed = 20261208, brms_version = as.character(packageVersion("brms")),
            r_call = sprintf("brm(%s, data = monotonic_products, family = gaussian(), chains = 4, iter = 3000, warmup = 1000, seed = 20261208)", formula),
            seconds = as.numeric(Sys.time() - t0, units = "secs"), parameters = params,
            divergences = sum(np$Value[np$Parameter == "divergent__"]),
            priors = lapply(split(ps[, c("prior", "class", "coef", "group", "dpar", "source")], seq_len(nrow(ps))), as.list),
            stancode_mu = grep("mu\\[n\\] \\+=", strsplit(stancode(fit), "\n")[[1]], value = TRUE))
  writeLines(toJSON(x, digits = NA, auto_unbox = TRUE, null = "null", na = "null", pretty = TRUE),
             file.path(out, paste0("brms_", name, ".json")))
  cat(name, "done in", x$seconds, "s\n")
}
if (wanted("mo_product")) run("mo_product", "y ~ mo(edu) * mo(w) + (1 | g)")
if (wanted("mo_factor")) run("mo_factor", "y ~ mo(edu) * f + (1 | g)")
