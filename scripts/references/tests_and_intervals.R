# References for issue 16 (model comparison and tests), written as JSON fixtures into
# Tests/MultilevelModelsTests/Fixtures/ (run from the repository root:
#   nice -n 19 Rscript scripts/references/tests_and_intervals.R):
# - lmertest_extra.json: lmerTest summaries (Satterthwaite, Kenward-Roger) and anova type I/II/III
#   tables for an unbalanced cake (every 7th row removed; the CSV is written beside it), a crossed
#   design with two random terms and a singular nested fit;
# - drop1_models.json: drop1(test = "Chisq") for glmer cbpp (binomial), glmer grouseticks
#   (poisson) and lmer cake (ML refits);
# - r2_nakagawa_poisson.json: performance::r2_nakagawa for the grouseticks poisson fit.
suppressPackageStartupMessages({ library(lme4); library(lmerTest); library(jsonlite); library(performance) })
fixtures <- "Tests/MultilevelModelsTests/Fixtures"
shared <- "/work/shared/data"
read <- function(path) read.csv(path, stringsAsFactors = TRUE)
versions <- list(R = as.character(getRversion()), lme4 = as.character(packageVersion("lme4")),
                 lmerTest = as.character(packageVersion("lmerTest")), pbkrtest = as.character(packageVersion("pbkrtest")),
                 performance = as.character(packageVersion("performance")), insight = as.character(packageVersion("insight")))
rows <- function(df) {
  out <- lapply(seq_len(nrow(df)), function(i) { r <- as.list(df[i, , drop = FALSE]); r$term <- rownames(df)[i]; r })
  out
}
tables <- function(m) {
  coefs <- list(satterthwaite = rows(as.data.frame(summary(m, ddf = "Satterthwaite")$coefficients)),
                kenward_roger = rows(as.data.frame(summary(m, ddf = "Kenward-Roger")$coefficients)))
  anova <- list()
  for (type in c("I", "II", "III")) {
    anova[[paste0("type_", type)]] <- list(
      satterthwaite = rows(as.data.frame(anova(m, type = type, ddf = "Satterthwaite"))),
      kenward_roger = rows(as.data.frame(anova(m, type = type, ddf = "Kenward-Roger"))))
  }
  list(theta = getME(m, "theta"), REML_criterion = REMLcrit(m), singular = isSingular(m),
       sigma = sigma(m), coefficients = coefs, anova = anova)
}

cake <- read(file.path(shared, "cake.csv"))
cake$temperature <- factor(cake$temperature)
cake$replicate <- factor(cake$replicate)
unbalanced <- cake[seq_len(nrow(cake)) %% 7 != 0, ]
write.csv(unbalanced, file.path(fixtures, "cake_unbalanced.csv"), row.names = FALSE)
unbalanced <- read(file.path(fixtures, "cake_unbalanced.csv"))
unbalanced$temperature <- factor(unbalanced$temperature)
unbalanced$replicate <- factor(unbalanced$replicate)
crossed <- read(file.path(fixtures, "crossed.csv"))
singular <- read(file.path(fixtures, "singular.csv"))
models <- list(
  cake_unbalanced = list(csv = "cake_unbalanced.csv", formula = "angle ~ recipe * temperature + (1 | recipe:replicate)", data = unbalanced),
  crossed = list(csv = "crossed.csv", formula = "y ~ x + (1 | g1) + (1 | g2)", data = crossed),
  singular = list(csv = "singular.csv", formula = "y ~ z + (1 | batch/cask)", data = singular))
out <- list(versions = versions, note = "lmerTest anova/summary per model; theta is lme4's (bobyqa)", models = list())
for (name in names(models)) {
  spec <- models[[name]]
  m <- lmerTest::lmer(as.formula(spec$formula), data = spec$data, control = lmerControl(optimizer = "bobyqa"))
  out$models[[name]] <- c(list(csv = spec$csv, formula = spec$formula,
                               r_call = sprintf("lmerTest::lmer(%s, control = lmerControl(optimizer = \"bobyqa\"))", spec$formula)),
                          tables(m))
}
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"), file.path(fixtures, "lmertest_extra.json"))

# drop1
cbpp <- read(file.path(shared, "cbpp.csv")); cbpp$period <- factor(cbpp$period); cbpp$herd <- factor(cbpp$herd)
ticks <- read(file.path(shared, "grouseticks.csv")); ticks$YEAR <- factor(ticks$YEAR); ticks$LOCATION <- factor(ticks$LOCATION)
d1 <- function(m) { d <- as.data.frame(drop1(m, test = "Chisq")); rows(d) }
g1 <- glmer(cbind(incidence, size - incidence) ~ period + (1 | herd), data = cbpp, family = binomial)
g2 <- glmer(TICKS ~ YEAR + cHEIGHT + (1 | LOCATION), data = ticks, family = poisson)
l1 <- lme4::lmer(angle ~ recipe + temperature + (1 | recipe:replicate), data = cake)
drop <- list(versions = versions, models = list(
  cbpp = list(csv = "cbpp.csv", formula = "cbind(incidence, size - incidence) ~ period + (1 | herd)", family = "binomial",
              r_call = "drop1(glmer(..., family = binomial), test = \"Chisq\")", deviance = deviance(g1), AIC = AIC(g1), table = d1(g1)),
  grouseticks = list(csv = "grouseticks.csv", formula = "TICKS ~ YEAR + cHEIGHT + (1 | LOCATION)", family = "poisson",
              r_call = "drop1(glmer(..., family = poisson), test = \"Chisq\")", AIC = AIC(g2), table = d1(g2),
              fixef = fixef(g2), se = sqrt(diag(as.matrix(vcov(g2)))),
              wald = confint(g2, method = "Wald"), exp_fixef = exp(fixef(g2))),
  cake_additive = list(csv = "cake.csv", formula = "angle ~ recipe + temperature + (1 | recipe:replicate)", family = "gaussian",
              r_call = "drop1(lme4::lmer(...), test = \"Chisq\")  # REML fit; drop1 refits by ML", AIC_ML = AIC(refitML(l1)), table = d1(l1))))
writeLines(toJSON(drop, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"), file.path(fixtures, "drop1_models.json"))

r2 <- performance::r2_nakagawa(g2)
vc <- insight::get_variance(g2)
writeLines(toJSON(list(versions = versions, csv = "grouseticks.csv", formula = "TICKS ~ YEAR + cHEIGHT + (1 | LOCATION)", family = "poisson",
                       r2_call = "performance::r2_nakagawa(m)", R2_marginal = unname(r2$R2_marginal), R2_conditional = unname(r2$R2_conditional),
                       variance_components = vc, theta = getME(g2, "theta"), fixef = fixef(g2)),
                  auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"), file.path(fixtures, "r2_nakagawa_poisson.json"))
cat("done\n")
