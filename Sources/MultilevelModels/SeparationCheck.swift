import MultilevelData

/// Warnings of separation in a bernoulli or binomial model, so that a fit whose coefficients are
/// identified only by their priors (or, in a maximum-likelihood fit, diverge) does not pass
/// silently. Checked one fixed-effect column at a time, the cases that make logistic estimates
/// run off (Albert & Anderson 1984): every response a failure or every one a success; a numeric
/// column whose values split the failures from the successes (complete separation when the ranges
/// do not touch, quasi-complete when they meet at one value); an indicator column (a factor
/// level's dummy) whose rows are all failures or all successes. Then separation by any linear
/// combination of the columns (`separationDirection`, Konis' linear programme as R's
/// `detectseparation` solves it), which also finds a factor level whose counts are all 0 in a
/// poisson-type model. Returns one line per finding; empty for other families.
public func separationWarnings(_ design: ModelDesign, family: Family) -> [String] {
    separationFindings(design, family: family).map(\.message)
}

/// One finding of `separationFindings`: its message and the population-level columns whose
/// coefficients only the prior identifies (empty for the intercept, when every outcome is the same).
public struct SeparationFinding: Sendable, Equatable {
    public var message: String
    public var columns: [String]
}

/// The findings behind `separationWarnings`, each with the column it concerns.
public func separationFindings(_ design: ModelDesign, family: Family) -> [SeparationFinding] {
    if separationKind(of: family) == .zeroCounts { return combinationFindings(design, family: family, covered: []) }
    guard family.kind == .bernoulli || family.kind == .binomial else { return [] }
    let n = design.rowCount
    let trials = design.trials
    var hasSuccess = [Bool](repeating: false, count: n)
    var hasFailure = [Bool](repeating: false, count: n)
    for i in 0..<n {
        let y = design.response[i], size = trials?[i] ?? 1
        guard size > 0 else { continue }
        hasSuccess[i] = y > 0
        hasFailure[i] = y < size
    }
    let outcome = family.kind == .bernoulli ? ("0", "1") : ("a failure", "a success")
    if !hasSuccess.contains(true) || !hasFailure.contains(true) {
        let which = hasSuccess.contains(true) ? "every trial is \(outcome.1)" : "every trial is \(outcome.0)"
        return [SeparationFinding(message: "separation: \(which) in response '\(design.responseName)'; the intercept is identified only by its prior",
                                  columns: [])]
    }
    var warnings: [SeparationFinding] = []
    let p = design.fixedEffects.columns
    for j in 0..<p {
        let name = design.fixedEffectNames[j]
        let column = (0..<n).map { design.fixedEffects[$0, j] }
        guard let first = column.first, column.contains(where: { $0 != first }) else { continue }
        if column.allSatisfy({ $0 == 0 || $0 == 1 }) {
            for value in [1.0, 0.0] {
                let rows = (0..<n).filter { column[$0] == value && (hasSuccess[$0] || hasFailure[$0]) }
                guard !rows.isEmpty else { continue }
                if !rows.contains(where: { hasSuccess[$0] }) || !rows.contains(where: { hasFailure[$0] }) {
                    let kind = rows.contains(where: { hasSuccess[$0] }) ? outcome.1 : outcome.0
                    warnings.append(SeparationFinding(message: "separation: every row with \(name) = \(Int(value)) is \(kind); b_\(brmsName(ofColumn: name)) is identified only by its prior",
                                                      columns: [name]))
                    break
                }
            }
            continue
        }
        var successRange = (low: Double.infinity, high: -Double.infinity)
        var failureRange = (low: Double.infinity, high: -Double.infinity)
        for i in 0..<n {
            if hasSuccess[i] { successRange = (min(successRange.low, column[i]), max(successRange.high, column[i])) }
            if hasFailure[i] { failureRange = (min(failureRange.low, column[i]), max(failureRange.high, column[i])) }
        }
        let below = failureRange.high <= successRange.low, above = successRange.high <= failureRange.low
        if below || above {
            let complete = below ? failureRange.high < successRange.low : successRange.high < failureRange.low
            let (lowSide, highSide) = below ? (outcome.0, outcome.1) : (outcome.1, outcome.0)
            let cut = below ? (failureRange.high, successRange.low) : (successRange.high, failureRange.low)
            warnings.append(SeparationFinding(message: "\(complete ? "complete" : "quasi-complete") separation: '\(name)' separates the outcomes (\(lowSide) at \(name) ≤ \(formatPriorNumber(cut.0)), \(highSide) at \(name) ≥ \(formatPriorNumber(cut.1))); b_\(brmsName(ofColumn: name)) is identified only by its prior",
                                              columns: [name]))
        }
    }
    return warnings + combinationFindings(design, family: family, covered: Set(warnings.flatMap(\.columns)))
}

