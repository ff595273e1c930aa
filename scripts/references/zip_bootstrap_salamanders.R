# Parametric bootstrap of glmmTMB's ZIP fit count ~ mined + (1 | site), ziformula = ~1, on
# Salamanders: simulate() draws new site effects and zero inflation, refit, and summarise the
# replicates' mean and SD of b_Intercept, b_minedyes, sd_site__Intercept and zi. An independent
# check of `multilevel bootstrap --family zero_inflated_poisson` (bootstrap SEs and biases within
# Monte-Carlo error). Usage: Rscript zip_bootstrap_salamanders.R Salamanders.csv [replicates [out.json]]
# (Tests/MultilevelModelsTests/Fixtures/zip_bootstrap_salamanders.json: 200 replicates).
args <- commandArgs(TRUE)
suppressMessages(library(glmmTMB))
d <- read.csv(args[1])
R <- if (length(args) > 1) as.integer(args[2]) else 200
f <- glmmTMB(count ~ mined + (1 | site), ziformula = ~1, family = poisson, data = d)
stat <- function(m) c(fixef(m)$cond, sqrt(VarCorr(m)$cond$site[1]), plogis(fixef(m)$zi))
est <- stat(f)
set.seed(1)
sims <- simulate(f, nsim = R)
reps <- t(sapply(sims, function(y) { d2 <- d; d2$count <- y; stat(update(f, data = d2)) }))
out <- data.frame(name = c("b_Intercept", "b_minedyes", "sd_site__Intercept", "zi"), estimate = est,
                  mean = colMeans(reps), sd = apply(reps, 2, sd), mcse = apply(reps, 2, sd) / sqrt(R))
print(out, digits = 5)
if (length(args) > 2) {
  entries <- sprintf('    "%s": {"estimate": %.10g, "mean": %.10g, "sd": %.10g}', out$name, out$estimate, out$mean, out$sd)
  writeLines(c("{", sprintf('  "replicates": %d,', R), '  "parameters": {', paste(entries, collapse = ",\n"), "  }", "}"), args[3])
}
