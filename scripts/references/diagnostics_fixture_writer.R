# write_fixture(name, chains): writes <name>.csv (a long draws CSV with .chain/.iteration, every
# draw with 17 significant digits, so the file holds exactly the doubles R summarised) and
# <name>.json (posterior's summarise_draws statistics, NA as null) into the working directory.
# `chains` is a named list of draws × chains matrices, one per variable. Sourced by the
# diagnostics_*.R fixture scripts.
library(posterior)

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
