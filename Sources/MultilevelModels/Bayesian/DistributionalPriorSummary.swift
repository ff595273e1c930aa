import MultilevelData

extension DistributionalPosterior {
    /// The prior table of the model as brms' `print(prior_summary(fit))` shows it for `bf(…)`
    /// (`--show-priors`): the mean's rows as for any model (the predicted dpars' own class rows
    /// left out), then per predicted dpar its `b`, `Intercept`, `sd` and `cor` rows with the dpar
    /// column filled in (`student_t(3, 0, 2.5) Intercept … sigma`).
    public func priorSummary(design: DistributionalDesign, statements: [PriorStatement] = []) -> String {
        priorSummaryRows(design: design, statements: statements).text
    }

    /// The rows as (prior, class, coef, group, dpar, lb, source), `prior` empty on inheriting rows;
    /// the user's `statements` (already accepted by `init(design:family:statements:)`) set rows as
    /// brms' `set_prior` does (source `user`), the dpar's rows from its own prior table
    /// (`priorSets`).
    func priorSummaryRows(design: DistributionalDesign, statements: [PriorStatement] = []) -> (rows: [[String]], text: String) {
        let sets: [PriorSet]
        do {
            sets = try Self.priorSets(design: design, family: family, statements: statements)
        } catch {
            sets = (try? Self.priorSets(design: design, family: family, statements: [])) ?? []
        }
        var table: [[String]] = []
        var effective: [String] = []
        for (p, set) in sets.enumerated() {
            let dpar = p == 0 ? "" : design.parameters[p - 1].parameter.rawValue
            for row in set.rows where p == 0 || [PriorClass.b, .intercept, .sd].contains(row.parameterClass) {
                let prior = set.effectivePrior(row.parameterClass, coefficient: row.coefficient, group: row.group)
                let own = row.prior.map { $0 == .flat ? "" : $0.description } ?? ""
                table.append([p == 0 ? (row.prior?.description ?? "") : own, row.parameterClass.rawValue, row.coefficient,
                              row.group, dpar, row.lowerBound, row.source.rawValue])
                effective.append(prior == .flat ? "(flat)" : prior.description)
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
