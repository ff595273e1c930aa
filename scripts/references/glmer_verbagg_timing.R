# glmer's CPU time on the VerbAgg crossed Bernoulli GLMM (models/verbagg.csv, written by
# glmer_verbagg.R), for the side-by-side timing of issue 22 point 4: one untimed warm-up fit, then
# `reps` timed fits at lme4's defaults (Laplace, nAGQ = 1), each as user + system CPU seconds.
# Usage (repository root): Rscript scripts/references/glmer_verbagg_timing.R [reps]
suppressPackageStartupMessages(library(lme4))
args <- commandArgs(trailingOnly = TRUE)
reps <- if (length(args) > 0) as.integer(args[1]) else 5
data <- read.csv("models/verbagg.csv", stringsAsFactors = TRUE)
data$id <- factor(data$id)
formula <- r2 ~ Anger + Gender + btype + situ + (1 | id) + (1 | item)
invisible(glmer(formula, data, family = binomial))
cpu <- sapply(seq_len(reps), function(i) {
  t <- system.time(fit <<- glmer(formula, data, family = binomial))
  t[["user.self"]] + t[["sys.self"]]
})
cat(sprintf("glmer VerbAgg: CPU-s per fit %s; median %.3f; logLik %.8f\n",
            paste(sprintf("%.3f", cpu), collapse = " "), median(cpu), as.numeric(logLik(fit))))
