# lme4's predict(newdata) for models whose terms carry fitted parameters (poly(), scale()) and for
# sum contrasts: the new rows are evaluated with the fit's basis, centre/scale and contrasts
# (predvars), not recomputed from the new rows.
# Run: Rscript scripts/references/predict_transformed_terms.R Tests/MultilevelCLITests/Fixtures/predict_transformed_terms.json
suppressPackageStartupMessages({ library(lme4); library(jsonlite) })
out <- commandArgs(trailingOnly = TRUE)[1]
newdata <- data.frame(Days = c(0, 2.5, 9, 12), Subject = factor(c("308", "309", "350", "372")))
models <- list(
  poly = Reaction ~ poly(Days, 2) + (1 | Subject),
  scale = Reaction ~ scale(Days) + (1 | Subject),
  center = Reaction ~ scale(Days, scale = FALSE) + (Days | Subject)
)
result <- list(lme4 = as.character(packageVersion("lme4")), newdata = newdata, models = list())
for (name in names(models)) {
  fit <- lmer(models[[name]], data = sleepstudy, REML = TRUE)
  result$models[[name]] <- list(formula = deparse(models[[name]]),
                                population = unname(predict(fit, newdata = newdata, re.form = NA)),
                                conditional = unname(predict(fit, newdata = newdata)))
}
cake$recipe_sum <- cake$recipe
contrasts(cake$recipe_sum) <- contr.sum(3)
fit <- lmer(angle ~ recipe_sum + temperature + (1 | replicate), data = cake)
cakeNew <- data.frame(recipe_sum = factor(c("A", "B", "C"), levels = c("A", "B", "C")), temperature = factor(c("175", "205", "225"), levels = levels(cake$temperature)))
result$cake_sum <- list(formula = "angle ~ recipe + temperature + (1 | replicate), contrasts recipe = sum",
                        newdata = data.frame(recipe = c("A", "B", "C"), temperature = c("175", "205", "225")),
                        population = unname(predict(fit, newdata = cakeNew, re.form = NA)))
writeLines(toJSON(result, auto_unbox = TRUE, digits = NA, pretty = TRUE), out)
