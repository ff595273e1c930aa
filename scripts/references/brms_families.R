# brms references for the crossed Poisson and Bernoulli models (issue 6): the data of
# glmer_families.R (Tests/MultilevelModelsTests/Fixtures/glmer_crossed.csv), brms 2.18 defaults,
# 4 chains x (1000 warm-up + 5000 draws), summarised by the posterior package as
# brms_{poisson,bernoulli}_crossed.json (shape of ../shared/reference/brms_cbpp_binomial.json).
# Run from the repository root: Rscript scripts/references/brms_families.R
suppressMessages({library(brms); library(posterior)})
out <- "Tests/MultilevelModelsTests/Fixtures"
d <- read.csv(file.path(out, "glmer_crossed.csv"), stringsAsFactors = TRUE)
num <- function(x) formatC(x, digits = 15, format = "g")
run <- function(name, formula, family) {
  fit <- brm(as.formula(formula), data = d, family = family, chains = 4, iter = 6000, warmup = 1000,
             seed = 20261121, refresh = 0, silent = 2)
  draws <- as_draws_df(fit)
  vars <- grep("^(b_|sd_|cor_)", variables(draws), value = TRUE)
  s <- summarise_draws(subset_draws(draws, variable = vars), mean, median, sd,
                       ~quantile(.x, probs = c(0.025, 0.975)), rhat, ess_bulk, ess_tail, mcse_mean)
  entries <- sapply(seq_len(nrow(s)), function(k) sprintf('"%s": {"mean": %s, "sd": %s, "q2.5": %s, "q97.5": %s, "rhat": %s, "ess_bulk": %s, "ess_tail": %s, "mcse_mean": %s}',
    s$variable[k], num(s$mean[k]), num(s$sd[k]), num(s$`2.5%`[k]), num(s$`97.5%`[k]), num(s$rhat[k]),
    num(s$ess_bulk[k]), num(s$ess_tail[k]), num(s$mcse_mean[k])))
  writeLines(sprintf('{"formula": "%s", "family": "%s", "chains": 4, "iter": 6000, "warmup": 1000, "brms_version": "%s", "parameters": {%s}}\n',
                     formula, family, as.character(packageVersion("brms")), paste(entries, collapse = ", ")),
             file.path(out, paste0("brms_", name, "_crossed.json")), sep = "")
  print(s)
}
run("poisson", "count ~ x + (1 | site) + (1 | rater)", "poisson")
run("bernoulli", "success ~ x + (1 | site) + (1 | rater)", "bernoulli")
