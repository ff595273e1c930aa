# Heavy-tailed reference draws for Tests/MultilevelSamplingTests/Fixtures/diag_heavy.{csv,json}:
# 4 chains × 1,000 independent draws of a standard Cauchy, a Student t with 3 degrees of freedom
# and a log-normal with σ = 2, summarised by posterior 1.4.0. Draws are written with 17
# significant digits (an earlier version of this fixture had 15, which made the two draws either
# side of the Cauchy median exactly symmetric about it — a tie in the folded ranks R never saw).
# Run from the fixtures directory: Rscript ../../../scripts/references/diagnostics_heavy.R
here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)))
source(file.path(here, "diagnostics_fixture_writer.R"))
set.seed(20261122)

n <- 1000; m <- 4
write_fixture("diag_heavy", list(
  cauchy = sapply(1:m, function(c) rcauchy(n)),
  t3 = sapply(1:m, function(c) rt(n, df = 3)),
  lognormal = sapply(1:m, function(c) rlnorm(n, meanlog = 0, sdlog = 2))))
