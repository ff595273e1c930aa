# Part of scripts/check-interchange.py: loads Multilevel's CmdStan CSVs with rstan::read_stan_csv,
# checks parameters, chains, draws and sampler parameters, and compares posterior::summarise_draws
# on them with `multilevel diagnose --json` (given as the first argument).
# Usage: Rscript check-interchange.R DIAGNOSE.json CHAINS DRAWS FILE...
suppressPackageStartupMessages({ library(rstan); library(posterior) })
args <- commandArgs(trailingOnly = TRUE)
ours_file <- args[1]; chains <- as.integer(args[2]); draws <- as.integer(args[3]); files <- args[-(1:3)]
report <- function(ok, message) cat(if (isTRUE(ok)) "ok    " else "FAIL  ", "R: ", message, "\n", sep = "")

fit <- rstan::read_stan_csv(files)
arr <- as.array(fit)
report(dim(arr)[2] == chains, sprintf("rstan reads %d chains (got %d)", chains, dim(arr)[2]))
report(dim(arr)[1] == draws, sprintf("rstan reads %d post-warm-up draws per chain (got %d)", draws, dim(arr)[1]))
sampler <- rstan::get_sampler_params(fit, inc_warmup = FALSE)
wanted <- c("accept_stat__", "stepsize__", "treedepth__", "n_leapfrog__", "divergent__", "energy__")
report(length(sampler) == chains && all(wanted %in% colnames(sampler[[1]])) && nrow(sampler[[1]]) == draws,
       "rstan get_sampler_params has every sampler column for every post-warm-up draw")

# The JSON of `multilevel diagnose`, read without extra packages: one "name": { ... } block each.
text <- paste(readLines(ours_file, warn = FALSE), collapse = "\n")
draws_obj <- posterior::as_draws_array(fit)
summary <- posterior::summarise_draws(draws_obj, mean, median, sd, mad, ~quantile2(.x, probs = c(0.05, 0.95)),
                                      rhat, ess_bulk, ess_tail, mcse_mean, mcse_sd,
                                      ~mcse_quantile(.x, probs = c(0.05, 0.95)))
ours_names <- regmatches(text, gregexpr('\n    "([^"]+)": \\{', text))[[1]]
ours_names <- sub('\n    "([^"]+)": \\{', "\\1", ours_names)
# rstan names r_Subject.1.1 as r_Subject[1,1] and lists lp__ last; diagnose restores
# r_Subject[308,Intercept] from the comment block and lists lp__ first. Pair lp__ by name and the
# parameters by their order in the files.
report(length(ours_names) == nrow(summary),
       sprintf("diagnose and posterior summarise the same number of variables (%d, %d)", length(ours_names), nrow(summary)))
theirs <- c("lp__", setdiff(summary$variable, "lp__"))
ours_order <- c("lp__", setdiff(ours_names, "lp__"))
row_of <- match(theirs, summary$variable)
worst <- 0
compared <- 0
for (k in seq_len(min(length(ours_order), nrow(summary)))) {
  i <- row_of[k]
  name <- ours_order[k]
  block <- regmatches(text, regexpr(sprintf('"%s": \\{[^}]*\\}', gsub("([][])", "\\\\\\1", name)), text))
  for (stat in c("mean", "median", "sd", "mad", "q5", "q95", "rhat", "ess_bulk", "ess_tail", "mcse_mean",
                 "mcse_sd", "mcse_q5", "mcse_q95")) {
    m <- regmatches(block, regexpr(sprintf('"%s": [^,\n]+', stat), block))
    value <- suppressWarnings(as.numeric(sub('.*: ', "", m)))
    reference <- summary[[stat]][i]
    if (is.na(reference)) { if (!is.na(value)) report(FALSE, sprintf("%s %s: NA in posterior, %g here", name, stat, value)); next }
    if (length(value) != 1 || is.na(value)) { report(FALSE, sprintf("%s %s missing from diagnose --json", name, stat)); next }
    err <- abs(value - reference) / max(abs(reference), 1e-300)
    worst <- max(worst, err)
    compared <- compared + 1
  }
}
report(worst <= 1e-6 && compared > 0,
       sprintf("diagnose matches posterior %s on these files (%d values, worst relative difference %.2g)",
               as.character(packageVersion("posterior")), compared, worst))
