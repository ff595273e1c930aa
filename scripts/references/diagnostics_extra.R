# Extra reference draws for Tests/MultilevelSamplingTests/Fixtures/diag_extra_*.{csv,json}:
# odd chain lengths (split drops the middle draw), ties, very short chains and non-finite draws,
# summarised by posterior 1.4.0. Draws are written with 17 significant digits so that the CSV
# holds exactly the doubles R summarised.
library(posterior)
set.seed(20261121)

# Sourced relative to this script: Rscript scripts/references/diagnostics_extra.R
here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)))
source(file.path(here, "diagnostics_fixture_writer.R"))

ar1 <- function(n, phi) { x <- numeric(n); x[1] <- rnorm(1); for (t in 2:n) x[t] <- phi * x[t - 1] + sqrt(1 - phi^2) * rnorm(1); x }

# Odd chain length (201), 3 chains: autocorrelated, discrete with many ties, skewed.
n <- 201; m <- 3
write_fixture("diag_extra_odd", list(
  ar = sapply(1:m, function(c) ar1(n, 0.8) + 0.1 * c),
  poisson = sapply(1:m, function(c) rpois(n, 3)),
  gamma = sapply(1:m, function(c) rgamma(n, shape = 0.5))))

# Very short chains: 5 draws (split halves of 2 draws: ESS is NA) and 7 draws (halves of 3).
write_fixture("diag_extra_short5", list(a = sapply(1:4, function(c) rnorm(5)), b = sapply(1:4, function(c) rnorm(5) * c)))
write_fixture("diag_extra_short7", list(a = sapply(1:2, function(c) rnorm(7)), b = sapply(1:2, function(c) rexp(7))))

# One chain stuck (constant within a chain), and an infinite draw.
stuck <- sapply(1:4, function(c) rnorm(100)); stuck[, 2] <- 0.5
inf <- sapply(1:4, function(c) rnorm(100)); inf[17, 3] <- Inf
write_fixture("diag_extra_stuck", list(stuck = stuck, infinite = inf, ok = sapply(1:4, function(c) rnorm(100))))
