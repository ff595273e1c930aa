#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelMath

/// brms' `Beta()`: a proportion y ∈ (0, 1) with mean μ = logistic(η) and precision `phi` φ,
/// y ~ Beta(μφ, (1 − μ)φ), variance μ(1 − μ)/(1 + φ) (Ferrari & Cribari-Neto 2004, *J. Appl.
/// Stat.* 31, 799–815; brms 2.18's `beta_lpdf(Y | mu * phi, (1 - mu) * phi)`):
///     log p = log Γ(φ) − log Γ(μφ) − log Γ((1 − μ)φ) + (μφ − 1) log y + ((1 − μ)φ − 1) log(1 − y).
/// The default prior of φ is brms' gamma(0.01, 0.01).
enum BetaFamily: ResponseFamily {
    typealias Rows = BetaRows
    static var link: Link { .logit }
    static var auxiliaryParameters: [AuxiliaryParameter] { [.phi] }
    static var needsVaryingResponse: Bool { true }

    /// y strictly between 0 and 1 (a proportion of exactly 0 or 1 has density 0 or ∞).
    static func supportViolation(response y: Double, trials: Double) -> String? {
        y > 0 && y < 1 ? nil : "proportion \(formatPriorNumber(y)) is not strictly between 0 and 1"
    }

    static func dataConstant(response: [Double], trials: [Double]) -> Double { 0 }

    static func logLikelihood(response y: Double, trials: Double, eta: Double, auxiliary: [Double]) -> Double {
        let phi = auxiliary[0], mu = inverseLogit(eta)
        let a = mu * phi, b = (1 - mu) * phi
        return logGamma(phi) - logGamma(a) - logGamma(b) + (a - 1) * log(y) + (b - 1) * log1p(-y)
    }

    /// logit y.
    static func pilotInitialLinearPredictor(response y: Double, trials: Double) -> Double {
        logit(min(max(y, 1e-6), 1 - 1e-6))
    }

    /// w = (dμ/dη)² / Var(y) = μ(1 − μ)(1 + φ), residual (y − μ)/(μ(1 − μ)).
    static func pilotWorkingWeightAndResidual(response y: Double, trials: Double, eta: Double,
                                              dispersion: Double) -> (weight: Double, residual: Double) {
        let mu = inverseLogit(eta), v = max(mu * (1 - mu), 1e-12)
        return (v * (1 + dispersion), (y - mu) / v)
    }

    /// φ̂ from the moments: mean of (y − μ)²/(μ(1 − μ)) estimates 1/(1 + φ).
    static func pilotDispersion(response y: [Double], eta: [Double]) -> Double? {
        var sum = 0.0
        for i in y.indices {
            let mu = inverseLogit(eta[i])
            sum += (y[i] - mu) * (y[i] - mu) / max(mu * (1 - mu), 1e-12)
        }
        let m = sum / Double(max(1, y.count))
        return m > 0 && m < 1 ? 1 / m - 1 : 1e8
    }

    /// y = G₁/(G₁ + G₂) with G₁ ~ Gamma(μφ), G₂ ~ Gamma((1 − μ)φ).
    static func meanAndDraw(eta: Double, trials: Double, auxiliary: [Double],
                            rng: inout Xoshiro256PlusPlus) -> (mean: Double, draw: Double) {
        let mu = inverseLogit(eta), phi = auxiliary[0]
        return (mu, rng.nextBeta(mu * phi, (1 - mu) * phi))
    }
}

/// Beta rows: with a = μφ, b = (1 − μ)φ and dμ/dη = μ(1 − μ),
///     ∂/∂η = μ(1 − μ) φ [ψ(b) − ψ(a) + log y − log(1 − y)],
///     ∂/∂φ = Σ [ψ(φ) − μψ(a) − (1 − μ)ψ(b) + μ log y + (1 − μ) log(1 − y)].
struct BetaRows: RowLikelihood {
    let phi: Double, logGammaPhi: Double, digammaPhi: Double, rowCount: Int
    var phiDerivative = 0.0
    init(auxiliary: UnsafePointer<Double>, rowCount: Int, sumLogResponse: Double) {
        phi = auxiliary[0]; logGammaPhi = logGamma(phi); digammaPhi = posteriorDigamma(phi); self.rowCount = rowCount
    }
    @inline(__always)
    mutating func add(response y: Double, trials: Double, eta: Double) -> (value: Double, etaDerivative: Double) {
        let mu = inverseLogit(eta), oneMinus = inverseLogit(-eta)
        let a = mu * phi, b = oneMinus * phi
        let logY = log(y), logOneMinusY = log1p(-y)
        let psiA = posteriorDigamma(a), psiB = posteriorDigamma(b)
        phiDerivative += mu * (logY - psiA) + oneMinus * (logOneMinusY - psiB)
        let value = -logGamma(a) - logGamma(b) + (a - 1) * logY + (b - 1) * logOneMinusY
        return (value, mu * oneMinus * phi * (psiB - psiA + logY - logOneMinusY))
    }
    func finish(auxiliaryGradient: UnsafeMutablePointer<Double>) -> Double {
        auxiliaryGradient[0] = phiDerivative + Double(rowCount) * digammaPhi
        return Double(rowCount) * logGammaPhi
    }
}
