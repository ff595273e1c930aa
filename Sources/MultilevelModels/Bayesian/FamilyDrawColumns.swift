import MultilevelData
import MultilevelSampling

/// Where the population-level coefficients and the family's auxiliary parameters live in a fit's
/// constrained draws, for the code that rebuilds η and the likelihood from them (pointwise
/// log-likelihood, predictions, posterior predictive draws): `b_<column>` and the auxiliary
/// parameters by name. An ordinal (`cumulative`) fit has the thresholds b_Intercept[1 … K−1]
/// instead of b_Intercept: the family's linear predictor carries −b_Intercept[1] in place of the
/// intercept, η = −τ₁ + x·b + z·r, and its auxiliary parameters are the gaps
/// b_Intercept[k+1] − b_Intercept[k] (`CumulativeFamily`), so K comes from the draws and not from
/// the rows being evaluated (held-out or new rows need not have every rating).
struct FamilyDrawColumns {
    /// Per column of the design's X, its draw column and the sign it enters η with.
    let coefficients: [(column: Int, sign: Double)]
    /// Per auxiliary parameter, its draw column and the draw column subtracted from it (−1: none).
    let auxiliary: [(column: Int, minus: Int)]
    /// The threshold columns b_Intercept[1], b_Intercept[2], … (empty unless the family is ordinal).
    let thresholds: [Int]

    /// `auxiliaryParameters` are the family's for the fitted model (ignored for an ordinal
    /// family); `index` finds a variable's column or throws the caller's one-line error.
    init(draws: Draws, fixedEffectNames: [String], family: Family, auxiliaryParameters: [AuxiliaryParameter],
         index: (String) throws -> Int) throws {
        guard family.kind == .cumulative else {
            coefficients = try fixedEffectNames.map { (column: try index("b_" + brmsName(ofColumn: $0)), sign: 1.0) }
            auxiliary = try auxiliaryParameters.map { (column: try index($0.rawValue), minus: -1) }
            thresholds = []
            return
        }
        var thresholds: [Int] = []
        while let column = draws.index(of: "b_Intercept[\(thresholds.count + 1)]") { thresholds.append(column) }
        guard let first = thresholds.first else {
            _ = try index("b_Intercept[1]")
            throw FamilyError(message: "the draws have no variable 'b_Intercept[1]'")
        }
        coefficients = try fixedEffectNames.map { name -> (column: Int, sign: Double) in
            let brms = brmsName(ofColumn: name)
            if brms == "Intercept" { return (column: first, sign: -1.0) }
            return (column: try index("b_" + brms), sign: 1.0)
        }
        auxiliary = (1..<thresholds.count).map { (column: thresholds[$0], minus: thresholds[$0 - 1]) }
        self.thresholds = thresholds
    }

    /// The auxiliary parameter `k` of the draw whose values start at `values`.
    @inline(__always)
    func auxiliaryValue(_ k: Int, _ values: UnsafeBufferPointer<Double>, base: Int) -> Double {
        let entry = auxiliary[k]
        return values[base + entry.column] - (entry.minus >= 0 ? values[base + entry.minus] : 0)
    }
}
