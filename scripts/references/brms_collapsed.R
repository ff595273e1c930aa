# brms references for the collapsed gaussian sampler (issue 21): lme4's Pastes (nested,
# strength ~ 1 + (1 | batch/cask)) and Penicillin (crossed, diameter ~ 1 + (1 | plate) + (1 | sample)),
# brms 2.18 default priors, 4 chains x (1000 warm-up + 5000 draws) with adapt_delta = 0.999 (at
# brms' default 0.8 the nested fit diverges, which would bias the reference), summarised by the
# posterior package as brms_{pastes,penicillin}.json; each file also records the divergences of
# the same model refitted at brms' defaults (adapt_delta 0.8, 4 x 2000, seed 1).
# The data sets are written as pastes.csv and penicillin.csv next to the JSON.
# Run from the repository root: Rscript scripts/references/brms_collapsed.R
suppressMessages({library(brms); library(posterior); library(lme4)})
out <- "Tests/MultilevelModelsTests/Fixtures"
num <- function(x) formatC(x, digits = 15, format = "g")
run <- function(name, d, formula) {
  write.csv(d, file.path(out, paste0(name, ".csv")), row.names = FALSE)
  fit <- brm(as.formula(formula), data = d, family = gaussian(), chains = 4, iter = 6000, warmup = 1000,
             seed = 20261121, refresh = 0, silent = 2, control = list(adapt_delta = 0.999))
  divergent <- sum(nuts_params(fit, pars = "divergent__")$Value)
  default <- update(fit, chains = 4, iter = 2000, warmup = 1000, seed = 1, refresh = 0, silent = 2,
                    control = list(adapt_delta = 0.8))
  defaultDivergent <- sum(nuts_params(default, pars = "divergent__")$Value)
  defaultRhat <- max(summarise_draws(as_draws_df(default), rhat)$rhat, na.rm = TRUE)
  draws <- as_draws_df(fit)
  vars <- grep("^(b_|sd_|cor_|sigma)", variables(draws), value = TRUE)
  s <- summarise_draws(subset_draws(draws, variable = vars), mean, median, sd,
                       ~quantile(.x, probs = c(0.025, 0.975)), rhat, ess_bulk, ess_tail, mcse_mean)
  entries <- sapply(seq_len(nrow(s)), function(k) sprintf('"%s": {"mean": %s, "sd": %s, "q2.5": %s, "q97.5": %s, "rhat": %s, "ess_bulk": %s, "ess_tail": %s, "mcse_mean": %s}',
    s$variable[k], num(s$mean[k]), num(s$sd[k]), num(s$`2.5%`[k]), num(s$`97.5%`[k]), num(s$rhat[k]),
    num(s$ess_bulk[k]), num(s$ess_tail[k]), num(s$mcse_mean[k])))
  writeLines(sprintf('{"formula": "%s", "family": "gaussian", "chains": 4, "iter": 6000, "warmup": 1000, "adapt_delta": 0.999, "divergences": %d, "default_settings": {"adapt_delta": 0.8, "chains": 4, "iter": 2000, "warmup": 1000, "divergences": %d, "max_rhat": %s}, "brms_version": "%s", "parameters": {%s}}\n',
                     formula, divergent, defaultDivergent, num(defaultRhat), as.character(packageVersion("brms")),
                     paste(entries, collapse = ", ")),
             file.path(out, paste0("brms_", name, ".json")), sep = "")
  print(s)
}
pastes <- data.frame(strength = Pastes$strength, batch = as.character(Pastes$batch), cask = as.character(Pastes$cask))
run("pastes", pastes, "strength ~ 1 + (1 | batch/cask)")
penicillin <- data.frame(diameter = Penicillin$diameter, plate = as.character(Penicillin$plate),
                         sample = as.character(Penicillin$sample))
run("penicillin", penicillin, "diameter ~ 1 + (1 | plate) + (1 | sample)")
