/// An inverse-Wishart or inverse-gamma prior on a group-level covariance matrix Σ (or, for a
/// one-column term, its variance), or on the residual variance σ²: MCMCglmm's conjugate priors
/// (Hadfield 2010), which the Gibbs sampler updates directly and the NUTS posterior accepts too
/// (`CovariancePriorPosterior`), so that both samplers can be run under one prior. (The
/// Huang–Wand prior, `cov:g ~ huang_wand(ν, A)`, is a `PriorDistribution` of class `cov`.)
public enum CovariancePrior: Sendable, Equatable, CustomStringConvertible {
    /// Inverse-Wishart(ν, diag(ψ)) (density ∝ |Σ|^(−(ν+q+1)/2) exp(−tr(ΨΣ⁻¹)/2)), as MCMCglmm; for
    /// q = 1 this is IG(ν/2, ψ/2) on the variance. One value is used for all k.
    case inverseWishart(degreesOfFreedom: Double, scaleDiagonal: [Double])
    /// Inverse-gamma(shape, scale) on a variance (one-column terms and σ²).
    case inverseGamma(shape: Double, scale: Double)

    public var description: String {
        func list(_ values: [Double]) -> String { values.map(formatPriorNumber).joined(separator: ", ") }
        switch self {
        case let .inverseWishart(nu, s): return "inv_wishart(\(formatPriorNumber(nu)), \(list(s)))"
        case let .inverseGamma(a, b): return "inv_gamma(\(formatPriorNumber(a)), \(formatPriorNumber(b)))"
        }
    }

    /// The prior for a q-column term with a single scale expanded to q; throws a `PriorError`
    /// "`context`: problem" when the number of scales or the degrees of freedom do not fit q.
    func expanded(order q: Int, context: String) throws -> CovariancePrior {
        func scales(_ values: [Double], _ name: String) throws -> [Double] {
            if values.count == 1 { return Array(repeating: values[0], count: q) }
            guard values.count == q else {
                throw PriorError(message: "\(context): \(name) takes 1 or \(q) scales for a term with \(q) column\(q == 1 ? "" : "s"), got \(values.count)")
            }
            return values
        }
        switch self {
        case let .inverseWishart(nu, s):
            guard nu > Double(q - 1) else {
                throw PriorError(message: "\(context): inv_wishart needs degrees of freedom above \(q - 1) for a \(q) × \(q) matrix")
            }
            return .inverseWishart(degreesOfFreedom: nu, scaleDiagonal: try scales(s, "inv_wishart"))
        case .inverseGamma:
            guard q == 1 else {
                throw PriorError(message: "\(context): inv_gamma is a prior for a variance; a term with \(q) columns takes huang_wand or inv_wishart")
            }
            return self
        }
    }
}

/// An MCMCglmm-style covariance prior statement, in the prior syntax of `PriorStatement`:
///
///     cov ~ inv_wishart(3, 1)               every group-level term: inverse-Wishart(ν, diag(ψ))
///     cov:Subject ~ inv_wishart(3, 400, 40) the terms of group Subject (one ψ per column, or one)
///     cov:Batch ~ inv_gamma(0.001, 0.001)   inverse-gamma on a one-column term's variance
///     sigma2 ~ inv_gamma(0.001, 0.001)      inverse-gamma on the residual variance σ²
///
/// A covariance prior on a term replaces its `sd` priors (and its `cor` prior); `sigma2` replaces
/// the prior on `sigma`. `cov:… ~ huang_wand(…)` statements are `PriorStatement`s.
public struct CovariancePriorStatement: Sendable, Equatable, CustomStringConvertible {
    /// The group (`Subject`), empty for every term; nil for the residual variance (`sigma2`).
    public var group: String?
    public var prior: CovariancePrior
    public var text: String
    public var origin: String

    public var description: String { text }

