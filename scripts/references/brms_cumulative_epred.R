# brms reference for per-category expected values of a cumulative fit (issue 17): brms'
# posterior_epred() of the inhaler model
#   brm(rating ~ treat + period + carry + (1 | subject), family = cumulative("logit"))
# gives, per draw and new row, P(Y = k) for each category k = 1..4 (fitted() names them
# "P(Y = k)"). Summarised with the posterior package (mean, sd, quantile2, ess_bulk, mcse_mean,
# mcse_quantile) for a few new rows, with re_formula = NA (population level) and with the full
# formula (each row's subject). 4 chains x (1000 warm-up + 2500 draws), seed 20261207.
# Writes Tests/MultilevelModelsTests/Fixtures/brms_cumulative_epred.json (path as argument) and
# the new rows as a CSV next to it.
# Run from the repository root: Rscript scripts/references/brms_cumulative_epred.R OUT.json NEWDATA.csv
suppressMessages({library(brms); library(posterior); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) > 0) args[1] else "brms_cumulative_epred.json"
newdata_csv <- if (length(args) > 1) args[2] else "inhaler_newdata.csv"
d <- read.csv("models/inhaler.csv", stringsAsFactors = TRUE)
newdata <- data.frame(subject = c("1", "2", "100", "250"),
                      treat = c(0.5, -0.5, 0.5, -0.5), period = c(0.5, 0.5, -0.5, -0.5),
                      carry = c(0, 1, -1, 0))
write.csv(newdata, newdata_csv, row.names = FALSE)
fit <- brm(rating ~ treat + period + carry + (1 | subject), data = d, family = cumulative("logit"),
           chains = 4, iter = 3500, warmup = 1000, seed = 20261207, cores = 1, refresh = 0)
probs <- c(0.025, 0.5, 0.975)
summarise_epred <- function(re_formula) {
  e <- posterior_epred(fit, newdata = newdata, re_formula = re_formula)  # draws x rows x categories
  rows <- list()
  for (i in seq_len(dim(e)[2])) for (k in seq_len(dim(e)[3])) {
    x <- matrix(e[, i, k], ncol = 4)  # draws are chain-major: 2500 per chain
    dr <- as_draws_array(array(x, dim = c(nrow(x), 4, 1), dimnames = list(NULL, NULL, "p")))
    s <- summarise_draws(dr, mean, sd, ~quantile2(.x, probs = probs), ess_bulk, mcse_mean,
                         ~mcse_quantile(.x, probs = probs))
    rows[[length(rows) + 1]] <- c(list(row = i, category = k), as.list(s[1, -1]))
  }
  f <- fitted(fit, newdata = newdata, re_formula = re_formula)
  list(rows = rows, fitted_names = dimnames(f)[[3]])
}
result <- list(dataset = "inhaler", data_csv = "inhaler.csv", newdata_csv = basename(newdata_csv),
               formula = "rating ~ treat + period + carry + (1 | subject)", family = "cumulative(\"logit\")",
               chains = 4, iter = 3500, warmup = 1000, seed = 20261207,
               versions = list(R = paste(R.version$major, R.version$minor, sep = "."),
                               brms = as.character(packageVersion("brms")),
                               posterior = as.character(packageVersion("posterior"))),
               population = summarise_epred(NA), conditional = summarise_epred(NULL))
writeLines(toJSON(result, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"), out)
