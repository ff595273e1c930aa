# loo 2.5.1 on fixed pointwise log-likelihood matrices (issue 18): three models' S x n matrices
# (three models) from autocorrelated chains (4 chains x 250 draws, AR(1) draws of a normal model's mean and
# log sd, one outlying observation so that some Pareto k exceed 0.7), with what loo reports:
# relative_eff, loo (pointwise elpd_loo, mcse_elpd_loo, p_loo, looic, pareto_k; totals and SEs),
# waic, loo_compare, and loo_model_weights (stacking; pseudo-BMA without and with the Bayesian
# bootstrap). Writes Tests/MultilevelModelsTests/Fixtures/loo_matrices.json.
# Run from the repository root: Rscript scripts/references/loo_matrices.R
suppressMessages({library(loo); library(jsonlite)})
set.seed(20261206)
chains <- 4; iterations <- 250; S <- chains * iterations
y <- c(round(rnorm(19, 1, 1), 3), 4.2)
n <- length(y)
ar1 <- function(center, scale, rho) {
  out <- numeric(S)
  for (c in seq_len(chains)) {
    x <- numeric(iterations); x[1] <- rnorm(1)
    for (t in 2:iterations) x[t] <- rho * x[t - 1] + sqrt(1 - rho^2) * rnorm(1)
    out[(c - 1) * iterations + seq_len(iterations)] <- center + scale * x
  }
  out
}
# Model A: normal; model B: Student-t with 4 degrees of freedom (robust to the outlier).
muA <- ar1(mean(y), sd(y) / sqrt(n), 0.6); logsA <- ar1(log(sd(y)), 0.16, 0.5)
muB <- ar1(median(y), 0.25, 0.7); logsB <- ar1(log(0.9), 0.18, 0.4)
llA <- sapply(y, function(v) dnorm(v, muA, exp(logsA), log = TRUE))
llB <- sapply(y, function(v) dt((v - muB) / exp(logsB), df = 4, log = TRUE) - logsB)
# Model C: a narrow normal fitted without the outlier (best on the others, worst on it).
muC <- ar1(mean(y[-n]), sd(y[-n]) / sqrt(n - 1), 0.5); logsC <- ar1(log(sd(y[-n])), 0.16, 0.5)
llC <- sapply(y, function(v) dnorm(v, muC, exp(logsC), log = TRUE))
chain_id <- rep(seq_len(chains), each = iterations)
summarise <- function(ll) {
  r_eff <- relative_eff(exp(ll), chain_id = chain_id)
  l <- loo(ll, r_eff = r_eff)
  w <- suppressWarnings(waic(ll))
  list(r_eff = r_eff,
       log_lik_column_major = as.vector(ll),
       estimates = as.list(setNames(as.data.frame(t(l$estimates)), rownames(l$estimates))),
       elpd_loo = l$estimates["elpd_loo", ], p_loo = l$estimates["p_loo", ], looic = l$estimates["looic", ],
       mcse_elpd_loo = mcse_loo(l),
       pointwise = as.data.frame(l$pointwise),
       pareto_k_counts = as.vector(table(cut(l$diagnostics$pareto_k, c(-Inf, 0.5, 0.7, 1, Inf)))),
       waic = list(elpd_waic = w$estimates["elpd_waic", ], p_waic = w$estimates["p_waic", ],
                   waic = w$estimates["waic", ], pointwise = as.data.frame(w$pointwise)),
       loo_object = l)
}
A <- summarise(llA); B <- summarise(llB); C <- summarise(llC)
cmp <- loo_compare(list(A = A$loo_object, B = B$loo_object, C = C$loo_object))
lpd <- cbind(A$loo_object$pointwise[, "elpd_loo"], B$loo_object$pointwise[, "elpd_loo"])
stacking <- loo_model_weights(list(A$loo_object, B$loo_object), method = "stacking")
stacking_ac <- loo_model_weights(list(A$loo_object, C$loo_object), method = "stacking")
stacking_abc <- loo_model_weights(list(A$loo_object, B$loo_object, C$loo_object), method = "stacking")
pbma <- loo_model_weights(list(A$loo_object, B$loo_object), method = "pseudobma", BB = FALSE)
pbma_bb <- loo_model_weights(list(A$loo_object, B$loo_object), method = "pseudobma", BB = TRUE, BB_n = 1000, seed = 1)
A$loo_object <- NULL; B$loo_object <- NULL; C$loo_object <- NULL
out <- list(versions = list(R = as.character(getRversion()), loo = as.character(packageVersion("loo"))),
            r_calls = c("r_eff <- relative_eff(exp(ll), chain_id = rep(1:4, each = 250))", "loo(ll, r_eff = r_eff)",
                        "mcse_loo(l)", "waic(ll)", "loo_compare(list(A = lA, B = lB, C = lC))",
                        "loo_model_weights(list(lA, lB), method = 'stacking')", "loo_model_weights(list(lA, lC), method = 'stacking')", "loo_model_weights(list(lA, lB, lC), method = 'stacking')",
                        "loo_model_weights(list(lA, lB), method = 'pseudobma', BB = FALSE)",
                        "loo_model_weights(list(lA, lB), method = 'pseudobma', BB = TRUE, BB_n = 1000, seed = 1)"),
            chains = chains, iterations = iterations, draws = S, observations = n, y = y,
            A = A, B = B, C = C,
            loo_compare = list(models = rownames(cmp), elpd_diff = unname(cmp[, "elpd_diff"]), se_diff = unname(cmp[, "se_diff"])),
            stacking = as.vector(stacking), stacking_ac = as.vector(stacking_ac), stacking_abc = as.vector(stacking_abc), pseudobma = as.vector(pbma), pseudobma_bb = as.vector(pbma_bb))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = FALSE),
           "Tests/MultilevelModelsTests/Fixtures/loo_matrices.json")
print(cmp); print(stacking); print(stacking_ac); print(stacking_abc); print(pbma); print(pbma_bb)
print(A$estimates); print(B$estimates)
