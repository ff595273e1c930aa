# Summary of a long reliable joint-NUTS run of lme4's grouseticks (issue 21 point 2), as a
# reference for short runs at the defaults: every term non-centred (brms' parameterisation),
# adapt_delta 0.99, 4 chains x (2000 warm-up + 5000 draws), made by
#   multilevel fit --data models/suite/grouseticks.csv \
#     --formula 'TICKS ~ YEAR + cHEIGHT + (1 | BROOD) + (1 | LOCATION)' --family poisson \
#     --seed 20261207 --parameterization noncentered --adapt-delta 0.99 --iter 7000 --warmup 2000 --output DIR
# (0 divergences, largest R-hat 1.0012 over all parameters). The summaries and their MCSEs are
# computed here by the posterior package from the fit directory's CmdStan CSVs.
# Run from the repository root: Rscript scripts/references/grouseticks_long_nuts_summary.R DIR
# Writes Tests/MultilevelModelsTests/Fixtures/grouseticks_long_noncentered.json.
suppressMessages({library(posterior); library(jsonlite)})
dir <- commandArgs(trailingOnly = TRUE)[1]
files <- sort(list.files(dir, pattern = "^chain-[0-9]+\\.csv$", full.names = TRUE))
chains <- lapply(files, function(f) read.csv(f, comment.char = "#", check.names = FALSE))
div <- sum(vapply(chains, function(d) sum(d$divergent__), 0))
dr <- as_draws_array(lapply(chains, function(d) as.list(d)))
all <- subset_draws(dr, variable = grep("^(b_|sd_|r_)", variables(dr), value = TRUE))
maxRhat <- max(summarise_draws(all, rhat)$rhat)
keep <- grep("^(b_|sd_)", variables(dr), value = TRUE)
q <- function(p) function(x) quantile(x, p, names = FALSE)
mq <- function(p) function(x) mcse_quantile(x, probs = p)
s <- summarise_draws(subset_draws(dr, variable = keep),
                     mean = mean, sd = sd, q2.5 = q(0.025), q50 = q(0.5), q97.5 = q(0.975),
                     mcse_mean = mcse_mean, mcse_q2.5 = mq(0.025), mcse_q50 = mq(0.5), mcse_q97.5 = mq(0.975),
                     ess_bulk = ess_bulk, ess_tail = ess_tail, rhat = rhat)
parameters <- lapply(seq_len(nrow(s)), function(i) as.list(s[i, -1]))
names(parameters) <- s$variable
out <- list(source = "multilevel joint NUTS, non-centred, adapt_delta 0.99, 4 chains x (2000 warm-up + 5000 draws), seed 20261207; summaries by posterior (scripts/references/grouseticks_long_nuts_summary.R)",
            formula = "TICKS ~ YEAR + cHEIGHT + (1 | BROOD) + (1 | LOCATION)", family = "poisson",
            divergences = div, max_rhat = maxRhat, draws_per_chain = nrow(chains[[1]]), parameters = parameters)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           "Tests/MultilevelModelsTests/Fixtures/grouseticks_long_noncentered.json")
print(s, width = 200); cat("divergences", div, "max rhat", maxRhat, "\n")
