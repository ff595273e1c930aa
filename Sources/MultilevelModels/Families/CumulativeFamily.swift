#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelMath

/// brms' ordinal `cumulative(link)` family (Bürkner & Vuorre 2019, "Ordinal regression models in
/// psychology: a tutorial", *AMPPS* 2(1), 77–101; McCullagh 1980, *JRSS B* 42, 109–142): a rating
/// y ∈ {1, …, K} with thresholds τ₁ < … < τ_{K−1} and
///     P(y = k) = F(τ_k − μ) − F(τ_{k−1} − μ),   τ₀ = −∞, τ_K = +∞,
/// F the link's distribution function (logistic, standard normal) and μ the linear predictor
/// without intercept (the formula's intercept becomes the thresholds, brms' `Intercept[k]`).
///
/// In the posterior's parameter layout (`ParameterLayout.thresholdCount`) the intercept slot holds
/// −τ₁ (centred) and the family's auxiliary parameters are the K − 2 threshold gaps
/// δ_k = τ_{k+1} − τ_k > 0 on the log scale: Stan's `ordered` transform (τ₁ free, then
/// log-differences, log-Jacobian Σ log δ_k). The row pass then sees η = −τ₁ + μ, and with the
/// cumulative gaps D_k = τ_k − τ₁ = Σ_{j<k} δ_j (D₁ = 0),
///     τ_k − μ = D_k − η,
/// so the family reads η and the gaps like any family with auxiliary parameters; brms' prior on
/// each τ_k = D_k − (−τ₁) is added jointly by `OrdinalThresholds`.
enum CumulativeFamily<L: StaticLink>: ResponseFamily, GaussianPilot {
    typealias Rows = CumulativeRows<L>
    static var link: Link { L.link }
    static var links: [Link] { [.logit, .probit] }
    /// The gaps are data dependent (K − 2 of them, `Family.auxiliaryParameters(for:)`).
    static var auxiliaryParameters: [AuxiliaryParameter] { [] }

    /// y a positive integer (brms: "positive integers or ordered factors"); K is the largest.
    static func supportViolation(response y: Double, trials: Double) -> String? {
        y >= 1 && y == y.rounded() && y < 1e9 ? nil : "rating \(formatPriorNumber(y)) is not a category 1, 2, …"
    }

    static func dataConstant(response: [Double], trials: [Double]) -> Double { 0 }

    /// log P(y = k | η) with `auxiliary` the K − 2 gaps (K = auxiliary.count + 2).
    static func logLikelihood(response y: Double, trials: Double, eta: Double, auxiliary: [Double]) -> Double {
        auxiliary.withUnsafeBufferPointer { gaps in
            let k = Int(y), thresholds = gaps.count + 1
            guard k >= 1, k <= thresholds + 1 else { return -.infinity }
            return categoryLogProbability(k, thresholdCount: thresholds, gaps: gaps.baseAddress, eta: eta).value
        }
    }

    /// D_k = Σ_{j<k} δ_j (D₁ = 0), k = 1 … K − 1.
    @inline(__always)
    static func cumulativeGap(_ k: Int, _ gaps: UnsafePointer<Double>?) -> Double {
        var d = 0.0
        var j = 0
        while j < k - 1 { d += gaps![j]; j += 1 }
        return d
    }