    /// Whether a statement is one of these: class `sigma2`, or class `cov` with an `inv_wishart` or
    /// `inv_gamma` distribution (the text before `:` or `~`, and the name after `~`).
    public static func isCovarianceStatement(_ text: String) -> Bool {
        let sides = text.split(separator: "~", maxSplits: 1, omittingEmptySubsequences: false)
        let className = String(sides[0].split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? "").priorTrimmed()
        if className == "sigma2" { return true }
        guard className == "cov", sides.count == 2 else { return false }
        let name = String(sides[1].prefix { $0 != "(" }).priorTrimmed()
        return name == "inv_wishart" || name == "inv_gamma"
    }

    /// Parses prior text holding both kinds of statements (newline or `;` separated, `#` comments):
    /// the statements `isCovarianceStatement` accepts here, the others by `PriorStatement.parseAll`
    /// with these blanked out, so that positions in its errors are unchanged.
    public static func parseAll(_ text: String, origin: String = "--prior") throws
        -> (statements: [PriorStatement], covariance: [CovariancePriorStatement]) {
        var covariance: [CovariancePriorStatement] = []
        var remaining: [String] = []
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (lineNumber, line) in lines.enumerated() {
            var kept: [String] = []
            var column = 1
            for piece in line.split(separator: ";", omittingEmptySubsequences: false) {
                let content = String(piece.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
                if !content.allSatisfy(\.isWhitespace), isCovarianceStatement(content) {
                    let where_ = text.contains("\n") ? "\(origin):\(lineNumber + 1)" : origin
                    covariance.append(try parse(content, origin: where_, columnOffset: column - 1))
                    kept.append(String(repeating: " ", count: piece.count))
                } else {
                    kept.append(String(piece))
                }
                column += piece.count + 1
            }
            remaining.append(kept.joined(separator: ";"))
        }
        let statements = try PriorStatement.parseAll(remaining.joined(separator: "\n"), origin: origin)
        return (statements, covariance)
    }

    /// Parses one `cov[:group] ~ name(arguments)` or `sigma2 ~ inv_gamma(a, b)` statement; errors
    /// name the column as `PriorStatement.parse` does.
    public static func parse(_ text: String, origin: String = "--prior", columnOffset: Int = 0) throws -> CovariancePriorStatement {
        let trimmed = text.priorTrimmed()
        let leading = text.prefix { $0.isWhitespace }.count
        func fail(_ message: String, at column: Int) -> PriorSyntaxError {
            PriorSyntaxError(origin: origin, column: column + 1 + columnOffset, message: message, statement: trimmed)
        }
        let characters = Array(text)
        guard let tilde = characters.firstIndex(of: "~") else {
            throw fail("expected '~' after the parameter class (as in 'cov:Subject ~ inv_wishart(3, 1)')", at: characters.count)
        }
        let lhs = String(characters[..<tilde]).priorTrimmed()
        var group: String?
        if lhs == "sigma2" {
            group = nil
        } else if lhs == "cov" {
            group = ""
        } else if lhs.hasPrefix("cov:") {
            let name = String(lhs.dropFirst(4)).priorTrimmed()
            guard !name.isEmpty else { throw fail("expected a group name after 'cov:'", at: tilde) }
            group = name
        } else {
            throw fail("expected 'cov', 'cov:<group>' or 'sigma2' before '~'", at: leading)
        }
        let rhsStart = tilde + 1
        let rhs = String(characters[rhsStart...])
        let nameStart = rhsStart + rhs.prefix { $0.isWhitespace }.count
        guard let open = characters[rhsStart...].firstIndex(of: "(") else {
            throw fail("expected a distribution such as inv_wishart(3, 1) after '~'", at: nameStart)
        }
        let name = String(characters[nameStart..<open]).priorTrimmed()
        guard let close = characters[open...].firstIndex(of: ")") else {
            throw fail("expected ')' to close '\(name)('", at: characters.count)
        }
        if !String(characters[(close + 1)...]).allSatisfy(\.isWhitespace) {
            throw fail("unexpected text after the distribution", at: close + 1)
        }
        var arguments: [Double] = []
        var argumentStart = open + 1
        for token in String(characters[(open + 1)..<close]).split(separator: ",", omittingEmptySubsequences: false) {
            let value = String(token).priorTrimmed()
            guard let number = Double(value), number.isFinite else {
                throw fail(value.isEmpty ? "expected a number" : "'\(value)' is not a number",
                           at: argumentStart + token.prefix { $0.isWhitespace }.count)
            }
            arguments.append(number)
            argumentStart += token.count + 1
        }
        func require(_ condition: Bool, _ message: String) throws {
            if !condition { throw fail("\(name)(\(arguments.map(formatPriorNumber).joined(separator: ", "))): \(message)", at: nameStart) }
        }
        let prior: CovariancePrior
        switch name {
        case "inv_wishart":
            try require(arguments.count >= 2, "takes the degrees of freedom and one or more diagonal scale values")
            try require(arguments.allSatisfy { $0 > 0 }, "the degrees of freedom and scales must be positive")
            prior = .inverseWishart(degreesOfFreedom: arguments[0], scaleDiagonal: Array(arguments.dropFirst()))
        case "inv_gamma":
            try require(arguments.count == 2, "takes 2 arguments (shape, scale)")
            try require(arguments.allSatisfy { $0 > 0 }, "the shape and scale must be positive")
            prior = .inverseGamma(shape: arguments[0], scale: arguments[1])
        default:
            throw fail("unknown covariance prior '\(name)' (known: inv_wishart, inv_gamma; huang_wand is a cov prior statement)", at: nameStart)
        }
        if group == nil {
            guard case .inverseGamma = prior else { throw fail("sigma2 takes an inv_gamma(shape, scale) prior", at: nameStart) }
        }
        return CovariancePriorStatement(group: group, prior: prior, text: trimmed, origin: origin)
    }
}

/// The covariance priors of a model: one optional prior per group-level term (`ParameterLayout`
/// order) and an optional inverse-gamma prior on σ².
public struct CovariancePriors: Sendable, Equatable {
    /// Per term; nil keeps the term's brms `sd` (and `cor`) priors.
    public var terms: [CovariancePrior?]
    /// Replaces the prior on `sigma` when set (must be `.inverseGamma`).
    public var residualVariance: CovariancePrior?

