# drop1(test = "Chisq") with every fit and refit taken to the optimum (bobyqa with rhoend = 1e-12
# and 100,000 evaluations, glmer's PIRLS tolerance 1e-12): lme4's default optimisers stop
# short of the optimum. The lmer rows check our drop1 at the optimum (TestsAndDeletionsTests);
# the glmer rows record how far glmer's default stopping points — where our Laplace optimiser
# stops too — lie above the optima (up to 4e-4 in deviance, 2e-3 in an LRT).
# Writes Tests/MultilevelModelsTests/Fixtures/drop1_tight.json.
# Usage: Rscript scripts/references/drop1_tight.R  (from the repository root)
suppressPackageStartupMessages({ library(lme4); library(jsonlite) })
fixtures <- "Tests/MultilevelModelsTests/Fixtures"
shared <- "/work/shared/data"
read <- function(path) read.csv(path, stringsAsFactors = TRUE)
tight <- list(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12, maxfun = 1e5))
gc <- do.call(glmerControl, c(tight, list(tolPwrss = 1e-12)))
lc <- do.call(lmerControl, tight)
rows <- function(df) lapply(seq_len(nrow(df)), function(i) { r <- as.list(df[i, , drop = FALSE]); r$term <- rownames(df)[i]; r })
cbpp <- read(file.path(shared, "cbpp.csv")); cbpp$period <- factor(cbpp$period); cbpp$herd <- factor(cbpp$herd)
ticks <- read(file.path(shared, "grouseticks.csv")); ticks$YEAR <- factor(ticks$YEAR); ticks$LOCATION <- factor(ticks$LOCATION)
cake <- read(file.path(shared, "cake.csv")); cake$recipe <- factor(cake$recipe); cake$replicate <- factor(cake$replicate); cake$temperature <- factor(cake$temperature)
g1 <- glmer(cbind(incidence, size - incidence) ~ period + (1 | herd), data = cbpp, family = binomial, control = gc)
g2 <- glmer(TICKS ~ YEAR + cHEIGHT + (1 | LOCATION), data = ticks, family = poisson, control = gc)
l1 <- lme4::lmer(angle ~ recipe + temperature + (1 | recipe:replicate), data = cake, REML = FALSE, control = lc)
d1 <- function(m) rows(as.data.frame(drop1(m, test = "Chisq")))
out <- list(versions = list(R = as.character(getRversion()), lme4 = as.character(packageVersion("lme4"))),
            control = "optimizer = 'bobyqa', optCtrl = list(rhoend = 1e-12, maxfun = 1e5); glmer also tolPwrss = 1e-12",
            models = list(cbpp = list(deviance = deviance(g1), table = d1(g1)),
                          grouseticks = list(deviance = deviance(g2), table = d1(g2)),
                          cake_additive = list(deviance = deviance(l1), table = d1(l1))))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"), file.path(fixtures, "drop1_tight.json"))
cat("done\n")