    /// log P(y = k) at η with its derivatives with respect to the upper and lower cut points
    /// u = D_k − η and l = D_{k−1} − η (∂/∂η = −(∂/∂u + ∂/∂l)). The top and bottom categories use
    /// log F(u) and log(1 − F(l)) from `Link.logProbabilities`; a middle one the difference of the
    /// two distribution values, taken on the complements when both cut points lie above 0 so that
    /// it keeps its digits in the upper tail:
    ///     log(F(u) − F(l)) = log F(u) + log(1 − e^{log F(l) − log F(u)}).
    @inline(__always)
    static func categoryLogProbability(_ k: Int, thresholdCount: Int, gaps: UnsafePointer<Double>?, eta: Double)
        -> (value: Double, upper: Double, lower: Double) {
        if k == 1 {
            let p = L.link.logProbabilities(-eta)
            return (p.logMean, p.logMeanDerivative, 0)
        }
        let lowerCut = cumulativeGap(k - 1, gaps) - eta
        if k == thresholdCount + 1 {
            let p = L.link.logProbabilities(lowerCut)
            return (p.logComplement, 0, p.logComplementDerivative)
        }
        let upperCut = lowerCut + gaps![k - 2]
        let pu = L.link.logProbabilities(upperCut), pl = L.link.logProbabilities(lowerCut)
        let value: Double
        if lowerCut > 0 {
            value = pl.logComplement + log1p(-exp(pu.logComplement - pl.logComplement))
        } else {
            value = pu.logMean + log1p(-exp(pl.logMean - pu.logMean))
        }
        // ∂/∂u = f(u)/P = (f(u)/F(u)) e^{log F(u) − log P}, ∂/∂l = −(f(l)/F(l)) e^{log F(l) − log P}
        // (on the complements, f/(1 − F), in the upper tail).
        if lowerCut > 0 {
            return (value, -pu.logComplementDerivative * exp(pu.logComplement - value),
                    pl.logComplementDerivative * exp(pl.logComplement - value))
        }
        return (value, pu.logMeanDerivative * exp(pu.logMean - value), -pl.logMeanDerivative * exp(pl.logMean - value))
    }

    /// E(y) = Σ_k k P(y = k) and a category drawn by inversion of the cumulative probabilities.
    static func meanAndDraw(eta: Double, trials: Double, auxiliary: [Double],
                            rng: inout Xoshiro256PlusPlus) -> (mean: Double, draw: Double) {
        let categories = auxiliary.count + 2
        let u = rng.nextUniform()
        var below = 0.0, mean = 0.0, draw = Double(categories), cut = -eta, drawn = false
        for k in 1..<categories {
            if k > 1 { cut += auxiliary[k - 2] }
            let cdf = L.link.inverse(cut)
            mean += Double(k) * (cdf - below)
            if !drawn && u < cdf { draw = Double(k); drawn = true }
            below = cdf
        }
        mean += Double(categories) * (1 - below)
        return (mean, draw)
    }
}

/// Cumulative rows: log P(y_i = k) and ∂/∂η_i; the derivatives with respect to the cumulative gaps
/// D_k are accumulated in the posterior's auxiliary-gradient slots (slot k − 2 holds ∂/∂D_k) and
/// turned into ∂/∂δ_j = Σ_{k > j+1} ∂/∂D_k by `finish`.
struct CumulativeRows<L: StaticLink>: RowLikelihood {
    let gaps: UnsafePointer<Double>
    let gapCount: Int
    let gapGradient: UnsafeMutablePointer<Double>?

    init(auxiliary: UnsafePointer<Double>, rowCount: Int, sumLogResponse: Double) {
        // Without the gap count only the two-category model can be evaluated; the posterior
        // always calls the initialiser below.
        gaps = auxiliary; gapCount = 0; gapGradient = nil
    }

    init(auxiliary: UnsafePointer<Double>, auxiliaryCount: Int, auxiliaryGradient: UnsafeMutablePointer<Double>,
         rowCount: Int, sumLogResponse: Double) {
        gaps = auxiliary; gapCount = auxiliaryCount; gapGradient = auxiliaryGradient
        for j in 0..<auxiliaryCount { auxiliaryGradient[j] = 0 }
    }

    @inline(__always)
    mutating func add(response y: Double, trials: Double, eta: Double) -> (value: Double, etaDerivative: Double) {
        let k = Int(y)
        let term = CumulativeFamily<L>.categoryLogProbability(k, thresholdCount: gapCount + 1, gaps: gaps, eta: eta)
        if let gapGradient {
            if k >= 2 && k <= gapCount + 1 { gapGradient[k - 2] += term.upper }
            if k >= 3 { gapGradient[k - 3] += term.lower }
        }
        return (term.value, -(term.upper + term.lower))
    }

    func finish(auxiliaryGradient: UnsafeMutablePointer<Double>) -> Double {
        // Slot j holds ∂/∂D_{j+2}; δ_j enters every D_k with k ≥ j + 2: suffix sums.
        var sum = 0.0
        var j = gapCount - 1
        while j >= 0 {
            sum += auxiliaryGradient[j]
            auxiliaryGradient[j] = sum
            j -= 1
        }
        return 0
    }
}
