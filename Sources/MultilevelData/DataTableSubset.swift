extension DataTable {
    /// The table restricted to `rows` (in that order) and to the columns `names`; factor levels
    /// that no longer occur are dropped (as lme4's `model.frame(drop.unused.levels = TRUE)`).
    public func subset(rows: [Int], columns names: [String]) -> DataTable {
        var newColumns: [DataColumn] = []
        var newNames: [String] = []
        for name in names {
            guard let column = column(named: name) else { continue }
            newNames.append(name)
            switch column {
            case .numeric(let values):
                newColumns.append(.numeric(rows.map { values[$0] }))
            case .factor(let levels, let codes):
                let kept = rows.map { codes[$0] }
                var used = [Bool](repeating: false, count: levels.count)
                for c in kept where c >= 0 { used[Int(c)] = true }
                var newCode = [Int32](repeating: -1, count: levels.count)
                var newLevels: [String] = []
                for (k, isUsed) in used.enumerated() where isUsed {
                    newCode[k] = Int32(newLevels.count)
                    newLevels.append(levels[k])
                }
                newColumns.append(.factor(levels: newLevels, codes: kept.map { $0 < 0 ? -1 : newCode[Int($0)] }))
            }
        }
        return DataTable(fileName: fileName, columnNames: newNames, columns: newColumns,
                         sourceLines: rows.map { sourceLines[$0] })
    }

    /// The table with column `name` turned into a factor (numbers: levels in numeric order, as R's
    /// `factor()`); unchanged if it already is one.
    public func forcingFactor(_ name: String) -> DataTable {
        guard let index = columnNames.firstIndex(of: name), case .numeric(let values) = columns[index] else { return self }
        var copy = self
        let present = values.filter { !$0.isNaN }
        guard case .factor(let levels, _) = VariableEvaluator.factor(fromNumbers: present) else { return self }
        var codeOf: [Double: Int32] = [:]
        for (k, v) in Array(Set(present)).sorted().enumerated() { codeOf[v] = Int32(k) }
        copy.columns[index] = .factor(levels: levels, codes: values.map { $0.isNaN ? -1 : (codeOf[$0] ?? -1) })
        return copy
    }

    /// The table with `reference` made the first level of factor `name` (R's `relevel`), the
    /// other levels keeping their order.
    public func relevelled(_ name: String, reference: String) throws -> DataTable {
        guard let index = columnNames.firstIndex(of: name) else {
            throw DesignError("reference: unknown column '\(name)'" + nearestColumnsHint(for: name, columns: columnNames))
        }
        guard case .factor(let levels, let codes) = columns[index] else {
            throw DesignError("reference: '\(name)' is numeric, not a factor; add 'factor: \(name)' to treat it as one")
        }
        guard let position = levels.firstIndex(of: reference) else {
            throw DesignError("reference: '\(reference)' is not a level of '\(name)' (levels: \(levels.prefix(8).joined(separator: ", "))\(levels.count > 8 ? ", ..." : ""))")
        }
        let order = [position] + levels.indices.filter { $0 != position }
        var newCode = [Int32](repeating: -1, count: levels.count)
        for (k, old) in order.enumerated() { newCode[old] = Int32(k) }
        var copy = self
        copy.columns[index] = .factor(levels: order.map { levels[$0] }, codes: codes.map { $0 < 0 ? -1 : newCode[Int($0)] })
        return copy
    }

    /// The table with column `name` replaced by the positions 1…L of its values in `levels`: R's
    /// `as.numeric(ordered(x, levels = levels))`, for an ordinal response whose order a CSV file
    /// cannot carry. Numbers are matched by their labels as R prints them (`factor:`'s levels).
    /// Missing values stay missing; a value not in `levels` is an error naming its line (R would
    /// make it NA without a word).
    public func ordering(_ name: String, levels: [String]) throws -> DataTable {
        guard let index = columnNames.firstIndex(of: name) else {
            throw DesignError("ordered: unknown column '\(name)'" + nearestColumnsHint(for: name, columns: columnNames))
        }
        guard case .factor(let present, let codes) = forcingFactor(name).columns[index] else { return self }
        var positionOf: [String: Double] = [:]
        for (k, level) in levels.enumerated() { positionOf[level] = Double(k + 1) }
        var positions: [Double] = []
        for (code, level) in present.enumerated() {
            guard let position = positionOf[level] else {
                let row = codes.firstIndex(of: Int32(code)) ?? 0
                let line = row < sourceLines.count ? ":\(sourceLines[row])" : ""
                throw DesignError("\(fileName)\(line): '\(name)' is '\(abbreviatedForMessage(level))', not one of the levels given to 'ordered: \(name) = \(levels.joined(separator: ", "))'")
            }
            positions.append(position)
        }
        var copy = self
        copy.columns[index] = .numeric(codes.map { $0 < 0 ? .nan : positions[Int($0)] })
        return copy
    }
}
