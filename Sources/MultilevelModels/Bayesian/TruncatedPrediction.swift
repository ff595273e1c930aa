#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelMath

/// Predictions of a truncated model `y | trunc(lb, ub)`, as brms 2.18 makes them: the expected
/// response is the mean of the truncated distribution (brms' `posterior_epred_trunc_<family>`) and a
/// predictive draw comes from the truncated distribution (brms' `posterior_predict_<family>` with
/// `lb`/`ub`), lb ≤ y ≤ ub as in the likelihood (for counts both bounds inclusive, Stan's
/// `lcdf(lb - 1)`).
///
/// - gaussian (μ = g⁻¹(η), σ): with α = (lb − μ)/σ, β = (ub − μ)/σ, Z = Φ(β) − Φ(α),
///   E = μ + σ (φ(α) − φ(β))/Z (Johnson, Kotz & Balakrishnan 1994, *Continuous Univariate
///   Distributions* 1, §10.1); a draw by inversion, μ + σ Φ⁻¹(U(Φ(α), Φ(β))) (taken in the upper
///   tail's mirror image when α > 0, where Φ(α) rounds towards 1).
/// - student (σ, ν): with T_ν the standard t distribution function and Z = T_ν(β) − T_ν(α),
///   E = μ + σ Γ((ν − 1)/2) ν^{ν/2} ((ν + α²)^{−(ν−1)/2} − (ν + β²)^{−(ν−1)/2}) / (2 Z Γ(ν/2) Γ(½))
///   (the formula of brms' `posterior_epred_trunc_student`); a draw by inversion of T_ν.
/// - lognormal (μ = η on the log scale, σ): with l = log max(lb, 0), u = log ub,
///   E = e^{μ + σ²/2} (Φ((u − μ)/σ − σ) − Φ((l − μ)/σ − σ)) / (Φ((u − μ)/σ) − Φ((l − μ)/σ));
///   a draw as e^x with x the gaussian draw truncated to [l, u].
/// - poisson (λ = g⁻¹(η)) and negbinomial (μ, shape φ): E = Σ_{k=a..b} k p(k) / Σ_{k=a..b} p(k) over
///   the whole numbers a = max(⌈lb⌉, 0) … b = ⌊ub⌋, summed until the terms past the mode fall below
///   10⁻¹⁷ of the sum when ub = ∞; a draw by inversion of that sum. (brms 2.18's epred sums from
///   lb + 1 rather than lb — E(Y | lb < Y ≤ ub) — and caps ub at 3 · max μ; both agree with this
///   sum for the ub-only truncation, whose lb is −1 in brms.)
///
/// - Gamma (mean μ = g⁻¹(η), shape α, rate r = α/μ): with x = r·max(lb, 0), x̄ = r·ub and P the
///   regularised incomplete gamma function, E = μ [P(α + 1, x̄) − P(α + 1, x)] / [P(α, x̄) − P(α, x)]
///   (from y·p(y | α, r) = μ·p(y | α + 1, r); Johnson, Kotz & Balakrishnan 1994, §17.2); a draw by
///   inversion of P(α, r·y) on U(P(α, x), P(α, x̄)). Each difference is taken in the upper tails Q
///   when x lies beyond the shape (bounds deep in the upper tail) and in log space throughout.
/// - weibull (mean μ = e^η, shape k, brms' scale λ = μ/Γ(1 + 1/k)): with s = (y/λ)^k standard
///   exponential, E[Y; lb ≤ Y ≤ ub] = λ Γ(1 + 1/k) [P(1 + 1/k, s̄) − P(1 + 1/k, s)], so
///   E = μ [P(1 + 1/k, s̄) − P(1 + 1/k, s)] / [e^{−s} − e^{−s̄}] (the same log-space differences); a
///   draw as λ (s + e)^{1/k} with e the standard exponential truncated to [0, s̄ − s] by inversion,
///   −log1p(−U (1 − e^{−(s̄ − s)})) (memorylessness: exact however deep s lies).
/// - exponential (mean μ): weibull with k = 1.
///
/// Other families are refused (`init` throws).
struct TruncatedPrediction: Sendable {
    let family: Family

