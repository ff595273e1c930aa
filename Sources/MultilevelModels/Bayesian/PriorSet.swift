import MultilevelData

/// Where a prior row's distribution comes from, as brms' `prior_summary` says in its `source` column.
public enum PriorSource: String, Sendable, Equatable {
    /// brms' default for the class.
    case `default`
    /// Set by the user.
    case user
    /// Inherited from the class- or group-level row above it.
    case vectorized = "(vectorized)"
}

/// One row of brms' prior table (`get_prior` / `prior_summary`): a distribution for a class,
/// optionally restricted to a coefficient and/or a grouping factor. `prior == nil` means the row
/// inherits from its parent (brms writes an empty string).
public struct PriorRow: Sendable, Equatable {
    public var prior: PriorDistribution?
    /// brms' class name: `b`, `Intercept`, `L`, `sd`, `sigma`, `shape`, `nu`.
    public var parameterClass: PriorClass
    public var coefficient: String
    public var group: String
    public var source: PriorSource
    /// For a class `simo` row, the simplex's length (the predictor's categories − 1), which a
    /// user's Dirichlet must match.
    public var simplexSize: Int?

    public init(prior: PriorDistribution?, parameterClass: PriorClass, coefficient: String = "",
                group: String = "", source: PriorSource) {
        self.prior = prior
        self.parameterClass = parameterClass
        self.coefficient = coefficient
        self.group = group
        self.source = source
    }

    /// The lower bound brms declares for the class (`lb` column): 0 for sd, sigma and shape, 1 for nu.
    public var lowerBound: String {
        switch parameterClass {
        case .sd, .sigma, .shape, .phi, .zi, .hu: return "0"
        case .nu: return "1"
        case .b, .intercept, .cor, .cov, .alpha, .simo: return ""
        }
    }

    /// The upper bound brms declares for the class (`ub` column): 1 for the probabilities zi and hu.
    public var upperBound: String {
        parameterClass == .zi || parameterClass == .hu ? "1" : ""
    }
}

/// A prior that does not fit the model (no such coefficient or group, duplicate statement).
public struct PriorError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public var description: String { message }
}

/// The complete prior of a model: brms' default rows (`PriorSet.defaults`), updated by user
/// statements (`apply`), resolved to one distribution per parameter (`resolved`).
public struct PriorSet: Sendable, Equatable {
    /// Rows in brms' order (by class, group, coefficient).
    public var rows: [PriorRow]

    public init(rows: [PriorRow]) {
        self.rows = rows.sorted(by: PriorSet.brmsOrder)
    }

    /// brms sorts the prior table by class, group and coefficient with R's locale collation
    /// (`RCollation`: `b` < `Intercept` < `L` < `sd` < `sigma`).
    static func brmsOrder(_ a: PriorRow, _ b: PriorRow) -> Bool {
        for (x, y) in [(a.parameterClass.rawValue, b.parameterClass.rawValue), (a.group, b.group),
                       (a.coefficient, b.coefficient)] where x != y {
            return RCollation.precedes(x, y)
        }
        return false
    }

    func index(_ parameterClass: PriorClass, coefficient: String = "", group: String = "") -> Int? {
        rows.firstIndex { $0.parameterClass == parameterClass && $0.coefficient == coefficient && $0.group == group }
    }

    /// The distribution in effect for a row: its own, else its group row's, else its class row's.
    public func effectivePrior(_ parameterClass: PriorClass, coefficient: String = "", group: String = "") -> PriorDistribution {
        for (c, g) in [(coefficient, group), ("", group), ("", "")] {
            if let i = index(parameterClass, coefficient: c, group: g), let prior = rows[i].prior { return prior }
        }
        return .flat
    }

