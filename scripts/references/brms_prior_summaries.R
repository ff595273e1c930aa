# brms 2.18's prior_summary of the default priors (brm(..., empty = TRUE): no compilation) for the
# families issue 19 added whose reference fits do not already carry a prior_summary:
# hurdle_negbinomial on Salamanders, exponential and weibull (no censoring) on kidney.
# Writes Tests/MultilevelModelsTests/Fixtures/brms_priors_<name>.json with the rows as
# prior_summary lists them ("priors": prior, class, coef, group, ...). No sampling, no compilation.
# Run from the repository root: Rscript scripts/references/brms_prior_summaries.R
suppressMessages({library(brms); library(jsonlite)})
out <- "Tests/MultilevelModelsTests/Fixtures"
write_priors <- function(name, formula, family, data) {
  fit <- brm(as.formula(formula), data = data, family = family, empty = TRUE)
  p <- prior_summary(fit)
  rows <- lapply(seq_len(nrow(p)), function(k) list(prior = p$prior[k], class = p$class[k], coef = p$coef[k],
    group = p$group[k], resp = p$resp[k], dpar = p$dpar[k], nlpar = p$nlpar[k],
    lb = as.character(p$lb[k]), ub = as.character(p$ub[k]), source = p$source[k]))
  rows <- lapply(rows, function(r) lapply(r, function(v) if (is.na(v)) "" else v))
  json <- list(formula = formula, family = family$family, link = family$link,
               brms_version = as.character(packageVersion("brms")), r_call = sprintf("prior_summary(brm(%s, family = %s(\"%s\"), empty = TRUE))", formula, family$family, family$link),
               priors = rows)
  writeLines(toJSON(json, auto_unbox = TRUE, pretty = TRUE, digits = NA), file.path(out, paste0("brms_priors_", name, ".json")))
  print(p)
}
sal <- read.csv(file.path(out, "Salamanders.csv"), stringsAsFactors = TRUE)
kid <- read.csv(file.path(out, "kidney.csv"), stringsAsFactors = TRUE)
write_priors("hurdle_negbinomial_salamanders", "count ~ mined + spp + (1 | site)", hurdle_negbinomial(), sal)
write_priors("exponential_kidney", "time ~ age + sex + (1 | patient)", exponential(), kid)
write_priors("weibull_kidney", "time ~ age + sex + (1 | patient)", weibull(), kid)
