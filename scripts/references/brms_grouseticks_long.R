# A long, reliable brms reference for lme4's grouseticks with broods nested in locations (issue 21
# point 2): TICKS ~ YEAR + cHEIGHT + (1 | BROOD) + (1 | LOCATION), poisson, brms' default priors
# (non-centred), adapt_delta 0.99, 4 chains x (2000 warm-up + 5000 draws), seed 1.
# Writes Tests/MultilevelModelsTests/Fixtures/brms_grouseticks_long.json: per parameter (b_, sd_)
# the mean, sd, 2.5/50/97.5% quantiles, their MCSEs (posterior::mcse_mean, mcse_quantile), bulk/tail
# ESS and R-hat; divergences and the largest R-hat over b_, sd_, r_.
# Run from the repository root: nice -n 19 Rscript scripts/references/brms_grouseticks_long.R
suppressMessages({library(brms); library(posterior); library(jsonlite)})
path <- "models/suite/grouseticks.csv"
d <- read.csv(path, colClasses = c("character", NA, "character", NA, "character", "character", NA))
for (v in c("INDEX", "BROOD", "YEAR", "LOCATION")) d[[v]] <- factor(d[[v]])
formula <- "TICKS ~ YEAR + cHEIGHT + (1 | BROOD) + (1 | LOCATION)"
t0 <- proc.time()[["elapsed"]]
fit <- brm(as.formula(formula), data = d, family = poisson(), seed = 1, chains = 4, cores = 2,
           iter = 7000, warmup = 2000, control = list(adapt_delta = 0.99), refresh = 0)
elapsed <- proc.time()[["elapsed"]] - t0
np <- nuts_params(fit)
div <- sum(np$Value[np$Parameter == "divergent__"])
dr <- as_draws_array(fit)
all <- subset_draws(dr, variable = setdiff(variables(dr), c("lp__", "lprior")))
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
out <- list(source = sprintf("brms %s / rstan %s, %s, poisson, default priors, adapt_delta 0.99, 4 chains x (2000 warm-up + 5000 draws), seed 1 (scripts/references/brms_grouseticks_long.R)",
                             packageVersion("brms"), packageVersion("rstan"), formula),
            formula = formula, family = "poisson", divergences = div, max_rhat = maxRhat,
            seconds_with_compile = elapsed, parameters = parameters)
dir.create("Tests/MultilevelModelsTests/Fixtures", showWarnings = FALSE, recursive = TRUE)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           "Tests/MultilevelModelsTests/Fixtures/brms_grouseticks_long.json")
print(s, width = 200); cat("divergences", div, "max rhat", maxRhat, "seconds", elapsed, "\n")
