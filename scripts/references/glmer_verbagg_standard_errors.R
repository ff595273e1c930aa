# glmer's standard errors on the VerbAgg crossed Bernoulli GLMM (models/verbagg.csv), for the
# parity of a cheaper Hessian (issue 22 point 4): vcov(fit) (use.hessian = TRUE, deriv12's
# finite-difference Hessian of the Laplace deviance in (theta, beta)) at the default fit and at the
# tight bobyqa refit (rhoend = 1e-12, maxfun = 1e5) that glmer_verbagg.json holds.
# Writes Tests/MultilevelModelsTests/Fixtures/glmer_verbagg_standard_errors.json.
# Run from the repository root: Rscript scripts/references/glmer_verbagg_standard_errors.R
suppressPackageStartupMessages({ library(lme4); library(jsonlite) })
data <- read.csv("models/verbagg.csv", stringsAsFactors = TRUE)
data$id <- factor(data$id)
formula <- r2 ~ Anger + Gender + btype + situ + (1 | id) + (1 | item)
summarize <- function(fit) list(names = names(fixef(fit)), beta = unname(fixef(fit)),
                                theta = unname(getME(fit, "theta")),
                                se = unname(sqrt(diag(as.matrix(vcov(fit))))), logLik = as.numeric(logLik(fit)))
default <- glmer(formula, data, family = binomial)
tight <- glmer(formula, data, family = binomial,
               control = glmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12, maxfun = 1e5)))
writeLines(toJSON(list(formula = deparse(formula), lme4_version = as.character(packageVersion("lme4")),
                       note = "se: sqrt(diag(vcov(fit))), glmer's deriv12 Hessian of the Laplace deviance at each optimum",
                       default = summarize(default), tight = summarize(tight)),
                  digits = NA, auto_unbox = TRUE, pretty = TRUE),
           "Tests/MultilevelModelsTests/Fixtures/glmer_verbagg_standard_errors.json")
