# Parametric bootstrap of glmer fits, lme4's bootMer (use.u = FALSE: new group-level effects from
# N(0, Σ̂) every replicate, then a response from the family; refit by glmer): the replicates'
# mean, SD and 2.5/25/50/75/97.5% quantiles of every fixed effect and group-level SD. An independent check of
# `multilevel bootstrap` for bernoulli/binomial/poisson families (bootstrap SEs and biases within
# Monte-Carlo error). Usage: Rscript glmer_bootmer.R cbpp.csv Salamanders.csv [out.json]
# (Tests/MultilevelModelsTests/Fixtures/glmer_bootmer.json).
args <- commandArgs(TRUE)
suppressMessages(library(lme4))
cbpp <- read.csv(args[1]); cbpp$period <- factor(cbpp$period); cbpp$herd <- factor(cbpp$herd)
sal <- read.csv(args[2])
stat <- function(m) {
  vc <- as.data.frame(VarCorr(m))
  c(fixef(m), vc$sdcor[is.na(vc$var2)])
}
run <- function(label, f, names, R, seed) {
  est <- stat(f)
  b <- bootMer(f, stat, nsim = R, seed = seed, use.u = FALSE, type = "parametric")
  reps <- b$t[complete.cases(b$t), , drop = FALSE]
  q <- apply(reps, 2, quantile, probs = c(0.025, 0.25, 0.5, 0.75, 0.975), type = 7)
  out <- data.frame(name = names, estimate = est, mean = colMeans(reps), sd = apply(reps, 2, sd), t(q))
  cat(label, "\n"); print(out, digits = 6)
  entries <- sprintf('        "%s": {"estimate": %.10g, "mean": %.10g, "sd": %.10g, "quantiles": [%.10g, %.10g, %.10g, %.10g, %.10g]}',
                     out$name, out$estimate, out$mean, out$sd, q[1, ], q[2, ], q[3, ], q[4, ], q[5, ])
  c(sprintf('    "%s": {', label), sprintf('      "replicates": %d,', nrow(reps)), '      "parameters": {',
    paste(entries, collapse = ",\n"), "      }", "    }")
}
a <- run("cbpp", glmer(cbind(incidence, size - incidence) ~ period + (1 | herd), family = binomial, data = cbpp),
         c("b_Intercept", "b_period2", "b_period3", "b_period4", "sd_herd__Intercept"), 500, 1)
b <- run("salamanders", glmer(count ~ mined + (1 | site), family = poisson, data = sal),
         c("b_Intercept", "b_minedyes", "sd_site__Intercept"), 300, 2)
if (length(args) > 2) {
  writeLines(c("{", a[-length(a)], paste0(a[length(a)], ","), b, "}"), args[3])
}
