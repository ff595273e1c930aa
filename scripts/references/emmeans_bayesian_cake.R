# emmeans' Bayesian summaries computed in R from multilevel's own posterior draws, so the
# reference is deterministic: emmeans on a brmsfit is emmeans on a reference grid whose
# coefficient draws (slot post.beta) are the fit's b_ draws; here the grid of lm() on the same
# formula gets multilevel's draws in that slot. The draws are those of
#   multilevel fit models/cake.model --chains 2 --iter 1000 --seed 17 --output DIR
# (b_ columns of DIR/chain-*.csv, chains in order, copied to Fixtures/emmeans_cake_draws.csv by
# scripts/references/emmeans_cake_draws.py). Output: Tests/MultilevelModelsTests/Fixtures/emmeans_bayes_cake.json
# with summary(emmeans(rg, ~ recipe)), summary(emmeans(rg, ~ temperature | recipe)) and their
# pairs(): point estimate = median, 95% HPD limits (coda::HPDinterval).
suppressMessages({library(emmeans); library(jsonlite)})
fixtures <- "Tests/MultilevelModelsTests/Fixtures"
cake <- read.csv(file.path(fixtures, "cake.csv"), colClasses = c(replicate = "character", recipe = "character", temperature = "character"))
cake$recipe <- factor(cake$recipe, levels = sort(unique(cake$recipe), method = "radix"))
cake$temperature <- factor(cake$temperature, levels = sort(unique(cake$temperature), method = "radix"))
draws <- as.matrix(read.csv(file.path(fixtures, "emmeans_cake_draws.csv"), check.names = FALSE))
X <- model.matrix(~ recipe * temperature, cake)
stopifnot(ncol(draws) == ncol(X))
colnames(draws) <- colnames(X)
rg <- ref_grid(lm(angle ~ recipe * temperature, data = cake))
rg@post.beta <- draws  # what emmeans' brmsfit support stores: the posterior draws of the coefficients
out <- list(
  capability = "emmeans on Bayesian draws (median, 95% HPD), as emmeans on a brmsfit",
  formula = "angle ~ recipe * temperature + (1 | recipe:replicate)",
  draws_file = "emmeans_cake_draws.csv",
  versions = list(R = paste(R.version$major, R.version$minor, sep = "."), emmeans = as.character(packageVersion("emmeans")),
                  coda = as.character(packageVersion("coda"))),
  r_calls = c("rg <- ref_grid(lm(angle ~ recipe * temperature, data = cake)); rg@post.beta <- draws",
              "as.data.frame(summary(emmeans(rg, SPEC)))", "as.data.frame(summary(pairs(emmeans(rg, SPEC))))"),
  results = list())
for (spec in c("~ recipe", "~ temperature | recipe")) {
  e <- emmeans(rg, as.formula(spec))
  out$results[[spec]] <- list(emmeans = as.data.frame(summary(e)), pairs = as.data.frame(summary(pairs(e))))
}
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(fixtures, "emmeans_bayes_cake.json"))
