# No pooling of sleepstudy's 4 x 4 block, Reaction ~ Days + (Days + I(Days^2) + I(Days^3) | Subject)
# (issue 22): the random-effects structure decides, so every column of the term gets one
# coefficient per subject, including I(Days^2) and I(Days^3), which are not fixed effects:
# lm(Reaction ~ Subject + Subject:Days + Subject:I(Days^2) + Subject:I(Days^3) - 1), with confint.
# Writes Tests/MultilevelModelsTests/Fixtures/sleepstudy_cubic_pooling.json in the shape of
# sleepstudy_pooling.json's "none" (scripts/references/lmer_crossed_nested.R).
# Run from the repository root: Rscript scripts/references/lm_no_pooling_cubic.R
suppressPackageStartupMessages(library(jsonlite))
fixtures <- "Tests/MultilevelModelsTests/Fixtures"
sleepstudy <- read.csv(file.path(fixtures, "sleepstudy.csv"))
sleepstudy$Subject <- factor(sleepstudy$Subject)
fit <- lm(Reaction ~ Subject + Subject:Days + Subject:I(Days^2) + Subject:I(Days^3) - 1, sleepstudy)
co <- summary(fit)$coefficients; ci <- confint(fit)
none <- list(coefficients = lapply(setNames(seq_len(nrow(co)), rownames(co)), function(i)
               list(estimate = co[i, 1], se = co[i, 2], lower = ci[i, 1], upper = ci[i, 2])),
             sigma = summary(fit)$sigma, df = fit$df.residual,
             logLik = as.numeric(logLik(fit)), AIC = AIC(fit), BIC = BIC(fit),
             r_call = "lm(Reaction ~ Subject + Subject:Days + Subject:I(Days^2) + Subject:I(Days^3) - 1, sleepstudy)",
             R_version = R.version.string)
writeLines(toJSON(list(none = none), digits = NA, auto_unbox = TRUE, pretty = TRUE),
           file.path(fixtures, "sleepstudy_cubic_pooling.json"))
