/// The parameter classes a prior statement can address (brms' `class` argument).
public enum PriorClass: String, Sendable, Equatable, CaseIterable {
    /// Population-level coefficients (`b`, `b:Days`).
    case b
    /// The centred intercept.
    case intercept = "Intercept"
    /// Group-level standard deviations (`sd`, `sd:Subject`, `sd:Subject:Days`).
    case sd
    /// Correlation matrices (`cor`, `cor:Subject`); brms stores them as class `L` (Cholesky factors).
    case cor = "L"
    /// Residual standard deviation.
    case sigma
    /// Negative-binomial / gamma shape.
    case shape
    /// Student-t degrees of freedom.
    case nu
    /// Zero-inflation probability.
    case zi
    /// Hurdle probability.
    case hu
    /// Beta precision.
    case phi
    /// Skew-normal skewness.
    case alpha
    /// A whole covariance matrix (`cov:Subject ~ huang_wand(2, 25)`), replacing the group's sd and
    /// cor priors; a Multilevel extension so NUTS and Gibbs can share the Huang–Wand prior.
    case cov
    /// A monotonic effect's simplex (`simo:moedu1 ~ dirichlet(1, 2, 3)`, brms'
    /// `prior(dirichlet(c(1, 2, 3)), class = simo, coef = moedu1)`).
    case simo

    /// The class named in a statement: brms' names plus `cor` for `L`.
    init?(statementName: String) {
        switch statementName {
        case "cor", "L": self = .cor
        default: self.init(rawValue: statementName)
        }
    }
}

/// One prior statement in brms-like syntax, as written in a model file or given to `--prior`:
///
///     b ~ normal(0, 10)                 b:Days ~ normal(0, 5)
///     Intercept ~ student_t(3, 250, 50)
///     sd ~ student_t(3, 0, 50)          sd:Subject ~ …          sd:Subject:Days ~ …
///     cor ~ lkj(2)                      cor:Subject ~ lkj(2)
///     sigma ~ exponential(0.1)          shape ~ gamma(0.01, 0.01)          nu ~ gamma(2, 0.1)
///     cov:Subject ~ huang_wand(2, 25)   (Huang–Wand prior on the whole covariance matrix)
///     simo:moedu1 ~ dirichlet(1, 2, 3)  (a monotonic effect's simplex; also `simo_moedu1 ~ …`)
///
/// The text after the class (`Subject:Days`) is kept whole as `target` and matched against the
/// model by `PriorSet.apply`, because coefficient and group names may themselves contain `:`
/// (`age:SexFemale`, `batch:cask`).
public struct PriorStatement: Sendable, Equatable, CustomStringConvertible {
    /// The parameter class.
    public var parameterClass: PriorClass
    /// Everything after `class:` (empty for a whole class).
    public var target: String
    /// The distribution.
    public var distribution: PriorDistribution
    /// The statement as written (for messages).
    public var text: String
    /// Where it came from (`--prior`, `models/sleepstudy.model:4`), for messages.
    public var origin: String
    /// brms' `dpar`: the predicted auxiliary parameter of a distributional model (`bf()`) whose
    /// coefficients the statement is about, written after the class (`b_sigma:Days ~ …` is brms'
    /// `prior(…, class = b, coef = Days, dpar = sigma)`); empty for the mean's.
    public var dpar: String = ""

    public init(parameterClass: PriorClass, target: String, distribution: PriorDistribution,
                text: String, origin: String) {
        self.parameterClass = parameterClass
        self.target = target
        self.distribution = distribution
        self.text = text
        self.origin = origin
    }

    public var description: String { text }

    /// Parses several statements separated by newlines or `;` (blank lines and `#` comments
    /// skipped). Positions in errors are line:column within `text`.
    public static func parseAll(_ text: String, origin: String = "--prior") throws -> [PriorStatement] {
        var statements: [PriorStatement] = []
        for (lineNumber, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var column = 1
            for piece in line.split(separator: ";", omittingEmptySubsequences: false) {
                let content = piece.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
                if !content.allSatisfy(\.isWhitespace) {
                    let where_ = text.contains("\n") ? "\(origin):\(lineNumber + 1)" : origin
                    statements.append(try parse(String(content), origin: where_, columnOffset: column - 1))
                }
                column += piece.count + 1
            }
        }
        return statements
    }