    /// Throws a one-line error for a family without truncated predictions.
    init(family: Family) throws {
        switch family.kind {
        case .gaussian, .student, .lognormal, .gamma, .exponential, .weibull, .poisson, .negativeBinomial:
            self.family = family
        default:
            throw FamilyError(message: "predictions of truncated (trunc()) \(family.name) models are not supported yet (gaussian, student, lognormal, Gamma, exponential, weibull, poisson and negbinomial are)")
        }
    }

    /// The truncated mean E(Y | lb ≤ Y ≤ ub) at η and the family's auxiliary parameters, and one
    /// draw from the truncated distribution.
    func meanAndDraw(eta: Double, auxiliary: [Double], lower: Double, upper: Double,
                     rng: inout Xoshiro256PlusPlus) -> (mean: Double, draw: Double) {
        switch family.kind {
        case .gaussian:
            return Self.truncatedNormal(mu: family.link.inverse(eta), sigma: auxiliary[0], lower: lower, upper: upper, rng: &rng)
        case .student:
            return Self.truncatedStudent(mu: family.link.inverse(eta), sigma: auxiliary[0], nu: auxiliary[1],
                                         lower: lower, upper: upper, rng: &rng)
        case .lognormal:
            let sigma = auxiliary[0]
            let l = log(max(lower, 0)), u = log(upper)
            let a = (l - eta) / sigma, b = (u - eta) / sigma
            let z = Self.normalMass(a, b)
            let mean = z > 0 ? exp(eta + 0.5 * sigma * sigma) * Self.normalMass(a - sigma, b - sigma) / z
                : (a > 0 ? max(lower, 0) : upper)
            let draw = exp(Self.truncatedNormal(mu: eta, sigma: sigma, lower: l, upper: u, rng: &rng).draw)
            return (mean, min(max(draw, max(lower, 0)), upper))
        case .gamma:
            return Self.truncatedGamma(mu: family.link.inverse(eta), shape: auxiliary[0], lower: lower, upper: upper, rng: &rng)
        case .exponential:
            return Self.truncatedWeibull(mu: family.link.inverse(eta), shape: 1, lower: lower, upper: upper, rng: &rng)
        case .weibull:
            return Self.truncatedWeibull(mu: family.link.inverse(eta), shape: auxiliary[0], lower: lower, upper: upper, rng: &rng)
        case .poisson:
            let lambda = family.link.inverse(eta)
            return Self.truncatedCount(mean: lambda, lower: lower, upper: upper, rng: &rng) { k in
                k * log(lambda) - lambda - logGamma(k + 1)
            }
        default:
            // negbinomial (brms' mu and shape φ: Var = μ + μ²/φ).
            let mu = family.link.inverse(eta), phi = auxiliary[0]
            let logP = log(mu / (mu + phi)), logQ = log(phi / (mu + phi)), constant = phi * logQ - logGamma(phi)
            return Self.truncatedCount(mean: mu, lower: lower, upper: upper, rng: &rng) { k in
                logGamma(k + phi) - logGamma(k + 1) + constant + k * logP
            }
        }
    }

    /// φ(x), 0 at ±∞.
    static func normalDensity(_ x: Double) -> Double { x.isInfinite ? 0 : NormalDistribution.density(x) }

    /// Φ(x), 0 at −∞ and 1 at +∞.
    static func normalCDF(_ x: Double) -> Double {
        x == .infinity ? 1 : x == -.infinity ? 0 : NormalDistribution.cdf(x)
    }

    /// Φ(b) − Φ(a) for a ≤ b, from the upper tails when a > 0 (no cancellation near 1).
    static func normalMass(_ a: Double, _ b: Double) -> Double {
        a > 0 ? normalCDF(-a) - normalCDF(-b) : normalCDF(b) - normalCDF(a)
    }

