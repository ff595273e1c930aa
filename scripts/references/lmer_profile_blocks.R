# Profile intervals (lme4's confint(method = "profile"), 95%) for random-effect blocks of 3 and 4
# correlated coefficients, the case issue 22 found crashing: sleepstudy with
# (Days + I(Days^2) | Subject) and (Days + I(Days^2) + I(Days^3) | Subject), REML fits (lme4
# profiles the ML deviance, refitting by ML). The optimum is polished as in lmer_tight_optima.R's
# bobyqa step (rhoend = 1e-12) so that the profile starts from the best reachable optimum.
# Parameters are renamed to brms names as the tests use them. Run from the repository root:
#   Rscript scripts/references/lmer_profile_blocks.R
suppressPackageStartupMessages({ library(lme4); library(jsonlite) })
fixtures <- "Tests/MultilevelModelsTests/Fixtures"
sleep <- read.csv(file.path(fixtures, "sleepstudy.csv"), stringsAsFactors = TRUE)
control <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12, maxfun = 1e5))
cases <- list(
  quadratic = list(formula = "Reaction ~ Days + (Days + I(Days^2) | Subject)",
                   columns = c("(Intercept)", "Days", "I(Days^2)"), parm = c(1, 2, 7)),
  cubic = list(formula = "Reaction ~ Days + (Days + I(Days^2) + I(Days^3) | Subject)",
               columns = c("(Intercept)", "Days", "I(Days^2)", "I(Days^3)"), parm = c(2, 11)))
result <- list()
for (name in names(cases)) {
  case <- cases[[name]]
  fit <- lmer(as.formula(case$formula), sleep, REML = TRUE, control = control)
  started <- Sys.time()
  # A few parameters per model (lme4's profile of every parameter of these blocks takes hours here):
  # for the 3-block sd(Intercept), cor(Intercept, Days) and sigma; for the 4-block
  # cor(Intercept, Days) and sigma.
  ci <- confint(fit, parm = case$parm, method = "profile", oldNames = FALSE)
  seconds <- as.numeric(Sys.time() - started, units = "secs")
  # lme4's rows "sd_<col>|Subject" and "cor_<col a>.<col b>|Subject" (a after b); the tests use
  # brms names with the earlier column first: sd_Subject__<col>, cor_Subject__<first>__<second>.
  brms <- function(col) if (col == "(Intercept)") "Intercept" else col
  mapped <- list()
  for (r in grep("^(sd|cor)_", rownames(ci), value = TRUE)) {
    body <- sub("\\|Subject$", "", sub("^(sd|cor)_", "", r))
    if (startsWith(r, "sd_")) {
      mapped[[paste0("sd_Subject__", brms(body))]] <- unname(ci[r, ])
    } else {
      pair <- case$columns[sort(which(sapply(case$columns, function(col)
        startsWith(body, paste0(col, ".")) || endsWith(body, paste0(".", col)))))]
      mapped[[paste0("cor_Subject__", brms(pair[1]), "__", brms(pair[2]))]] <- unname(ci[r, ])
    }
  }
  mapped[["sigma"]] <- unname(ci["sigma", ])
  result[[name]] <- list(formula = case$formula, method = "REML",
    r_call = sprintf("confint(lmer(%s, sleepstudy, control = lmerControl(optimizer = 'bobyqa', optCtrl = list(rhoend = 1e-12, maxfun = 1e5))), parm = c(%s), method = 'profile', oldNames = FALSE)", case$formula, paste(case$parm, collapse = ", ")),
    theta = unname(getME(fit, "theta")), REML_criterion = REMLcrit(fit), lme4_rownames = rownames(ci),
    intervals = mapped, seconds = seconds)
  cat(name, seconds, "s\n"); print(ci)
}
result$lme4_version <- as.character(packageVersion("lme4"))
writeLines(toJSON(result, digits = NA, auto_unbox = TRUE, pretty = TRUE), file.path(fixtures, "lmer_profile_blocks.json"))
