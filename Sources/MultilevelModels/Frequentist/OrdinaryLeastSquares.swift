import Foundation
import MultilevelData
import MultilevelMath

/// A least-squares fit as R's `lm` reports it: coefficients with standard errors and t-based
/// intervals (`confint`), σ̂ = √(RSS/(n − p)), and logLik/AIC/BIC (σ at its ML value, p + 1 df).
public struct LeastSquaresFit: Sendable {
    /// Coefficients (name, estimate, SE, interval) in column order; aliased columns are dropped.
    public var coefficients: [NamedEstimate]
    /// Names of the columns dropped as aliased (R's NA coefficients).
    public var droppedNames: [String]
    public var sigma: Double
    public var residualDegreesOfFreedom: Int
    public var residualSumOfSquares: Double
    public var observationCount: Int
    public var logLikelihood: Double
    public var akaikeInformationCriterion: Double
    public var bayesianInformationCriterion: Double
    public var level: Double
}

/// Complete pooling: ordinary least squares y = Xβ + ε by the Cholesky factor of XᵀX (after
/// aliased columns are dropped as R does), Var(β̂) = σ̂²(XᵀX)⁻¹, intervals β̂ ± t₍ₙ₋ₚ₎ SE.
public func ordinaryLeastSquares(response y: [Double], design x: DenseMatrix, names: [String],
                                 level: Double = 0.95) throws -> LeastSquaresFit {
    let shell = ModelDesign(formulaText: "", responseName: "", response: y, trials: nil, responseLevels: nil,
                            fixedEffects: x, fixedEffectNames: names, droppedFixedEffectNames: [], randomTerms: [],
                            sourceLines: [], droppedRowCount: 0)
    let (reduced, dropped) = droppingAliasedColumns(shell)
    let matrix = reduced.fixedEffects
    let n = matrix.rows, p = matrix.columns
    guard n > p else { throw MixedModelError("\(n) observations cannot estimate \(p) coefficients with a residual variance") }
    let (beta, factor) = try leastSquaresSolution(matrix, y)
    let fitted = matrix.multiplied(by: beta)
    let rss = zip(y, fitted).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
    let df = n - p
    let sigma = (rss / Double(df)).squareRoot()
    let covariance = factor.inverseFromCholeskyFactor
    let t = StudentTDistribution(degreesOfFreedom: Double(df)).quantile((1 + level) / 2)
    let coefficients = (0..<p).map { j -> NamedEstimate in
        let se = sigma * covariance[j, j].squareRoot()
        return NamedEstimate(name: reduced.fixedEffectNames[j], estimate: beta[j], standardError: se,
                             lower: beta[j] - t * se, upper: beta[j] + t * se)
    }
    let logLik = -0.5 * Double(n) * (log(2 * Double.pi) + log(rss / Double(n)) + 1)
    return LeastSquaresFit(coefficients: coefficients, droppedNames: dropped, sigma: sigma, residualDegreesOfFreedom: df,
                           residualSumOfSquares: rss, observationCount: n, logLikelihood: logLik,
                           akaikeInformationCriterion: -2 * logLik + 2 * Double(p + 1),
                           bayesianInformationCriterion: -2 * logLik + Double(p + 1) * log(Double(n)), level: level)
}

/// β̂ = (XᵀX)⁻¹Xᵀy by the Cholesky factor L of XᵀX (L Lᵀ β̂ = Xᵀy, two triangular solves), and L
/// (for the covariance σ̂²(XᵀX)⁻¹). Throws when XᵀX is not positive definite.
func leastSquaresSolution(_ x: DenseMatrix, _ y: [Double]) throws -> (coefficients: [Double], factor: DenseMatrix) {
    let factor = try x.crossProduct.choleskyLower()
    return (factor.solvingLowerTranspose(factor.solvingLower(x.transposeMultiplied(by: y))), factor)
}

/// Complete pooling of a mixed-model design: `lm(y ~ x)` on its fixed-effects matrix.
public func completePoolingFit(_ design: ModelDesign, level: Double = 0.95) throws -> LeastSquaresFit {
    try checkResponse(design, family: .gaussian)
    return try ordinaryLeastSquares(response: design.response, design: design.fixedEffects, names: design.fixedEffectNames, level: level)
}