    static func truncatedNormal(mu: Double, sigma: Double, lower: Double, upper: Double,
                                rng: inout Xoshiro256PlusPlus) -> (mean: Double, draw: Double) {
        let a = (lower - mu) / sigma, b = (upper - mu) / sigma
        let z = normalMass(a, b)
        guard z > 0 else {
            // All the mass beyond one bound (to rounding): the nearer bound.
            let bound = a > 0 ? lower : upper
            return (bound, bound)
        }
        let mean = mu + sigma * (normalDensity(a) - normalDensity(b)) / z
        var draw: Double
        if a > 0 {
            let u = rng.nextUniform(normalCDF(-b), normalCDF(-a))
            draw = mu - sigma * NormalDistribution.quantile(u)
        } else {
            let u = rng.nextUniform(normalCDF(a), normalCDF(b))
            draw = mu + sigma * NormalDistribution.quantile(u)
        }
        return (mean, min(max(draw, lower), upper))
    }

    static func truncatedStudent(mu: Double, sigma: Double, nu: Double, lower: Double, upper: Double,
                                 rng: inout Xoshiro256PlusPlus) -> (mean: Double, draw: Double) {
        let t = StudentTDistribution(degreesOfFreedom: nu)
        let a = (lower - mu) / sigma, b = (upper - mu) / sigma
        let (lowerCDF, lowerCCDF) = t.logCDFAndCCDF(a), (upperCDF, upperCCDF) = t.logCDFAndCCDF(b)
        let z = a > 0 ? exp(lowerCCDF) - exp(upperCCDF) : exp(upperCDF) - exp(lowerCDF)
        guard z > 0 else {
            let bound = a > 0 ? lower : upper
            return (bound, bound)
        }
        let logG = logGamma(0.5 * (nu - 1)) + 0.5 * nu * log(nu) - log(2 * z) - logGamma(0.5 * nu) - logGamma(0.5)
        let exponent = -0.5 * (nu - 1)
        let termA = a.isInfinite ? 0 : exp(logG + exponent * log(nu + a * a))
        let termB = b.isInfinite ? 0 : exp(logG + exponent * log(nu + b * b))
        let mean = mu + sigma * (termA - termB)
        var draw: Double
        if a > 0 {
            draw = mu - sigma * t.quantile(rng.nextUniform(exp(upperCCDF), exp(lowerCCDF)))
        } else {
            draw = mu + sigma * t.quantile(rng.nextUniform(exp(lowerCDF), exp(upperCDF)))
        }
        return (mean, min(max(draw, lower), upper))
    }

    /// log[P(a, x̄) − P(a, x)] for 0 ≤ x ≤ x̄, the mass of Gamma(a, 1) on [x, x̄], from the tails
    /// `lower` = (log P, log Q)(a, x) and `upper` = (log P, log Q)(a, x̄): as
    /// log Q(a, x) + log(−expm1(log Q(a, x̄) − log Q(a, x))) when x > a (both in the upper tail, where
    /// P rounds to 1), else log P(a, x̄) + log(−expm1(log P(a, x) − log P(a, x̄))). −∞ for no mass.
    static func logGammaMass(shape a: Double, x: Double, lower: (logP: Double, logQ: Double),
                             upper: (logP: Double, logQ: Double)) -> Double {
        let (near, far) = x > a ? (lower.logQ, upper.logQ) : (upper.logP, lower.logP)
        guard near > -.infinity else { return -.infinity }
        return near + log(-expm1(far - near))
    }

    /// log[P(a, x̄) − P(a, x)] (`logGammaMass`) from the bounds alone.
    static func logGammaMass(shape a: Double, _ x: Double, _ xUpper: Double) -> Double {
        logGammaMass(shape: a, x: x, lower: logRegularizedIncompleteGamma(a, x), upper: logRegularizedIncompleteGamma(a, xUpper))
    }