    /// Applies user statements in order, as brms' `set_prior` + `validate_prior`: each must name
    /// an existing class, coefficient or group of this model, and none may repeat another.
    public mutating func apply(_ statements: [PriorStatement]) throws {
        var seen: [String: PriorStatement] = [:]
        for statement in statements {
            guard statement.dpar.isEmpty else {
                throw PriorError(message: "\(statement.origin): prior '\(statement.text)': the model does not predict '\(statement.dpar)' (brms' dpar = \(statement.dpar) needs a formula bf(y ~ …, \(statement.dpar) ~ …))")
            }
            let (coefficient, group) = try resolveTarget(statement)
            let key = "\(statement.parameterClass.rawValue)|\(coefficient)|\(group)"
            if let earlier = seen[key] {
                throw PriorError(message: "\(statement.origin): prior '\(statement.text)' repeats '\(earlier.text)' (\(earlier.origin)); duplicated prior specifications are not allowed")
            }
            seen[key] = statement
            if statement.parameterClass == .cov, index(.cov, group: group) == nil {
                rows.append(PriorRow(prior: nil, parameterClass: .cov, group: group, source: .user))
                rows.sort(by: PriorSet.brmsOrder)
            }
            guard let i = index(statement.parameterClass, coefficient: coefficient, group: group) else {
                throw PriorError(message: "\(statement.origin): prior '\(statement.text)' does not correspond to any model parameter")
            }
            if case let .dirichlet(alpha) = statement.distribution, let size = rows[i].simplexSize,
               alpha.count != 1, alpha.count != size {
                throw PriorError(message: "\(statement.origin): prior '\(statement.text)': simo_\(coefficient) has \(size) elements (the categories of its predictor − 1) but the Dirichlet gives \(alpha.count) concentrations")
            }
            rows[i].prior = statement.distribution
            rows[i].source = .user
        }
    }

    /// Splits a statement's target into (coefficient, group) for its class, checking them against
    /// the rows of this model.
    private func resolveTarget(_ statement: PriorStatement) throws -> (coefficient: String, group: String) {
        let target = statement.target
        let cls = statement.parameterClass
        if cls == .cov { return try resolveCovarianceTarget(statement) }
        let classRows = rows.filter { $0.parameterClass == cls }
        func fail(_ what: String) -> PriorError {
            PriorError(message: "\(statement.origin): prior '\(statement.text)': \(what)")
        }
        if classRows.isEmpty {
            switch cls {
            case .intercept: throw fail("the model has no intercept")
            case .cor: throw fail("the model has no correlated group-level effects")
            case .sd: throw fail("the model has no group-level effects")
            case .b: throw fail("the model has no population-level coefficients other than the intercept")
            case .sigma, .shape, .nu, .phi, .zi, .hu, .alpha: throw fail("the model's family has no parameter '\(cls.rawValue)'")
            case .simo: throw fail("the model has no monotonic effects mo()")
            case .cov: break
            }
        }
        if cls == .simo {
            let simplexes = classRows.map(\.coefficient)
            guard simplexes.contains(target) else {
                throw fail(target.isEmpty ? "name the simplex, as in simo:\(simplexes[0]) ~ dirichlet(…) (simplexes: \(simplexes.joined(separator: ", ")))"
                           : "the model has no monotonic simplex '\(target)' (simplexes: \(simplexes.joined(separator: ", ")))")
            }
            return (target, "")
        }
        if target.isEmpty { return ("", "") }
        let groups = Array(Set(classRows.map(\.group).filter { !$0.isEmpty })).sorted()
        switch cls {
        case .b:
            let coefficients = classRows.map(\.coefficient).filter { !$0.isEmpty }
            if target == "Intercept" {
                throw fail("the intercept is its own class: write 'Intercept ~ …' (brms centres the predictors)")
            }
            guard coefficients.contains(target) else {
                throw fail("the model has no population-level coefficient '\(target)' (coefficients: \(coefficients.joined(separator: ", ")))")
            }
            return (target, "")
        case .cor:
            guard groups.contains(target) else {
                throw fail("the model has no correlated group-level effects for group '\(target)' (groups with correlations: \(groups.joined(separator: ", ")))")
            }
            return ("", target)
        case .sd:
            if groups.contains(target) { return ("", target) }
            // `group:coefficient`, where either side may contain ':' itself.
            var best: (String, String)?
            var searchStart = target.startIndex
            while let colon = target[searchStart...].firstIndex(of: ":") {
                let group = String(target[..<colon])
                let coefficient = String(target[target.index(after: colon)...])
                if groups.contains(group) {
                    if classRows.contains(where: { $0.group == group && $0.coefficient == coefficient }) {
                        return (coefficient, group)
                    }
                    best = (group, coefficient)
                }
                searchStart = target.index(after: colon)
            }
            if let (group, coefficient) = best {
                let known = classRows.filter { $0.group == group && !$0.coefficient.isEmpty }.map(\.coefficient)
                throw fail("group '\(group)' has no group-level coefficient '\(coefficient)' (coefficients: \(known.joined(separator: ", ")))")
            }
            throw fail("the model has no grouping factor '\(target.split(separator: ":").first.map(String.init) ?? target)' (groups: \(groups.joined(separator: ", ")))")
        case .intercept, .sigma, .shape, .nu, .phi, .zi, .hu, .alpha, .cov, .simo:
            throw fail("class \(cls.rawValue) takes no coefficient or group")
        }
    }

