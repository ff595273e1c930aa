# A Bernoulli GLMM of the contraception survey's shape (mlmRev's Contraception: 1,934 women in 60
# districts, use ~ age + I(age^2) + urban + livch + (urban | district)), simulated with a fixed
# seed because mlmRev is not packaged in Debian, fitted by glmer with its defaults (nAGQ = 1,
# bobyqa + Nelder-Mead) and, as a check that glmer's optimum is the best reachable one, refitted
# with optimizer = "bobyqa" and tight tolerances; both are written, with the data as CSV.
# Run from the repository root: Rscript scripts/references/glmer_contraception_shape.R
suppressPackageStartupMessages({ library(lme4); library(jsonlite) })
out <- "Tests/MultilevelModelsTests/Fixtures"
set.seed(20261206)
districts <- 60
size <- pmax(2, rpois(districts, 32))
district <- factor(rep(sprintf("d%02d", seq_len(districts)), size))
n <- length(district)
urban <- rbinom(n, 1, rep(runif(districts, 0.05, 0.7), size))
age <- round(rnorm(n, 0, 9), 2)
livch <- factor(sample(c("0", "1", "2", "3+"), n, replace = TRUE, prob = c(0.27, 0.24, 0.2, 0.29)))
u <- MASS::mvrnorm(districts, c(0, 0), matrix(c(0.6^2, -0.7 * 0.6 * 0.75, -0.7 * 0.6 * 0.75, 0.75^2), 2))
eta <- -1.0 + 0.005 * age - 0.004 * age^2 + 0.7 * urban + c(0, 0.8, 0.8, 0.8)[as.integer(livch)] +
  u[as.integer(district), 1] + u[as.integer(district), 2] * urban
use <- rbinom(n, 1, plogis(eta))
data <- data.frame(use = use, age = age, urban = urban, livch = livch, district = district)
write.csv(data, file.path(out, "contraception_shape.csv"), row.names = FALSE)
data <- read.csv(file.path(out, "contraception_shape.csv"), stringsAsFactors = TRUE)
formula <- use ~ age + I(age^2) + urban + livch + (urban | district)
started <- Sys.time()
default <- glmer(formula, data, binomial)
seconds <- as.numeric(Sys.time() - started, units = "secs")
tight <- glmer(formula, data, binomial,
               control = glmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-10, maxfun = 1e5)))
fitJSON <- function(fit) {
  fe <- summary(fit)$coefficients
  vc <- as.data.frame(VarCorr(fit))
  list(deviance = as.numeric(-2 * logLik(fit)), logLik = as.numeric(logLik(fit)),
       theta = unname(getME(fit, "theta")), beta = unname(fixef(fit)), fixef_names = rownames(fe),
       se = unname(fe[, 2]), sd = vc$sdcor[is.na(vc$var2)], cor = vc$sdcor[!is.na(vc$var2)],
       warnings = fit@optinfo$conv$lme4$messages)
}
result <- list(data_csv = "contraception_shape.csv",
               formula = "use ~ age + I(age^2) + urban + livch + (urban | district)", family = "bernoulli",
               r_call = "glmer(use ~ age + I(age^2) + urban + livch + (urban | district), data, binomial)",
               glmer = fitJSON(default), glmer_bobyqa_tight = fitJSON(tight), glmer_seconds = seconds,
               lme4_version = as.character(packageVersion("lme4")))
writeLines(toJSON(result, digits = NA, auto_unbox = TRUE, pretty = TRUE), file.path(out, "glmer_contraception_shape.json"))
print(result$glmer[c("deviance", "theta")]); print(result$glmer_bobyqa_tight[c("deviance", "theta")])
