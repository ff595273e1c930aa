# brms at its defaults (4 chains x (1000 warmup + 1000 draws), default priors, seed 1) on every
# model of `multilevel-bench --suite` (issue 21), for the suite report's brms column.
# Writes Benchmarks/brms_suite.json after each model: divergent transitions after warm-up, the
# largest rank-normalised split R-hat (posterior::rhat) and least bulk-ESS over all parameters
# (b_, sd_, cor_, sigma, r_; not lp__/lprior), and the wall seconds of sampling (chains sequential).
# Columns quoted in the CSV are factors, as `DataTable.read` types them.
# Run from the repository root: nice -n 19 Rscript scripts/references/brms_suite.R [model names]
# Models already in the JSON are kept and skipped; named models (else all) run in the order given.
suppressMessages({library(brms); library(posterior); library(jsonlite)})
models <- list(
  list("cbpp-binomial", "cbpp", "incidence | trials(size) ~ period + (1 | herd)", binomial()),
  list("grouseticks-poisson-crossed", "suite/grouseticks", "TICKS ~ YEAR + cHEIGHT + (1 | BROOD) + (1 | LOCATION)", poisson()),
  list("salamanders-poisson", "suite/Salamanders", "count ~ mined + spp + (1 | site)", poisson()),
  list("owls-poisson", "suite/Owls", "NCalls ~ FoodTreatment + SexParent + (1 | Nest)", poisson()),
  list("pastes-nested", "suite/Pastes", "strength ~ 1 + (1 | batch/cask)", gaussian()),
  list("penicillin-crossed", "suite/Penicillin", "diameter ~ 1 + (1 | plate) + (1 | sample)", gaussian()),
  list("dyestuff2-boundary", "suite/Dyestuff2", "Yield ~ 1 + (1 | Batch)", gaussian()),
  list("pixel-nested-slopes", "suite/Pixel", "pixel ~ day + (day | Dog) + (1 | Dog:Side)", gaussian()),
  list("machines-nested", "suite/Machines", "score ~ Machine + (1 | Worker/Machine)", gaussian()),
  list("oats-nested", "suite/Oats", "yield ~ nitro + (1 | Block/Variety)", gaussian()),
  list("sleepstudy-slopes", "sleepstudy", "Reaction ~ Days + (Days | Subject)", gaussian()),
  list("sleepstudy-intercepts", "sleepstudy", "Reaction ~ Days + (1 | Subject)", gaussian()),
  list("sleepstudy-uncorrelated", "sleepstudy", "Reaction ~ Days + (Days || Subject)", gaussian()),
  list("dyestuff", "dyestuff", "Yield ~ 1 + (1 | Batch)", gaussian()),
  list("radon-intercepts", "radon", "log_radon ~ floor + (1 | county)", gaussian()),
  list("radon-slopes", "radon", "log_radon ~ floor + (floor | county)", gaussian()),
  list("cake-nested", "suite/cake", "angle ~ recipe * temperature + (1 | recipe:replicate)", gaussian()),
  list("orthodont-slopes", "suite/Orthodont", "distance ~ age + Sex + (age | Subject)", gaussian()),
  list("ergostool", "suite/ergoStool", "effort ~ Type + (1 | Subject)", gaussian()),
  list("rail", "suite/Rail", "travel ~ 1 + (1 | Rail)", gaussian()),
  list("caschools", "suite/CASchools", "read ~ income + (1 | county)", gaussian())
)
readSuite <- function(file) {
  path <- file.path("models", paste0(file, ".csv"))
  lines <- readLines(path, n = 2)
  fields <- scan(text = lines[2], what = "", sep = ",", quote = "", quiet = TRUE)
  quoted <- startsWith(fields, "\"")
  d <- read.csv(path, colClasses = ifelse(quoted, "character", NA))
  for (j in which(quoted)) d[[j]] <- factor(d[[j]])
  d
}
out <- "Benchmarks/brms_suite.json"
results <- if (file.exists(out)) fromJSON(out, simplifyVector = FALSE)$models else list()
wanted <- commandArgs(trailingOnly = TRUE)
if (length(wanted) > 0) {
  byName <- setNames(models, vapply(models, `[[`, "", 1))
  models <- byName[intersect(wanted, names(byName))]
}
for (m in models) {
  if (!is.null(results[[m[[1]]]])) next
  d <- readSuite(m[[2]])
  t0 <- proc.time()[["elapsed"]]
  fit <- brm(as.formula(m[[3]]), data = d, family = m[[4]], seed = 1, chains = 4, cores = 1, refresh = 0)
  elapsed <- proc.time()[["elapsed"]] - t0
  np <- nuts_params(fit)
  div <- sum(np$Value[np$Parameter == "divergent__"])
  dr <- as_draws_array(fit)
  dr <- subset_draws(dr, variable = setdiff(variables(dr), c("lp__", "lprior")))
  s <- summarise_draws(dr, rhat, ess_bulk)
  results[[m[[1]]]] <- list(formula = m[[3]], family = m[[4]]$family, divergences = div,
                            max_rhat = max(s$rhat, na.rm = TRUE), min_ess_bulk = min(s$ess_bulk, na.rm = TRUE),
                            seconds_with_compile = elapsed)
  write(toJSON(list(source = "brms 2.18.0 / rstan 2.21.7 defaults, seed 1, chains sequential (scripts/references/brms_suite.R)",
                    models = results), auto_unbox = TRUE, digits = 6, pretty = TRUE), out)
  cat(m[[1]], div, max(s$rhat, na.rm = TRUE), elapsed, "\n")
}
