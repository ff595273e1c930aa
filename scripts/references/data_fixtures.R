# Reference fixtures for Tests/MultilevelDataTests (run from the repository root):
#   Rscript scripts/references/data_fixtures.R
# Needs only base R (r-base-core). Writes
#   Tests/MultilevelDataTests/Fixtures/interactions.csv   simulated data (seeded) with factors and NAs
#   Tests/MultilevelDataTests/Fixtures/model_matrices.json model.matrix() of each formula, qr() ranks,
#                                                          grouping-factor levels, sort() order,
#                                                          as.character() of numbers
fixtures <- "Tests/MultilevelDataTests/Fixtures"

json <- function(x) {
  if (is.null(x)) return("null")
  if (is.list(x)) {
    if (!is.null(names(x))) {
      items <- mapply(function(k, v) paste0("\"", k, "\": ", json(v)), names(x), x)
      return(paste0("{", paste(items, collapse = ", "), "}"))
    }
    return(paste0("[", paste(sapply(x, json), collapse = ", "), "]"))
  }
  if (is.character(x)) {
    esc <- gsub("\\\\", "\\\\\\\\", x)
    esc <- gsub("\"", "\\\\\"", esc)
    v <- paste0("\"", esc, "\"")
  } else if (is.logical(x)) {
    v <- ifelse(x, "true", "false")
  } else {
    v <- ifelse(is.na(x), "null", sprintf("%.17g", x))
  }
  # Vectors marked I() are always arrays; other length-1 vectors are scalars.
  if (length(v) == 1 && !inherits(x, "AsIs")) return(v)
  paste0("[", paste(v, collapse = ", "), "]")
}

set.seed(20261121)
n <- 40
d <- data.frame(
  y = round(rnorm(n, 10, 2), 3),
  x = round(rnorm(n), 3),
  z = round(runif(n, 0.5, 3), 3),
  f = factor(sample(c("lo", "Mid", "hi"), n, replace = TRUE)),
  g = factor(sample(c("yes", "no"), n, replace = TRUE)),
  k = sample(1:4, n, replace = TRUE),
  a = factor(rep(c("A", "B", "C", "D"), each = 10)),
  b = factor(rep(c("a", "b"), times = 20))
)
d$x2 <- 2 * d$x
d$fdup <- factor(c(lo = "L", Mid = "M", hi = "H")[as.character(d$f)])
d$y[3] <- NA
d$x[7] <- NA
d$x2[7] <- NA
d$f[11] <- NA
write.csv(d, file.path(fixtures, "interactions.csv"), row.names = FALSE)

d <- read.csv(file.path(fixtures, "interactions.csv"), stringsAsFactors = TRUE)
sleep <- read.csv("models/sleepstudy.csv", stringsAsFactors = TRUE)
cbpp <- read.csv("models/cbpp.csv", stringsAsFactors = TRUE)
# read.csv reads the quoted numbers "308", "1" as integers; Multilevel reads quoted values as factor
# levels and orders all-numeric labels by value, which is R's factor() of those integers.
sleep$Subject <- factor(sleep$Subject)
cbpp$herd <- factor(cbpp$herd)
cbpp$period <- factor(cbpp$period)

mm <- function(formula, data, dataName) {
  X <- model.matrix(as.formula(formula), data)
  q <- qr(X, tol = 1e-7)
  list(formula = formula, data = dataName, columns = I(colnames(X)), rows = nrow(X),
       values = I(as.vector(X)), rank = q$rank, pivot = I(q$pivot - 1L))
}

formulas <- c(
  "y ~ x * f", "y ~ f * g", "y ~ f:g", "y ~ x:f", "y ~ f + g - 1", "y ~ 0 + x:f + g",
  "y ~ x + I(x^2) + log(z)", "y ~ f/x", "y ~ (x + f + g)^2", "y ~ factor(k) + x", "y ~ g:x + f",
  "y ~ f:x:g + x", "y ~ I(x - 3) + sqrt(z) + exp(x)", "y ~ x + x2", "y ~ f + fdup", "y ~ x * f - f",
  "y ~ g * f - 1", "y ~ f:g - 1", "y ~ 1", "y ~ x + f %in% g", "y ~ a/b", "y ~ -1 + x"
)
matrices <- c(
  list(mm("Reaction ~ Days", sleep, "sleepstudy.csv"),
       mm("incidence ~ period", cbpp, "cbpp.csv"),
       mm("incidence ~ period + size", cbpp, "cbpp.csv")),
  lapply(formulas, function(f) mm(f, d, "interactions.csv"))
)

# Grouping factors: brms labels of nested / interaction groups are paste(outer, inner, sep = "_")
# as a factor (levels sorted by R).
complete <- d[!is.na(d$y), ]
ab <- factor(paste(complete$a, complete$b, sep = "_"))
groups <- list(
  list(name = "a:b", rows_with_missing_y_dropped = TRUE, levels = I(levels(ab)), index = I(as.integer(ab) - 1L)),
  list(name = "Subject", levels = I(levels(sleep$Subject)), index = I(as.integer(sleep$Subject) - 1L)),
  list(name = "herd", levels = I(levels(cbpp$herd)), index = I(as.integer(cbpp$herd) - 1L))
)

collation <- c("b", "B", "a", "A", "ab", "aB", "Ab", "a_b", "a.b", "a b", "a1", "A10", "a2", "_x", "x_",
               "\u00e9", "e", "E", "\u00c9", "f", "Zeta", "zeta", "10", "9", "1a", "a-b", "ab1", "308", "3",
               "Z", "z1", "caf\u00e9", "cafe", "Cafe", "[x]", "(x)", "x$", "x+y", "x=y", "NA_", "na",
               "High", "high", "hi", "Mid", "lo", "low", "Low", "\u00fcber", "uber", "Uber", "ub")
numbers <- c(1, 0.5, 100000, 123456, 1e-4, 0.00012, 1e15, 1234567890123, -2.5, 3.14159265358979,
             1/3, 2e-308, 1e5 + 0.1, 0.1 + 0.2, 42, -1e-20)

out <- list(
  matrices = matrices,
  groups = groups,
  collation = list(input = collation, sorted = sort(collation)),
  numbers = list(values = numbers, labels = as.character(numbers)),
  levels = list(f = levels(d$f), g = levels(d$g), fdup = levels(d$fdup))
)
writeLines(json(out), file.path(fixtures, "model_matrices.json"))
cat("wrote", file.path(fixtures, "model_matrices.json"), "\n")
