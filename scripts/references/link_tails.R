# Tail values of log mu and log(1 - mu) for the probability links (Tests/MultilevelModelsTests/Fixtures/link_tails.json),
# from R's pnorm, pcauchy and plogis with log.p, and log1p/expm1 for cloglog.
# Run: Rscript scripts/references/link_tails.R (writes /tmp/link_tails.json; copy it into the fixtures).
options(digits=17)
library(jsonlite)
etas <- c(-40, -30, -8, -1.3, 0, 0.7, 6, 30)
cl_logmu <- function(e) if (exp(e) > 1) log1p(-exp(-exp(e))) else log(-expm1(-exp(e)))
out <- list(
 eta = etas,
 probit_logMean = pnorm(etas, log.p=TRUE),
 probit_logComplement = pnorm(etas, lower.tail=FALSE, log.p=TRUE),
 cloglog_logMean = sapply(etas, function(e) if (exp(e) < 1e-8) e - exp(e)/2 else cl_logmu(e)),
 cloglog_logComplement = -exp(etas),
 cauchit_logMean = pcauchy(etas, log.p=TRUE),
 cauchit_logComplement = pcauchy(etas, lower.tail=FALSE, log.p=TRUE),
 logit_logMean = plogis(etas, log.p=TRUE),
 logit_logComplement = plogis(etas, lower.tail=FALSE, log.p=TRUE)
)
write(toJSON(out, digits=NA, pretty=TRUE), "/tmp/link_tails.json")
