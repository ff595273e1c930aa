import MultilevelData

/// Warnings of separation in a bernoulli or binomial model, so that a fit whose coefficients are
/// identified only by their priors (or, in a maximum-likelihood fit, diverge) does not pass
/// silently. Checked one fixed-effect column at a time, the cases that make logistic estimates
/// run off (Albert & Anderson 1984): every response a failure or every one a success; a numeric
/// column whose values split the failures from the successes (complete separation when the ranges
/// do not touch, quasi-complete when they meet at one value); an indicator column (a factor
/// level's dummy) whose rows are all failures or all successes. Separation by a combination of
/// columns (a linear programme, as R's `detectseparation` solves) is not searched for.
/// Returns one line per finding; empty for other families.
public func separationWarnings(_ design: ModelDesign, family: Family) -> [String] {
    separationFindings(design, family: family).map(\.message)
}

/// One finding of `separationFindings`: its message and the population-level column whose
/// coefficient only the prior identifies (nil for the intercept, when every outcome is the same).
public struct SeparationFinding: Sendable, Equatable {
    public var message: String
    public var column: String?
}

/// The findings behind `separationWarnings`, each with the column it concerns.
public func separationFindings(_ design: ModelDesign, family: Family) -> [SeparationFinding] {
    guard family == .bernoulli || family == .binomial else { return [] }
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
    let outcome = family == .bernoulli ? ("0", "1") : ("a failure", "a success")
    if !hasSuccess.contains(true) || !hasFailure.contains(true) {
        let which = hasSuccess.contains(true) ? "every trial is \(outcome.1)" : "every trial is \(outcome.0)"
        return [SeparationFinding(message: "separation: \(which) in response '\(design.responseName)'; the intercept is identified only by its prior",
                                  column: nil)]
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
                                                      column: name))
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
                                              column: name))
        }
    }
    return warnings
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
        guard let column = finding.column else { continue }
        let coefficient = brmsName(ofColumn: column)
        guard case .flat = priors.effectivePrior(.b, coefficient: coefficient) else { continue }
        throw ImproperPosteriorError(description: "\(finding.message), and its prior is flat, so the posterior is improper; give b_\(coefficient) a proper prior, e.g. --prior 'b:\(coefficient) ~ normal(0, 2.5)' (or 'b ~ normal(0, 2.5)' for every coefficient)")
    }
}
