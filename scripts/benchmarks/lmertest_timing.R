# Times lmerTest's Satterthwaite and Kenward-Roger t tests beside the lme4 fit they follow, on
# lme4's sleepstudy and InstEval (the data the multilevel-bench jobs satterthwaite-sleepstudy and
# satterthwaite-insteval imitate). Usage: Rscript scripts/benchmarks/lmertest_timing.R
# Prints one line per step with elapsed seconds (single-threaded BLAS assumed).
suppressMessages({ library(lme4); library(lmerTest) })
step <- function(label, expr) {
  t <- system.time(value <- force(expr))[["elapsed"]]
  cat(sprintf("%-40s %8.3f s\n", label, t))
  invisible(value)
}
data(sleepstudy, package = "lme4")
m <- step("sleepstudy lme4::lmer", lme4::lmer(Reaction ~ Days + (Days | Subject), sleepstudy))
ml <- step("sleepstudy lmerTest::lmer (fit + Hessian)", lmerTest::lmer(Reaction ~ Days + (Days | Subject), sleepstudy))
step("sleepstudy summary(ddf = Satterthwaite)", summary(ml, ddf = "Satterthwaite"))
step("sleepstudy summary(ddf = Kenward-Roger)", summary(ml, ddf = "Kenward-Roger"))
data(InstEval, package = "lme4")
f <- y ~ service + (1 | s) + (1 | d) + (1 | dept)
m <- step("InstEval lme4::lmer", lme4::lmer(f, InstEval))
ml <- step("InstEval lmerTest::lmer (fit + Hessian)", lmerTest::lmer(f, InstEval))
step("InstEval summary(ddf = Satterthwaite)", summary(ml, ddf = "Satterthwaite"))