    /// Parses one statement `class[:target] ~ name(arguments)`. Throws `PriorSyntaxError` naming
    /// the column (1-based, plus `columnOffset`) and what was expected there.
    public static func parse(_ text: String, origin: String = "--prior", columnOffset: Int = 0) throws -> PriorStatement {
        let characters = Array(text)
        var position = 0
        func fail(_ message: String, at column: Int? = nil) -> PriorSyntaxError {
            PriorSyntaxError(origin: origin, column: (column ?? position) + 1 + columnOffset, message: message,
                             statement: text.priorTrimmed())
        }
        func skipSpace() { while position < characters.count, characters[position].isWhitespace { position += 1 } }
        func isNameCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" || c == "." }

        skipSpace()
        // Left-hand side: class and optional target (anything up to `~`, trimmed).
        let lhsStart = position
        while position < characters.count, characters[position] != "~" { position += 1 }
        guard position < characters.count else {
            throw fail("expected '~' after the parameter class (as in 'b ~ normal(0, 10)')")
        }
        let lhs = String(characters[lhsStart..<position]).priorTrimmed()
        guard !lhs.isEmpty else { throw fail("expected a parameter class before '~'", at: lhsStart) }
        let className: String
        let target: String
        if let colon = lhs.firstIndex(of: ":") {
            className = String(lhs[..<colon]).priorTrimmed()
            target = String(lhs[lhs.index(after: colon)...]).priorTrimmed()
            if target.isEmpty { throw fail("expected a coefficient or group name after ':'", at: position) }
        } else {
            className = lhs
            target = ""
        }
        // brms' dpar = …: `b_sigma`, `Intercept_sigma`, `sd_sigma`, `cor_sigma` (the class of a
        // predicted auxiliary parameter's linear predictor).
        var classText = className, dpar = ""
        var statementTarget = target
        // brms' parameter name `simo_moedu1` (`simo_moedu:x1`) for class simo, coefficient moedu1.
        if lhs.hasPrefix("simo_"), lhs.count > 5 {
            classText = "simo"
            statementTarget = String(lhs.dropFirst(5)).priorTrimmed()
        }
        if PriorClass(statementName: classText) == nil, let underscore = className.firstIndex(of: "_") {
            let base = String(className[..<underscore]), suffix = String(className[className.index(after: underscore)...])
            if ["b", "Intercept", "sd", "cor", "L"].contains(base), AuxiliaryParameter(rawValue: suffix) != nil {
                classText = base
                dpar = suffix
            }
        }
        guard let parameterClass = PriorClass(statementName: classText) else {
            throw fail("unknown parameter class '\(className)' (known: b, Intercept, sd, cor, cov, sigma, shape, nu, zi, hu, simo)",
                       at: lhsStart)
        }
        position += 1   // '~'
        skipSpace()
        let nameStart = position
        while position < characters.count, isNameCharacter(characters[position]) { position += 1 }
        let name = String(characters[nameStart..<position])
        guard !name.isEmpty else { throw fail("expected a distribution such as normal(0, 10) after '~'") }
        guard PriorDistribution.knownNames.contains(name) else {
            throw fail("unknown prior distribution '\(name)' (known: normal, student_t, cauchy, exponential, "
                       + "gamma, inv_gamma, lognormal, uniform, beta, lkj, huang_wand)", at: nameStart)
        }
        skipSpace()
        guard position < characters.count, characters[position] == "(" else {
            throw fail("expected '(' after '\(name)'")
        }
        position += 1
        var arguments: [Double] = []
        skipSpace()
        if position < characters.count, characters[position] == ")" {
            position += 1
        } else {
            while true {
                skipSpace()
                let numberStart = position
                while position < characters.count,
                      characters[position].isNumber || "+-.eE".contains(characters[position]) {
                    position += 1
                }
                let token = String(characters[numberStart..<position])
                guard let value = Double(token), value.isFinite else {
                    throw fail(token.isEmpty ? "expected a number" : "'\(token)' is not a number", at: numberStart)
                }
                arguments.append(value)
                skipSpace()
                guard position < characters.count else { throw fail("expected ')' to close '\(name)('") }
                if characters[position] == "," { position += 1; continue }
                if characters[position] == ")" { position += 1; break }
                throw fail("expected ',' or ')'")
            }
        }
        skipSpace()
        guard position == characters.count else { throw fail("unexpected text after the distribution") }
        let distribution: PriorDistribution
        do {
            distribution = try PriorDistribution.make(name: name, arguments: arguments)
        } catch let error as PriorDistributionError {
            throw fail(error.message, at: nameStart)
        }
        if parameterClass == .cor, !distribution.isLKJ {
            throw fail("correlation matrices take an lkj(eta) prior, not \(name)", at: nameStart)
        }
        if parameterClass == .cov, !distribution.isHuangWand {
            throw fail("covariance matrices (class cov) take a huang_wand(nu, A) prior, not \(name)", at: nameStart)
        }
        if parameterClass != .cor, distribution.isLKJ {
            throw fail("lkj is a prior for correlation matrices (class cor), not \(className)", at: nameStart)
        }
        if parameterClass == .simo, !distribution.isDirichlet {
            throw fail("monotonic simplexes (class simo) take a dirichlet(alpha1, …) prior, not \(name)", at: nameStart)
        }
        if parameterClass != .simo, distribution.isDirichlet {
            throw fail("dirichlet is a prior for monotonic simplexes (class simo, as in simo:moedu1 ~ dirichlet(1, 1, 1)), not \(className)", at: nameStart)
        }
        if parameterClass != .cov, distribution.isHuangWand {
            throw fail("huang_wand is a prior for covariance matrices (class cov), not \(className)", at: nameStart)
        }
        var statement = PriorStatement(parameterClass: parameterClass, target: statementTarget, distribution: distribution,
                                       text: text.priorTrimmed(), origin: origin)
        statement.dpar = dpar
        return statement
    }
}

/// A syntax or validation error in a prior statement, with its position.
public struct PriorSyntaxError: Error, CustomStringConvertible, Equatable {
    public var origin: String
    /// 1-based column in the statement's line.
    public var column: Int
    public var message: String
    public var statement: String
    public var description: String { "\(origin): column \(column): \(message) in prior '\(statement)'" }
}

extension String {
    func priorTrimmed() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
