import MultilevelData

extension DistributionalPosterior {
    /// The prior table of the model as brms' `print(prior_summary(fit))` shows it for `bf(…)`
    /// (`--show-priors`): the mean's rows as for any model (the predicted dpars' own class rows
    /// left out), then per predicted dpar its `b`, `Intercept`, `sd` and `cor` rows with the dpar
    /// column filled in (`student_t(3, 0, 2.5) Intercept … sigma`).
    public func priorSummary(design: DistributionalDesign) -> String {
        priorSummaryRows(design: design).text
    }

    /// The rows as (prior, class, coef, group, dpar, lb, source), `prior` empty on inheriting rows.
    func priorSummaryRows(design: DistributionalDesign) -> (rows: [[String]], text: String) {
        let predicted = Set(design.parameters.map(\.parameter.priorClass))
        let base = PriorSet.defaults(for: design.mean, family: family)
        var table: [[String]] = []
        var effective: [String] = []
        for row in base.rows where !predicted.contains(row.parameterClass) {
            let prior = base.effectivePrior(row.parameterClass, coefficient: row.coefficient, group: row.group)
            table.append([row.prior?.description ?? "", row.parameterClass.rawValue, row.coefficient, row.group, "",
                          row.lowerBound, row.source.rawValue])
            effective.append(prior == .flat ? "(flat)" : prior.description)
        }
        for (index, part) in design.parameters.enumerated() {
            let p = index + 1, dpar = part.parameter.rawValue
            let predictor = predictors[p]
            if !predictor.coefficientNames.isEmpty {
                table.append(["", "b", "", "", dpar, "", "default"])
                effective.append("(flat)")
                for name in predictor.coefficientNames {
                    table.append(["", "b", name, "", dpar, "", "(vectorized)"])
                    effective.append("(flat)")
                }
            }
            if predictor.hasIntercept {
                let prior = priors.intercept[p]
                table.append([prior == .flat ? "" : prior.description, "Intercept", "", "", dpar, "", "default"])
                effective.append(prior == .flat ? "(flat)" : prior.description)
            }
            if !predictor.terms.isEmpty {
                let sd = priors.standardDeviations[p][0][0].description
                table.append([sd, "sd", "", "", dpar, "0", "default"])
                effective.append(sd)
                var groups = Set<String>(), coefficients = Set<String>()
                for term in predictor.terms {
                    if groups.insert(term.groupName).inserted {
                        table.append(["", "sd", "", term.groupName, dpar, "0", "(vectorized)"])
                        effective.append(sd)
                    }
                    for name in term.columnNames where coefficients.insert(term.groupName + "\u{1}" + name).inserted {
                        table.append(["", "sd", name, term.groupName, dpar, "0", "(vectorized)"])
                        effective.append(sd)
                    }
                }
            }
        }
        let header = ["prior", "class", "coef", "group", "resp", "dpar", "nlpar", "lb", "ub", "source"]
        var lines = [header]
        for (row, prior) in zip(table, effective) {
            lines.append([prior, row[1], row[2], row[3], "", row[4], "", row[5], "", row[6]])
        }
        var widths = [Int](repeating: 0, count: header.count)
        for line in lines { for (c, cell) in line.enumerated() { widths[c] = max(widths[c], cell.count) } }
        let text = lines.map { line in
            line.enumerated().map { c, cell in String(repeating: " ", count: widths[c] - cell.count) + cell }.joined(separator: " ")
        }.joined(separator: "\n") + "\n"
        return (table, text)
    }
}
