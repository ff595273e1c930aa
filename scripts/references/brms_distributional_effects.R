# References for the post-fit questions of a brms distributional fit (issue 20): conditional_effects
# of the mean and of dpar = "sigma", hypothesis() on the sigma coefficients, bayes_R2.
#   bf(Reaction ~ Days + (Days | Subject), sigma ~ Days), gaussian, sleepstudy, default priors,
#   4 chains x (1000 warm-up + 3000 draws), seed 20261207.
# The conditional effects are posterior_epred on conditional_effects' own grid (100 points over the
# range of Days, re_formula = NA), summarised as conditional_effects does (median, 2.5% and 97.5%
# quantiles; robust = TRUE) with posterior's MCSEs of each; conditional_effects' estimate__,
# lower__, upper__ are stored too. hypothesis(): Estimate, Est.Error, CI.Lower, CI.Upper,
# Evid.Ratio, Post.Prob with the MCSEs of the underlying draws' mean and quantiles.
# Run from the repository root: nice -n 5 Rscript scripts/references/brms_distributional_effects.R
suppressMessages({library(brms); library(posterior); library(jsonlite)})
out <- "Tests/MultilevelModelsTests/Fixtures"
write_json_file <- function(x, name) writeLines(toJSON(x, digits = NA, auto_unbox = TRUE, null = "null", na = "null", pretty = TRUE),
                                               file.path(out, name))
sleep <- read.csv(file.path(out, "sleepstudy.csv"), stringsAsFactors = TRUE)
sleep$Subject <- factor(sleep$Subject)
chains <- 4; iter <- 4000; warmup <- 1000; seed <- 20261207
t0 <- Sys.time()
fit <- brm(bf(Reaction ~ Days + (Days | Subject), sigma ~ Days), data = sleep, family = gaussian(), chains = chains,
           iter = iter, warmup = warmup, seed = seed, cores = 2, refresh = 0, silent = 2)
n <- (iter - warmup)
as_chains <- function(v) matrix(v, nrow = n, ncol = chains)
summarise_vector <- function(v) {
  x <- as_chains(v)
  list(mean = mean(x), sd = sd(x), median = unname(quantile(x, 0.5)), q2.5 = unname(quantile(x, 0.025)),
       q97.5 = unname(quantile(x, 0.975)), q5 = unname(quantile(x, 0.05)), q95 = unname(quantile(x, 0.95)),
       mcse_mean = mcse_mean(x), mcse_sd = mcse_sd(x), mcse_median = unname(mcse_quantile(x, 0.5)),
       mcse_q2.5 = unname(mcse_quantile(x, 0.025)), mcse_q97.5 = unname(mcse_quantile(x, 0.975)),
       mcse_q5 = unname(mcse_quantile(x, 0.05)), mcse_q95 = unname(mcse_quantile(x, 0.95)))
}
effects <- list()
for (dpar in c("mu", "sigma")) {
  ce <- conditional_effects(fit, effects = "Days", dpar = if (dpar == "mu") NULL else dpar)[[1]]
  grid <- data.frame(Days = ce$Days)
  m <- posterior_epred(fit, newdata = grid, re_formula = NA, dpar = if (dpar == "mu") NULL else dpar)
  effects[[dpar]] <- list(Days = ce$Days, estimate = ce$estimate__, se = ce$se__, lower = ce$lower__, upper = ce$upper__,
                          draws = lapply(seq_len(ncol(m)), function(j) summarise_vector(m[, j])))
}
statements <- c("sigma_Days > 0", "Days = 10", "sigma_Intercept + 9 * sigma_Days = 4", "Intercept + 5 * Days > 300")
h <- hypothesis(fit, statements)$hypothesis
draws <- as_draws_df(fit)
hyp_draws <- list(draws$b_sigma_Days, draws$b_Days - 10, draws$b_sigma_Intercept + 9 * draws$b_sigma_Days - 4,
                  draws$b_Intercept + 5 * draws$b_Days - 300)
hypotheses <- lapply(seq_along(statements), function(k) c(list(statement = statements[k], estimate = h$Estimate[k],
  est_error = h$Est.Error[k], ci_lower = h$CI.Lower[k], ci_upper = h$CI.Upper[k],
  evid_ratio = if (is.na(h$Evid.Ratio[k])) NULL else h$Evid.Ratio[k], post_prob = if (is.na(h$Post.Prob[k])) NULL else h$Post.Prob[k]),
  list(draws = summarise_vector(hyp_draws[[k]]))))
r2 <- bayes_R2(fit, summary = FALSE)[, 1]
x <- list(formula = "bf(Reaction ~ Days + (Days | Subject), sigma ~ Days)", family = "gaussian", data_csv = "sleepstudy.csv",
          chains = chains, iter = iter, warmup = warmup, seed = seed, brms_version = as.character(packageVersion("brms")),
          r_call = "brm(bf(Reaction ~ Days + (Days | Subject), sigma ~ Days), data = sleepstudy, chains = 4, iter = 4000, warmup = 1000, seed = 20261207); conditional_effects(fit, 'Days'[, dpar = 'sigma']); hypothesis(fit, statements); bayes_R2(fit)",
          effects = effects, hypotheses = hypotheses, bayes_R2 = summarise_vector(r2),
          seconds = as.numeric(Sys.time() - t0, units = "secs"))
write_json_file(x, "brms_distributional_effects.json")
print(h)
print(summarise_vector(r2)[c("mean", "sd", "q2.5", "q97.5")])
