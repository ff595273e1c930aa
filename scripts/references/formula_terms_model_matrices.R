# Model matrices for the formula terms of issue 20 (poly, scale, contrasts, C(), their
# interactions) from R's model.matrix, on the fitted rows and on new rows (predict's path:
# the model frame's predvars keep poly's coefs and scale's centre/scale, .getXlevels the
# levels). Base R only. Writes Tests/MultilevelDataTests/Fixtures/formula_terms_model_matrices.json.
# Run from the repository root: Rscript scripts/references/formula_terms_model_matrices.R
data_dir <- "../shared/data"
out <- "Tests/MultilevelDataTests/Fixtures/formula_terms_model_matrices.json"
cake <- read.csv(file.path(data_dir, "cake.csv"))
cake$replicate <- factor(cake$replicate); cake$recipe <- factor(cake$recipe)
cake$temperature <- factor(cake$temperature)          # quoted in the CSV: a factor, levels 175 < ... < 225
sleep <- read.csv(file.path(data_dir, "sleepstudy.csv"))
sleep$Subject <- factor(sleep$Subject)
new_cake <- data.frame(angle = 0, recipe = factor(c("C", "A", "B"), levels = levels(cake$recipe)),
                       temperature = factor(c("225", "175", "195"), levels = levels(cake$temperature)),
                       temp = c(230, 170, 199.5))
new_sleep <- data.frame(Reaction = 0, Days = c(0, 2.5, 10, 12, 0.5), Subject = factor("308", levels = levels(sleep$Subject)))

num <- function(x) ifelse(is.na(x), "null", formatC(x, digits = 17, format = "g"))
str <- function(x) paste0('"', gsub('"', '\\\\"', x), '"')
rows_json <- function(m) paste0("[", paste(apply(m, 1, function(r) paste0("[", paste(num(r), collapse = ", "), "]")), collapse = ",\n    "), "]")

case <- function(name, data_name, data, newdata, formula, contrasts = NULL, relevel = NULL) {
  if (!is.null(relevel)) for (v in names(relevel)) {
    data[[v]] <- relevel(data[[v]], ref = relevel[[v]])
    newdata[[v]] <- factor(as.character(newdata[[v]]), levels = levels(data[[v]]))
  }
  f <- as.formula(formula)
  mf <- model.frame(f, data)
  X <- model.matrix(f, mf, contrasts.arg = contrasts)
  tt <- delete.response(terms(mf))
  mf_new <- model.frame(tt, newdata, xlev = .getXlevels(terms(mf), mf))
  X_new <- model.matrix(tt, mf_new, contrasts.arg = attr(X, "contrasts"))  # as predict.lm passes object$contrasts
  stopifnot(identical(colnames(X), colnames(X_new)))
  contr <- if (is.null(contrasts)) "{}" else paste0("{", paste(sprintf('"%s": "%s"', names(contrasts), unlist(contrasts)), collapse = ", "), "}")
  ref <- if (is.null(relevel)) "{}" else paste0("{", paste(sprintf('"%s": "%s"', names(relevel), unlist(relevel)), collapse = ", "), "}")
  sprintf('  {"name": "%s", "data": "%s", "formula": %s, "contrasts": %s, "reference": %s,\n   "columns": [%s],\n   "matrix": %s,\n   "new_matrix": %s}',
          name, data_name, str(formula), contr, ref, paste(str(colnames(X)), collapse = ", "), rows_json(X), rows_json(X_new))
}

cases <- c(
  case("poly3", "sleepstudy", sleep, new_sleep, "Reaction ~ poly(Days, 3)"),
  case("poly_raw", "sleepstudy", sleep, new_sleep, "Reaction ~ poly(Days, 2, raw = TRUE)"),
  case("scale", "sleepstudy", sleep, new_sleep, "Reaction ~ scale(Days) + scale(log(Days + 1), scale = FALSE) + scale(Days^2, center = FALSE)"),
  case("poly_by_factor", "cake", cake, new_cake, "angle ~ poly(temp, 2) * recipe"),
  case("sum", "cake", cake, new_cake, "angle ~ recipe * temperature", list(recipe = "contr.sum")),
  case("helmert", "cake", cake, new_cake, "angle ~ recipe * temperature", list(recipe = "contr.helmert", temperature = "contr.helmert")),
  case("poly_contrast", "cake", cake, new_cake, "angle ~ recipe * temperature", list(temperature = "contr.poly")),
  case("C_sum", "cake", cake, new_cake, "angle ~ C(recipe, sum) * temp"),
  case("reference_sum", "cake", cake, new_cake, "angle ~ recipe * temperature", list(recipe = "contr.sum"), list(temperature = "205", recipe = "B")),
  case("no_intercept", "cake", cake, new_cake, "angle ~ 0 + recipe + temperature", list(recipe = "contr.sum", temperature = "contr.poly"))
)
writeLines(c(sprintf('{"r_version": "%s", "note": "model.matrix on the fitted rows (matrix) and on new rows through the model frame predvars (new_matrix); rows as arrays in the order of columns",', R.version.string),
             ' "cases": [', paste(cases, collapse = ",\n"), ' ]}'), out)
