# Reference for `multilevel predict --interval confidence` on an lmer fit: lme4's predict with
# re.form = NA and NULL (allow.new.levels = TRUE) and the delta-method standard error of the
# population part, sqrt(diag(X V X')) with V = vcov(fit), for the newdata of
# shared/reference/v2/predict_sleepstudy.json (Days 0..9 for subject 308 and a new subject).
# Run from the repository root: Rscript scripts/references/predict_confidence.R DATA_DIR OUT.json
suppressPackageStartupMessages({ library(lme4); library(jsonlite) })
args <- commandArgs(trailingOnly = TRUE)
sleepstudy <- read.csv(file.path(args[1], "sleepstudy.csv"))
sleepstudy$Subject <- factor(sleepstudy$Subject)
fit <- lmer(Reaction ~ Days + (Days | Subject), data = sleepstudy, control = lmerControl(optimizer = "bobyqa"))
nd <- data.frame(Days = rep(0:9, 2), Subject = rep(c("308", "new"), each = 10))
X <- model.matrix(~ Days, nd)
se <- sqrt(diag(X %*% as.matrix(vcov(fit)) %*% t(X)))
population <- predict(fit, newdata = nd, re.form = NA)
conditional <- predict(fit, newdata = nd, re.form = NULL, allow.new.levels = TRUE)
slopes_only <- predict(fit, newdata = nd, re.form = ~ (0 + Days | Subject), allow.new.levels = TRUE)
out <- list(
  r_call = "lmer(Reaction ~ Days + (Days | Subject), sleepstudy, bobyqa); predict(fit, nd, re.form = NA / NULL / ~(0 + Days | Subject), allow.new.levels = TRUE); se = sqrt(diag(X vcov(fit) X'))",
  versions = list(R = paste(R.version$major, R.version$minor, sep = "."), lme4 = as.character(packageVersion("lme4"))),
  REML_criterion = REMLcrit(fit),
  vcov = unname(as.matrix(vcov(fit))),
  rows = data.frame(Days = nd$Days, Subject = nd$Subject, re_form_NA = unname(population),
                    re_form_NULL = unname(conditional), re_form_days = unname(slopes_only), se_fit = unname(se),
                    lower = unname(population - qnorm(0.975) * se), upper = unname(population + qnorm(0.975) * se)))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), args[2])
