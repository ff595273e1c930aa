import Foundation

/// The F distribution with d₁, d₂ > 0 degrees of freedom (the ratio of two independent χ² over
/// their degrees of freedom).
///
/// P(F ≤ x) = I_{d₁x/(d₁x + d₂)}(d₁/2, d₂/2) (Abramowitz & Stegun 26.6.2) with both
/// d₁x/(d₁x + d₂) and d₂/(d₁x + d₂) formed directly, so upper-tail p-values keep their accuracy.
public struct FDistribution: ContinuousDistribution, Hashable {
    public var numeratorDegreesOfFreedom: Double
    public var denominatorDegreesOfFreedom: Double

    public init(numeratorDegreesOfFreedom: Double, denominatorDegreesOfFreedom: Double) {
        self.numeratorDegreesOfFreedom = numeratorDegreesOfFreedom
        self.denominatorDegreesOfFreedom = denominatorDegreesOfFreedom
    }

    @usableFromInline var isValid: Bool {
        numeratorDegreesOfFreedom > 0 && denominatorDegreesOfFreedom > 0
    }

    private func betaArguments(_ x: Double) -> (x: Double, y: Double) {
        let d1x = numeratorDegreesOfFreedom * x
        let total = d1x + denominatorDegreesOfFreedom
        return (d1x / total, denominatorDegreesOfFreedom / total)
    }

    /// log density = log[x_bᵃ y_bᵇ / B(a, b)] − log x with a = d₁/2, b = d₂/2,
    /// x_b = d₁x/(d₁x + d₂), y_b = 1 − x_b.
    public func logDensity(_ x: Double) -> Double {
        guard isValid, !x.isNaN else { return .nan }
        if x < 0 || x == .infinity { return -.infinity }
        let a = 0.5 * numeratorDegreesOfFreedom, b = 0.5 * denominatorDegreesOfFreedom
        if x == 0 { return a < 1 ? .infinity : (a == 1 ? log(numeratorDegreesOfFreedom / denominatorDegreesOfFreedom) : -.infinity) }
        let (xb, yb) = betaArguments(x)
        return logIncompleteBetaPrefactor(a, b, xb, yb) - log(x)
    }

    public func logCDFAndCCDF(_ x: Double) -> (logCDF: Double, logCCDF: Double) {
        guard isValid, !x.isNaN else { return (.nan, .nan) }
        if x <= 0 { return (-.infinity, 0) }
        if x == .infinity { return (0, -.infinity) }
        let (xb, yb) = betaArguments(x)
        let r = logRegularizedIncompleteBeta(0.5 * numeratorDegreesOfFreedom, 0.5 * denominatorDegreesOfFreedom,
                                             x: xb, y: yb)
        return (r.logI, r.logComplement)
    }


    /// The p-quantile (R's `qf(p, d1, d2)`): x = d₂ x_b / (d₁ y_b) from the inverse incomplete beta.
    public func quantile(_ p: Double) -> Double {
        guard isValid, p >= 0, p <= 1 else { return .nan }
        let (xb, yb) = inverseRegularizedIncompleteBeta(0.5 * numeratorDegreesOfFreedom,
                                                        0.5 * denominatorDegreesOfFreedom, p: p, q: 1 - p)
        return denominatorDegreesOfFreedom * xb / (numeratorDegreesOfFreedom * yb)
    }
}
