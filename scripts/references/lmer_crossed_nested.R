# Reference fits for the frequentist engine on designs not in ../shared: a crossed design with a
# vector-valued term on the smaller factor, and a nested design (1 | batch/cask). Simulated with a
# fixed seed; fitted with lme4 (1.1-31, lmer defaults); written as CSV + JSON in the shape of
# ../shared/reference/*.json, with brms naming (nested group "batch:cask", levels "A_a").
# Also: complete pooling lm(Reaction ~ Days) and no pooling lm(Reaction ~ Subject/Days - 1) on
# sleepstudy (equivalent to lm(Reaction ~ Days * Subject - 1), one line per group).
# Run from the repository root: Rscript scripts/references/lmer_crossed_nested.R
suppressPackageStartupMessages({ library(lme4); library(jsonlite) })
out <- "Tests/MultilevelModelsTests/Fixtures"

lmerJSON <- function(fit, dataset, formula, rename = function(g) g, relevel = function(g, l) l) {
  vc <- as.data.frame(VarCorr(fit))
  pars <- list()
  fe <- summary(fit)$coefficients
  for (i in seq_len(nrow(fe))) {
    nm <- rownames(fe)[i]; nm <- if (nm == "(Intercept)") "Intercept" else nm
    pars[[paste0("b_", nm)]] <- list(estimate = fe[i, 1], se = fe[i, 2])
  }
  for (i in seq_len(nrow(vc))) {
    g <- rename(vc$grp[i])
    clean <- function(v) if (v == "(Intercept)") "Intercept" else v
    if (g == "Residual") pars[["sigma"]] <- list(estimate = vc$sdcor[i])
    else if (is.na(vc$var2[i])) pars[[paste0("sd_", g, "__", clean(vc$var1[i]))]] <- list(estimate = vc$sdcor[i])
    else pars[[paste0("cor_", g, "__", clean(vc$var1[i]), "__", clean(vc$var2[i]))]] <- list(estimate = vc$sdcor[i])
  }
  # sigma last, as the reference files order it
  pars <- c(pars[names(pars) != "sigma"], pars["sigma"])
  re <- ranef(fit, condVar = TRUE)
  ranefs <- list()
  for (g in names(re)) {
    modes <- re[[g]]; pv <- attr(modes, "postVar")
    gname <- rename(g); levels <- list()
    for (l in seq_len(nrow(modes))) {
      terms <- list()
      for (k in seq_len(ncol(modes))) {
        tn <- colnames(modes)[k]; tn <- if (tn == "(Intercept)") "Intercept" else tn
        terms[[tn]] <- list(mode = modes[l, k], condsd = sqrt(pv[k, k, l]))
      }
      levels[[relevel(g, rownames(modes)[l])]] <- terms
    }
    ranefs[[gname]] <- levels
  }
  list(dataset = dataset, formula = formula, family = "gaussian",
       method = if (isREML(fit)) "REML" else "ML", nobs = nobs(fit),
       logLik = as.numeric(logLik(fit)), AIC = AIC(fit), BIC = BIC(fit),
       criterion = if (isREML(fit)) REMLcrit(fit) else deviance(fit),
       singular = isSingular(fit), theta = unname(getME(fit, "theta")),
       parameters = pars, ranef = ranefs, lme4_version = as.character(packageVersion("lme4")))
}

