# lme4 profile intervals (95%) for a random-effect block of 4 correlated coefficients: sleepstudy
# with (Days + I(Days^2) + I(Days^3) | Subject), REML fit polished by bobyqa (rhoend = 1e-12), and
# lme4's profile of sd(Intercept) and sigma (parm = c(1, 11)) with bobyqa given 1e5 evaluations
# (lmer_profile_blocks.R's run of this case stopped on bobyqa's default budget). Writes
# Tests/MultilevelModelsTests/Fixtures/lmer_profile_block4.json. Run from the repository root:
#   nice -n 19 Rscript scripts/references/lmer_profile_block4.R
suppressPackageStartupMessages({ library(lme4); library(jsonlite) })
fixtures <- "Tests/MultilevelModelsTests/Fixtures"
sleep <- read.csv(file.path(fixtures, "sleepstudy.csv"), stringsAsFactors = TRUE)
control <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12, maxfun = 1e5))
formula <- Reaction ~ Days + (Days + I(Days^2) + I(Days^3) | Subject)
fit <- lmer(formula, sleep, REML = TRUE, control = control)
started <- Sys.time()
prof <- profile(fit, which = c(1, 11), signames = FALSE, optimizer = "bobyqa",
                control = list(maxfun = 1e5))
ci <- confint(prof)
seconds <- as.numeric(Sys.time() - started, units = "secs")
print(ci); cat(seconds, "s\n")
result <- list(
  cubic = list(formula = deparse(formula), method = "REML",
    r_call = "confint(profile(lmer(Reaction ~ Days + (Days + I(Days^2) + I(Days^3) | Subject), sleepstudy, control = lmerControl(optimizer = 'bobyqa', optCtrl = list(rhoend = 1e-12, maxfun = 1e5))), which = c(1, 11), signames = FALSE, optimizer = 'bobyqa', control = list(maxfun = 1e5)))",
    theta = unname(getME(fit, "theta")), REML_criterion = REMLcrit(fit), lme4_rownames = rownames(ci),
    intervals = list(sd_Subject__Intercept = unname(ci[1, ]), sigma = unname(ci[2, ])),
    seconds = seconds),
  lme4_version = as.character(packageVersion("lme4")))
writeLines(toJSON(result, digits = NA, auto_unbox = TRUE, pretty = TRUE), file.path(fixtures, "lmer_profile_block4.json"))
