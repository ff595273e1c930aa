# Extra reference draws for Tests/MultilevelSamplingTests/Fixtures/diag_extra_*.{csv,json}:
# odd chain lengths (split drops the middle draw), ties, very short chains and non-finite draws,
# summarised by posterior 1.4.0. Draws are written with 17 significant digits so that the CSV
# holds exactly the doubles R summarised.
library(posterior)
set.seed(20261121)

write_fixture <- function(name, chains) {
  nchain <- length(chains[[1]]) ; vars <- names(chains)
  niter <- nrow(chains[[1]])
  arr <- array(NA_real_, dim = c(niter, ncol(chains[[1]]), length(vars)),
               dimnames = list(NULL, NULL, vars))
  for (v in vars) arr[, , v] <- chains[[v]]
  d <- as_draws_df(as_draws_array(arr))
  out <- file(paste0(name, ".csv"), "w")
  writeLines(paste(c('".chain"', '".iteration"', paste0('"', vars, '"')), collapse = ","), out)
  for (i in seq_len(nrow(d))) {
    vals <- sapply(vars, function(v) { x <- d[[v]][i]; if (is.na(x) && !is.nan(x)) "NA" else sprintf("%.17g", x) })
    writeLines(paste(c(d$.chain[i], d$.iteration[i], vals), collapse = ","), out)
  }
  close(out)
  s <- summarise_draws(as_draws_array(arr), mean, median, sd, mad,
                       ~quantile2(.x, probs = c(0.05, 0.95)), rhat, rhat_basic, ess_bulk, ess_tail, ess_basic,
                       mcse_mean, mcse_sd, ~mcse_quantile(.x, probs = c(0.05, 0.95)))
  num <- function(x) if (is.na(x) || !is.finite(x)) "null" else sprintf("%.17g", x)
  stats <- c("mean", "median", "sd", "mad", "q5", "q95", "rhat", "rhat_basic", "ess_bulk", "ess_tail",
             "ess_basic", "mcse_mean", "mcse_sd", "mcse_q5", "mcse_q95")
  body <- sapply(seq_len(nrow(s)), function(r) {
    fields <- sapply(stats, function(k) sprintf('      "%s": %s', k, num(s[[k]][r])))
    sprintf('    "%s": {\n%s\n    }', s$variable[r], paste(fields, collapse = ",\n"))
  })
  json <- sprintf('{\n  "fixture": "%s.csv",\n  "posterior_version": "%s",\n  "summary": {\n%s\n  }\n}\n',
                  name, as.character(packageVersion("posterior")), paste(body, collapse = ",\n"))
  writeLines(json, paste0(name, ".json"), sep = "")
}

ar1 <- function(n, phi) { x <- numeric(n); x[1] <- rnorm(1); for (t in 2:n) x[t] <- phi * x[t - 1] + sqrt(1 - phi^2) * rnorm(1); x }

# Odd chain length (201), 3 chains: autocorrelated, discrete with many ties, skewed.
n <- 201; m <- 3
write_fixture("diag_extra_odd", list(
  ar = sapply(1:m, function(c) ar1(n, 0.8) + 0.1 * c),
  poisson = sapply(1:m, function(c) rpois(n, 3)),
  gamma = sapply(1:m, function(c) rgamma(n, shape = 0.5))))

# Very short chains: 5 draws (split halves of 2 draws: ESS is NA) and 7 draws (halves of 3).
write_fixture("diag_extra_short5", list(a = sapply(1:4, function(c) rnorm(5)), b = sapply(1:4, function(c) rnorm(5) * c)))
write_fixture("diag_extra_short7", list(a = sapply(1:2, function(c) rnorm(7)), b = sapply(1:2, function(c) rexp(7))))

# One chain stuck (constant within a chain), and an infinite draw.
stuck <- sapply(1:4, function(c) rnorm(100)); stuck[, 2] <- 0.5
inf <- sapply(1:4, function(c) rnorm(100)); inf[17, 3] <- Inf
write_fixture("diag_extra_stuck", list(stuck = stuck, infinite = inf, ok = sapply(1:4, function(c) rnorm(100))))
