# lme4's printed summaries, as fixtures for the text layout of `multilevel lmer`
# (Tests/MultilevelReportTests/LmerSummaryTests.swift): print(summary(fit)) of
# - sleepstudy, Reaction ~ Days + (Days | Subject), REML and ML;
# - the nested design of lmer_crossed_nested.R, y ~ x + (1 | batch/cask), REML (two groups).
# lme4 1.1-31, lmer defaults. Run from the repository root: Rscript scripts/references/lmer_summary_text.R
suppressPackageStartupMessages(library(lme4))
out <- "Tests/MultilevelReportTests/Fixtures"
dir.create(out, showWarnings = FALSE)
sleepstudy <- read.csv("Tests/MultilevelModelsTests/Fixtures/sleepstudy.csv")
sleepstudy$Subject <- factor(sleepstudy$Subject)
write <- function(fit, file) writeLines(capture.output(print(summary(fit))), file.path(out, file))
write(lmer(Reaction ~ Days + (Days | Subject), sleepstudy), "lmer_sleepstudy_reml.txt")
write(lmer(Reaction ~ Days + (Days | Subject), sleepstudy, REML = FALSE), "lmer_sleepstudy_ml.txt")
nested <- read.csv("Tests/MultilevelModelsTests/Fixtures/nested.csv")
write(lmer(y ~ z + (1 | batch/cask), nested), "lmer_nested_reml.txt")
# Tiny and huge responses: every number of the summary in scientific notation.
tiny <- transform(sleepstudy, Reaction = Reaction * 1e-12)
write(lmer(Reaction ~ Days + (Days | Subject), tiny), "lmer_sleepstudy_tiny_reml.txt")
huge <- transform(sleepstudy, Reaction = Reaction * 1e150)
write(lmer(Reaction ~ Days + (Days | Subject), huge), "lmer_sleepstudy_huge_reml.txt")
