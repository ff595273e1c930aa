extension PriorSet {
    /// The prior table as brms' `print(prior_summary(fit))` shows it (`--show-priors`): columns
    /// prior, class, coef, group, resp, dpar, nlpar, lb, ub, source, right-aligned as R prints a
    /// data frame without row names; the flat prior shows as `(flat)` and inheriting rows show
    /// the distribution they inherit, with source `(vectorized)`.
    public func summaryTable() -> String {
        let header = ["prior", "class", "coef", "group", "resp", "dpar", "nlpar", "lb", "ub", "source"]
        var table = [header]
        for row in rows {
            let prior = effectivePrior(row.parameterClass, coefficient: row.coefficient, group: row.group)
            let priorText = prior == .flat ? "(flat)" : prior.description
            table.append([priorText, row.parameterClass.rawValue, row.coefficient, row.group, "", "", "",
                          row.lowerBound, row.upperBound, row.source.rawValue])
        }
        var widths = [Int](repeating: 0, count: header.count)
        for line in table { for (c, cell) in line.enumerated() { widths[c] = max(widths[c], cell.count) } }
        return table.map { line in
            line.enumerated().map { c, cell in
                String(repeating: " ", count: widths[c] - cell.count) + cell
            }.joined(separator: " ")
        }.joined(separator: "\n") + "\n"
    }

    /// The rows as brms' `prior_summary` data frame holds them, one (prior, class, coef, group)
    /// quadruple per row (the `priors` field of the reference JSON files; flat and inheriting
    /// rows have an empty prior string).
    public var brmsRows: [[String]] {
        rows.map { [$0.prior?.description ?? "", $0.parameterClass.rawValue, $0.coefficient, $0.group] }
    }
}
