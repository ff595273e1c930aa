import MultilevelData
import MultilevelMath

/// lme4's `predict(fit, newdata, re.form, allow.new.levels = TRUE)` as a function of the
/// estimates: for new row i, ŷᵢ = xᵢβ + offsetᵢ + Σ over the kept terms zᵢ b[levelᵢ], where a
/// level the fit has not seen contributes 0 (the population value). Prepared once for a new-data
/// design, it evaluates any (β, b) of the model: the fit's (β̂, b̂) (`MixedModelPrediction`) or a
/// bootstrap refit's (β̂*, b̂*) (`BootstrapPrediction`).
public struct NewDataLinearPredictor: Sendable {
    public let newData: NewDataDesign
    /// For each coefficient of the fit (aliased columns dropped), its column of the new-data X.
    let columnOfCoefficient: [Int]
    /// For each term of `newData`, the index of the same term in the fit's terms.
    let fitTermOfTerm: [Int]

    /// The predictor of `newData`, a design built against `fitted` (the model's design before
    /// aliased columns were dropped), for estimates laid out as `fit`'s.
    public init(fit: LinearMixedModelFit, fitted: ModelDesign, newData: NewDataDesign) throws {
        self.newData = newData
        columnOfCoefficient = try fit.fixedEffectNames.map { name -> Int in
            guard let j = fitted.fixedEffectNames.firstIndex(of: name) else {
                throw DesignError("prediction: coefficient '\(name)' is not a column of the design")
            }
            return j
        }
        fitTermOfTerm = try newData.terms.map { term -> Int in
            let designTerm = fitted.randomTerms[term.fittedIndex]
            guard let k = fit.terms.firstIndex(where: { $0.text == designTerm.text && $0.grouping.name == designTerm.grouping.name
                                                         && $0.columnNames == designTerm.columnNames }) else {
                throw DesignError("prediction: term \(designTerm.text) is not in the fit")
            }
            return k
        }
    }

    public var rowCount: Int { newData.rowCount }
    public var coefficientCount: Int { columnOfCoefficient.count }

    /// xᵢ in the fit's coefficient order, written into `x` (length `coefficientCount`).
    public func coefficientRow(_ i: Int, into x: inout [Double]) {
        for (a, j) in columnOfCoefficient.enumerated() { x[a] = newData.fixedEffects[i, j] }
    }

    /// Writes ŷ for every new row into `predictions` (length `rowCount`): xᵢβ + offsetᵢ, plus the
    /// group-level part with `conditionalModes` (per fit term, level-major, as
    /// `LinearMixedModelFit.conditionalModes`) when given.
    public func predict(fixedEffects: [Double], conditionalModes: [[Double]]?, into predictions: inout [Double]) {
        let m = newData.rowCount
        for i in 0..<m {
            var eta = newData.offset?[i] ?? 0    // offset(): coefficient 1
            for (a, j) in columnOfCoefficient.enumerated() { eta += newData.fixedEffects[i, j] * fixedEffects[a] }
            predictions[i] = eta
        }
        guard let conditionalModes else { return }
        for (t, term) in newData.terms.enumerated() {
            let q = term.included.count
            let modes = conditionalModes[fitTermOfTerm[t]]
            for i in 0..<m {
                guard let level = term.levels[i] else { continue }
                for c in 0..<q where term.included[c] { predictions[i] += term.values[i * q + c] * modes[level * q + c] }
            }
        }
    }
}