    /// `cov` or `cov:group`: the group must have group-level effects; per-coefficient scales of a
    /// `huang_wand` prior must match the group's number of coefficients.
    private func resolveCovarianceTarget(_ statement: PriorStatement) throws -> (coefficient: String, group: String) {
        let sdRows = rows.filter { $0.parameterClass == .sd && !$0.group.isEmpty }
        let groups = Array(Set(sdRows.map(\.group))).sorted()
        func fail(_ what: String) -> PriorError {
            PriorError(message: "\(statement.origin): prior '\(statement.text)': \(what)")
        }
        if groups.isEmpty { throw fail("the model has no group-level effects") }
        let target = statement.target
        if !target.isEmpty, !groups.contains(target) {
            throw fail("the model has no grouping factor '\(target)' (groups: \(groups.joined(separator: ", ")))")
        }
        if case let .huangWand(_, scales) = statement.distribution, scales.count > 1 {
            for group in target.isEmpty ? groups : [target] {
                let count = sdRows.filter { $0.group == group && !$0.coefficient.isEmpty }.count
                if count != scales.count {
                    throw fail("group '\(group)' has \(count) coefficient\(count == 1 ? "" : "s") but the prior gives \(scales.count) scales")
                }
            }
        }
        return ("", target)
    }

    /// One distribution per parameter in `layout`'s order (what `GLMMPosterior` evaluates).
    public func resolved(for layout: ParameterLayout) -> PosteriorPriors {
        var priors = PosteriorPriors(
            intercept: effectivePrior(.intercept),
            coefficients: layout.coefficientNames.map { effectivePrior(.b, coefficient: $0) },
            standardDeviations: layout.terms.map { term in
                term.columnNames.map { effectivePrior(.sd, coefficient: $0, group: term.groupName) }
            },
            correlationEta: layout.terms.map { term in
                if case let .lkj(eta) = effectivePrior(.cor, group: term.groupName) { return eta }
                return 1
            },
            auxiliary: layout.auxiliaryParameters.map { $0 == .thresholdGap ? .flat : effectivePrior($0.priorClass) },
            covariance: layout.terms.map { term in
                let prior = effectivePrior(.cov, group: term.groupName)
                return prior.isHuangWand ? prior : nil
            })
        priors.monotonic = layout.monotonic.map { effectivePrior(.b, coefficient: $0.name) }
        priors.simplexConcentrations = layout.monotonic.map { effect in
            guard case let .dirichlet(alpha) = effectivePrior(.simo, coefficient: effect.name + "1") else {
                return [Double](repeating: 1, count: effect.categoryCount)
            }
            return alpha.count == 1 ? [Double](repeating: alpha[0], count: effect.categoryCount) : alpha
        }
        return priors
    }
}