    /// The Gamma(shape α, mean μ) distribution truncated to [max(lb, 0), ub]: its mean and one draw
    /// (see the type's documentation).
    static func truncatedGamma(mu: Double, shape: Double, lower: Double, upper: Double,
                               rng: inout Xoshiro256PlusPlus) -> (mean: Double, draw: Double) {
        let lowest = max(lower, 0), rate = shape / mu
        let x = lowest * rate, xUpper = upper * rate
        let lowerTails = logRegularizedIncompleteGamma(shape, x), upperTails = logRegularizedIncompleteGamma(shape, xUpper)
        let logMass = logGammaMass(shape: shape, x: x, lower: lowerTails, upper: upperTails)
        guard logMass > -.infinity else {
            // No mass to rounding (the bounds equal, or both far out in one tail): the nearer bound.
            let bound = x > shape ? lowest : upper
            return (bound, bound)
        }
        let mean = mu * exp(logGammaMass(shape: shape + 1, x, xUpper) - logMass)
        var draw: Double
        if x > shape {
            let q = rng.nextUniform(exp(upperTails.logQ), exp(lowerTails.logQ))
            draw = q > 0 ? inverseRegularizedGammaQ(shape, q) / rate : lowest
        } else {
            draw = inverseRegularizedGammaP(shape, rng.nextUniform(exp(lowerTails.logP), exp(upperTails.logP))) / rate
        }
        return (min(max(mean, lowest), upper), min(max(draw, lowest), upper))
    }

    /// The weibull distribution (brms' mean μ, shape k) truncated to [max(lb, 0), ub]: its mean and
    /// one draw (see the type's documentation); k = 1 is the exponential with mean μ.
    static func truncatedWeibull(mu: Double, shape: Double, lower: Double, upper: Double,
                                 rng: inout Xoshiro256PlusPlus) -> (mean: Double, draw: Double) {
        let lowest = max(lower, 0)
        let scale = mu / exp(logGamma(1 + 1 / shape))
        let s = pow(lowest / scale, shape), sUpper = pow(upper / scale, shape)
        // s − s̄ = −s·((ub/lb)^k − 1), exact for a small shape k where s and s̄ both near 1.
        let gap = lowest > 0 && upper.isFinite ? -s * expm1(shape * log(upper / lowest)) : s - sUpper
        // log(e^{−s} − e^{−s̄}), the mass of the standard exponential on [s, s̄].
        let logMass = -s + log(-expm1(gap))
        guard logMass > -.infinity else { return (lowest, lowest) }
        let mean = mu * exp(logGammaMass(shape: 1 + 1 / shape, s, sUpper) - logMass)
        let excess = -log1p(-rng.nextUniform() * -expm1(gap))
        let draw = scale * pow(s + excess, 1 / shape)
        return (min(max(mean, lowest), upper), min(max(draw, lowest), upper))
    }

    /// Most whole numbers a truncated count sum visits (far beyond any count model's range).
    static let maximumCountTerms = 1_000_000

    /// The truncated count distribution with log mass `logMass(k)` on a = max(⌈lb⌉, 0) … b = ⌊ub⌋:
    /// its mean and one draw by inversion. Without an upper bound the sum stops past the mode
    /// (k > `mean`) once a term is below 10⁻¹⁷ of the sum.
    static func truncatedCount(mean: Double, lower: Double, upper: Double, rng: inout Xoshiro256PlusPlus,
                               logMass: (Double) -> Double) -> (mean: Double, draw: Double) {
        let first = max(lower.rounded(.up), 0)
        let last = upper.isFinite ? upper.rounded(.down) : .infinity
        guard first <= last else { return (first, first) }
        // Scale by the largest log mass in range (at the mode, clamped to the range) against underflow.
        let mode = min(max(mean.rounded(.down), first), last.isFinite ? last : .infinity)
        let shift = logMass(mode)
        var total = 0.0, moment = 0.0
        var k = first, steps = 0
        while k <= last && steps < maximumCountTerms {
            let p = exp(logMass(k) - shift)
            total += p
            moment += k * p
            if !last.isFinite && k > mean && p < 1e-17 * total { break }
            k += 1
            steps += 1
        }
        let end = k
        // Inversion: the smallest k with Σ_{j ≤ k} p(j) ≥ U · total.
        let target = rng.nextUniform() * total
        var cumulative = 0.0
        var draw = first
        while draw < end {
            cumulative += exp(logMass(draw) - shift)
            if cumulative >= target { break }
            draw += 1
        }
        return (moment / total, min(draw, end - 1))
    }
}
