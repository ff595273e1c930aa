# VerbAgg (lme4's data: 7,584 Bernoulli responses, 316 respondents × 24 items crossed) written to
# models/verbagg.csv, and glmer's fit of r2 ~ Anger + Gender + btype + situ + (1 | id) + (1 | item)
# timed here (Laplace; default control, then a tight bobyqa refit with rhoend = 1e-12 whose optimum
# is the parity reference). Writes Tests/MultilevelModelsTests/Fixtures/glmer_verbagg.json.
# Run from the repository root, niced:  nice -n 19 Rscript scripts/references/glmer_verbagg.R
suppressPackageStartupMessages({ library(lme4); library(jsonlite) })
data(VerbAgg, package = "lme4")
out <- data.frame(r2 = ifelse(VerbAgg$r2 == "Y", 1, 0), Anger = VerbAgg$Anger, Gender = VerbAgg$Gender,
                  btype = VerbAgg$btype, situ = VerbAgg$situ, id = VerbAgg$id, item = VerbAgg$item)
write.csv(out, "models/verbagg.csv", row.names = FALSE)
formula <- r2 ~ Anger + Gender + btype + situ + (1 | id) + (1 | item)
times <- sapply(1:3, function(i) system.time(fit <<- glmer(formula, out, family = binomial))[["elapsed"]])
cpu <- system.time(glmer(formula, out, family = binomial))
tight <- glmer(formula, out, family = binomial,
               control = glmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12, maxfun = 1e5)))
print(times); print(cpu); print(summary(fit)$coefficients)
describe <- function(f) list(theta = unname(getME(f, "theta")), beta = unname(fixef(f)),
                             names = names(fixef(f)), deviance = unname(deviance(f)),
                             logLik = as.numeric(logLik(f)), AIC = AIC(f))
result <- list(formula = deparse(formula), family = "binomial",
  note = "glmer default fit (timed; elapsed seconds of three fits, and user + system CPU of a fourth) and a tight bobyqa refit (rhoend = 1e-12, maxfun = 1e5): the parity reference is the tight fit.",
  elapsed_seconds = unname(times), cpu_seconds = unname(cpu[["user.self"]] + cpu[["sys.self"]]),
  default = describe(fit), tight = describe(tight), lme4_version = as.character(packageVersion("lme4")))
writeLines(toJSON(result, digits = NA, auto_unbox = TRUE, pretty = TRUE),
           "Tests/MultilevelModelsTests/Fixtures/glmer_verbagg.json")
