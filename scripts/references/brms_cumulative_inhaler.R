# brms reference for the cumulative family (issue 19): brms' inhaler crossover trial
# (data("inhaler", package = "brms"); 572 ratings 1-4 of 286 subjects), the model
#   brm(rating ~ treat + period + carry + (1 | subject), family = cumulative("logit"))
# with brms 2.18 defaults, 4 chains x (1000 warm-up + 5000 draws), seed 20261121, summarised with
# the posterior package (mean, sd, quantile2, rhat, ess_bulk/tail, mcse_mean/sd/quantiles), and
# ordinal::clmm's Laplace fit of the same model. The result has the shape of
# ../shared/reference/v2/brms_cumulative_inhaler.json, which the tests read
# (Tests/MultilevelModelsTests/Fixtures/brms_cumulative_inhaler.json); the CSV is the data as the
# tools read it (subject quoted, so a factor).
# Run from the repository root: Rscript scripts/references/brms_cumulative_inhaler.R [out.json]
suppressMessages({library(brms); library(posterior); library(jsonlite); library(ordinal)})
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) > 0) args[1] else "brms_cumulative_inhaler.json"
data("inhaler", package = "brms")
inhaler <- inhaler[, c("subject", "rating", "treat", "period", "carry")]
inhaler$subject <- as.character(inhaler$subject)
write.csv(inhaler, "models/inhaler.csv", row.names = FALSE)
d <- read.csv("models/inhaler.csv", stringsAsFactors = TRUE)
t0 <- Sys.time()
fit <- brm(rating ~ treat + period + carry + (1 | subject), data = d, family = cumulative("logit"),
           chains = 4, iter = 6000, warmup = 1000, seed = 20261121, cores = 2, refresh = 0)
total <- as.numeric(difftime(Sys.time(), t0, units = "secs"))
draws <- as_draws_df(fit)
vars <- grep("^(b_|sd_|disc$|lprior$|lp__$)", variables(draws), value = TRUE)
probs <- c(0.025, 0.05, 0.5, 0.95, 0.975)
s <- summarise_draws(subset_draws(draws, variable = vars), mean, sd, ~quantile2(.x, probs = probs), rhat,
                     ess_bulk, ess_tail, mcse_mean, mcse_sd, ~mcse_quantile(.x, probs = probs))
parameters <- lapply(seq_len(nrow(s)), function(k) as.list(s[k, -1]))
names(parameters) <- s$variable
times <- rstan::get_elapsed_time(fit$fit)
m <- clmm(factor(rating) ~ treat + period + carry + (1 | subject), data = d)
clmm_par <- c(as.list(setNames(m$alpha, paste0("b_Intercept[", seq_along(m$alpha), "]"))),
              as.list(setNames(m$beta, paste0("b_", names(m$beta)))),
              list(sd_subject__Intercept = as.numeric(sqrt(VarCorr(m)$subject))))
result <- list(dataset = "inhaler", data_csv = "inhaler.csv",
               formula = "rating ~ treat + period + carry + (1 | subject)", family = "cumulative(\"logit\")",
               chains = 4, iter = 6000, warmup = 1000, seed = 20261121,
               versions = list(R = paste(R.version$major, R.version$minor, sep = "."),
                               brms = as.character(packageVersion("brms")),
                               rstan = as.character(packageVersion("rstan")),
                               posterior = as.character(packageVersion("posterior"))),
               total_seconds = total, warmup_seconds = sum(times[, "warmup"]),
               sampling_seconds = sum(times[, "sample"]),
               priors = as.data.frame(prior_summary(fit)),
               parameters = parameters,
               frequentist = list(clmm = list(logLik = as.numeric(logLik(m)), parameters = clmm_par)))
writeLines(toJSON(result, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"), out)
print(s[, c("variable", "mean", "sd", "mcse_mean")])
