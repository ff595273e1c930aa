# No pooling on radon as Gelman & Hill (2006, §12.2) fit it: a separate intercept per county and
# one common floor slope, lm(log_radon ~ floor + factor(county) - 1) — no pooling of exactly the
# terms that (1 | county) pools. Writes Tests/MultilevelModelsTests/Fixtures/radon_pooling.json.
# Run from the repository root: Rscript scripts/references/radon_pooling.R
library(jsonlite)
radon <- read.csv("models/radon.csv")
radon$county <- factor(radon$county)
fit <- lm(log_radon ~ floor + county - 1, data = radon)
s <- summary(fit)$coefficients
counties <- levels(radon$county)
per_county <- lapply(counties, function(level) {
  name <- paste0("county", level)
  list(estimate = unname(s[name, "Estimate"]), se = unname(s[name, "Std. Error"]),
       n = sum(radon$county == level))
})
names(per_county) <- counties
out <- list(
  formula = "lm(log_radon ~ floor + factor(county) - 1)",
  r_version = R.version.string,
  floor = list(estimate = unname(s["floor", "Estimate"]), se = unname(s["floor", "Std. Error"])),
  sigma = summary(fit)$sigma,
  df_residual = fit$df.residual,
  county = per_county
)
write_json(out, "Tests/MultilevelModelsTests/Fixtures/radon_pooling.json", auto_unbox = TRUE, digits = NA, pretty = TRUE)