    public init(terms: [CovariancePrior?] = [], residualVariance: CovariancePrior? = nil) {
        self.terms = terms
        self.residualVariance = residualVariance
    }

    /// No covariance priors for a layout.
    public static func none(for layout: ParameterLayout) -> CovariancePriors {
        CovariancePriors(terms: Array(repeating: nil, count: layout.terms.count))
    }

    /// Resolves statements against a model: `cov:<group>` applies to every term of that group and
    /// overrides a class-wide `cov`; scales are expanded to each term's columns. Throws `PriorError`
    /// for an unknown group, a repeated statement, `sigma2` in a family without σ, or a mismatch.
    public static func resolve(_ statements: [CovariancePriorStatement], layout: ParameterLayout) throws -> CovariancePriors {
        var result = none(for: layout)
        var seen = Set<String>()
        let groups = layout.terms.map(\.groupName)
        for statement in statements.sorted(by: { ($0.group ?? "").isEmpty && !($1.group ?? "").isEmpty }) {
            let key = statement.group.map { "cov:" + $0 } ?? "sigma2"
            guard seen.insert(key).inserted else {
                throw PriorError(message: "\(statement.origin): prior '\(statement.text)' repeats an earlier statement for the same parameter")
            }
            guard let group = statement.group else {
                guard layout.offset(of: .sigma) != nil else {
                    throw PriorError(message: "\(statement.origin): prior '\(statement.text)': the model's family has no parameter 'sigma'")
                }
                result.residualVariance = statement.prior
                continue
            }
            if layout.terms.isEmpty {
                throw PriorError(message: "\(statement.origin): prior '\(statement.text)': the model has no group-level effects")
            }
            if !group.isEmpty, !groups.contains(group) {
                throw PriorError(message: "\(statement.origin): prior '\(statement.text)': the model has no grouping factor '\(group)' (groups: \(Array(Set(groups)).sorted().joined(separator: ", ")))")
            }
            for (t, term) in layout.terms.enumerated() where group.isEmpty || term.groupName == group {
                result.terms[t] = try statement.prior.expanded(order: term.columnCount,
                                                               context: "\(statement.origin): prior '\(statement.text)'")
            }
        }
        return result
    }
}