/// The finding of `separationDirection` when it names a diverging coefficient that the
/// one-column checks (`covered`) did not: separation by a combination of columns.
func combinationFindings(_ design: ModelDesign, family: Family, covered: Set<String>) -> [SeparationFinding] {
    guard let found = separationDirection(design, family: family) else { return [] }
    let names = found.divergentColumns.map { design.fixedEffectNames[$0] }
    let coefficients = names.filter { $0 != "(Intercept)" }
    guard !coefficients.isEmpty, !Set(coefficients).isSubset(of: covered) else { return [] }
    let columnList = shortList(coefficients.map { "'\($0)'" }, conjunction: " and ")
        + (names.contains("(Intercept)") ? " with the intercept" : "")
    let parameters = shortList(coefficients.map { "b_" + brmsName(ofColumn: $0) }, conjunction: ", ")
    let identified = coefficients.count == 1 ? "is identified only by its prior" : "are identified only by their priors"
    let message: String
    if separationKind(of: family) == .zeroCounts {
        message = "separation: \(coefficients.count == 1 && !names.contains("(Intercept)") ? "" : "a combination of ")\(columnList) sets apart rows whose counts are all 0 (the maximum-likelihood rate there is 0); \(parameters) \(identified)"
    } else {
        message = "\(found.complete ? "complete" : "quasi-complete") separation: \(coefficients.count == 1 && !names.contains("(Intercept)") ? "" : "a linear combination of ")\(columnList) separates the outcomes; \(parameters) \(identified)"
    }
    return [SeparationFinding(message: message, columns: coefficients)]
}

/// Why a Bayesian fit is refused: separation leaves a coefficient identified only by its prior, and
/// that prior is flat (brms' default for `b`), so the posterior is improper and any summary of
/// draws would be an artefact of where the sampler wandered (a bernoulli x "= 219 [60, 621]").
public struct ImproperPosteriorError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// Throws `ImproperPosteriorError` when a separation finding concerns a coefficient whose prior in
/// `priors` is flat; a proper prior on it (`b ~ normal(0, 2.5)`, `b:x ~ …`) makes the posterior
/// proper, and the fit then runs with the finding as a warning.
public func requireProperPosteriorUnderSeparation(_ design: ModelDesign, family: Family, priors: PriorSet) throws {
    for finding in separationFindings(design, family: family) {
        let flat = finding.columns.map(brmsName(ofColumn:)).filter {
            if case .flat = priors.effectivePrior(.b, coefficient: $0) { return true }
            return false
        }
        guard let coefficient = flat.first else { continue }
        if flat.count == 1 {
            throw ImproperPosteriorError(description: "\(finding.message), and \(finding.columns.count == 1 ? "its prior" : "the prior of b_\(coefficient)") is flat, so the posterior is improper; give b_\(coefficient) a proper prior, e.g. --prior 'b:\(coefficient) ~ normal(0, 2.5)' (or 'b ~ normal(0, 2.5)' for every coefficient; prior: b ~ normal(0, 2.5) in a model file)")
        }
        throw ImproperPosteriorError(description: "\(finding.message), and the priors of \(shortList(flat.map { "b_" + $0 }, conjunction: ", ")) are flat, so the posterior is improper; give them a proper prior, e.g. --prior 'b ~ normal(0, 2.5)' (prior: b ~ normal(0, 2.5) in a model file)")
    }
}

/// `items` joined by commas, the last by `conjunction`; beyond six, the first five and a count, so
/// that a message about a design of many columns stays one short line.
func shortList(_ items: [String], conjunction: String) -> String {
    if items.count > 6 { return items.prefix(5).joined(separator: ", ") + " and \(items.count - 5) more" }
    guard let last = items.last else { return "" }
    return items.count == 1 ? last : items.dropLast().joined(separator: ", ") + conjunction + last
}