write_ref <- function(x, file) writeLines(toJSON(x, auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(out, file))

# Crossed: 60 levels of g1 (scalar intercepts, the first block) x 25 levels of g2 with correlated
# intercepts and slopes (a vector-valued term in the dense block); incomplete crossing.
set.seed(20240611)
n <- 900
g1 <- sample(sprintf("s%02d", 1:60), n, replace = TRUE)
g2 <- sample(sprintf("t%02d", 1:25), n, replace = TRUE)
x <- rnorm(n)
a <- setNames(rnorm(60, 0, 1.5), sprintf("s%02d", 1:60))
L <- t(chol(matrix(c(1, 0.3 * 0.8, 0.3 * 0.8, 0.64), 2)))
b <- t(L %*% matrix(rnorm(50), 2)); rownames(b) <- sprintf("t%02d", 1:25)
y <- 3 + 0.7 * x + a[g1] + b[g2, 1] + b[g2, 2] * x + rnorm(n, 0, 1.2)
crossed <- data.frame(y = round(y, 6), x = round(x, 6), g1 = g1, g2 = g2)
write.csv(crossed, file.path(out, "crossed.csv"), row.names = FALSE)
fc <- lmer(y ~ x + (1 | g1) + (x | g2), crossed)
write_ref(lmerJSON(fc, "crossed", "y ~ x + (1 | g1) + (x | g2)"), "crossed_reml.json")
write_ref(lmerJSON(update(fc, REML = FALSE), "crossed", "y ~ x + (1 | g1) + (x | g2)"), "crossed_ml.json")

# Nested: 12 batches x 4 casks x 3 samples, (1 | batch/cask).
set.seed(7)
batch <- rep(LETTERS[1:12], each = 12)
cask <- rep(rep(letters[1:4], each = 3), 12)
z <- rnorm(144)
bb <- setNames(rnorm(12, 0, 2), LETTERS[1:12])
cc <- rnorm(48, 0, 1); names(cc) <- paste(rep(LETTERS[1:12], each = 4), rep(letters[1:4], 12), sep = ":")
yn <- 10 + 0.5 * z + bb[batch] + cc[paste(batch, cask, sep = ":")] + rnorm(144, 0, 0.8)
nested <- data.frame(y = round(yn, 6), z = round(z, 6), batch = batch, cask = cask)
write.csv(nested, file.path(out, "nested.csv"), row.names = FALSE)
fn <- lmer(y ~ z + (1 | batch/cask), nested)
renameNested <- function(g) if (g == "cask:batch") "batch:cask" else g
relevelNested <- function(g, l) if (g == "cask:batch") { p <- strsplit(l, ":")[[1]]; paste0(p[2], "_", p[1]) } else l
write_ref(lmerJSON(fn, "nested", "y ~ z + (1 | batch/cask)", renameNested, relevelNested), "nested_reml.json")

# Singular: the same nested data with batch effects only, refit with a tiny between-cask spread
# is not guaranteed singular; use a design where the cask variance is exactly zero in truth.
set.seed(11)
ys <- 10 + 0.5 * z + bb[batch] + rnorm(144, 0, 2)
singular <- data.frame(y = round(ys, 6), z = round(z, 6), batch = batch, cask = cask)
write.csv(singular, file.path(out, "singular.csv"), row.names = FALSE)
fs <- lmer(y ~ z + (1 | batch/cask), singular)
write_ref(lmerJSON(fs, "singular", "y ~ z + (1 | batch/cask)", renameNested, relevelNested), "singular_reml.json")

# Complete and no pooling on sleepstudy.
data(sleepstudy)
lmRef <- function(fit) {
  co <- summary(fit)$coefficients; ci <- confint(fit)
  list(coefficients = lapply(setNames(seq_len(nrow(co)), rownames(co)), function(i)
         list(estimate = co[i, 1], se = co[i, 2], lower = ci[i, 1], upper = ci[i, 2])),
       sigma = summary(fit)$sigma, df = fit$df.residual,
       logLik = as.numeric(logLik(fit)), AIC = AIC(fit), BIC = BIC(fit))
}
write_ref(list(complete = lmRef(lm(Reaction ~ Days, sleepstudy)),
               none = lmRef(lm(Reaction ~ Subject / Days - 1, sleepstudy))), "sleepstudy_pooling.json")
cat("written\n")

# Profile-likelihood intervals (confint default) for the crossed fit, brms names.
ci <- confint(fc)
names_brms <- c(.sig01 = "sd_g1__Intercept", .sig02 = "sd_g2__Intercept", .sig03 = "cor_g2__Intercept__x",
                .sig04 = "sd_g2__x", .sigma = "sigma", "(Intercept)" = "b_Intercept", x = "b_x")
intervals <- list()
for (r in rownames(ci)) intervals[[names_brms[[r]]]] <- list(profile = unname(ci[r, ]))
write_ref(list(formula = "y ~ x + (1 | g1) + (x | g2)", intervals = intervals), "crossed_confint.json")
cat("written confint\n")
