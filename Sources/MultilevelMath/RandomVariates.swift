import Foundation

// Univariate random variates drawn from a `Xoshiro256PlusPlus` stream. Each generator is exact
// (rejection or inversion, no approximation) and deterministic given the stream state; the number
// of uniforms a draw consumes may vary (rejection), so draw in a fixed order for reproducibility.

extension Xoshiro256PlusPlus {
    /// A standard exponential draw, −log U (inversion).
    @inlinable
    public mutating func nextExponential() -> Double { -log(nextUniform()) }

    /// A Gamma(shape α, rate β) draw, mean α/β.
    ///
    /// Marsaglia & Tsang (2000), *A simple method for generating gamma variables*, ACM TOMS 26(3):
    /// d = α − ⅓, c = 1/√(9d), x ~ N(0, 1), v = (1 + cx)³, accept d·v when
    /// log U < x²/2 + d − dv + d log v (with the squeeze U < 1 − 0.0331x⁴). For α < 1 the
    /// boost G(α) = G(α + 1) · U^(1/α) (their §6).
    public mutating func nextGamma(shape: Double, rate: Double = 1) -> Double {
        guard shape > 0, rate > 0 else { return .nan }
        return exp(nextLogGamma(shape: shape)) / rate
    }

    /// log of a Gamma(α, 1) draw; for α < 1 the boost is applied on the log scale, so very small
    /// shapes (where the draw itself underflows) still give usable values (used by `nextBeta`).
    public mutating func nextLogGamma(shape: Double) -> Double {
        guard shape > 0 else { return .nan }
        if shape < 1 {
            let boosted = nextLogGamma(shape: shape + 1)
            return boosted + log(nextUniform()) / shape
        }
        let d = shape - 1.0 / 3
        let c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double
            var v: Double
            repeat {
                x = nextNormal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = nextUniform()
            let x2 = x * x
            if u < 1 - 0.0331 * x2 * x2 { return log(d) + log(v) }
            if log(u) < 0.5 * x2 + d * (1 - v + log(v)) { return log(d) + log(v) }
        }
    }

    /// A Beta(a, b) draw as G_a/(G_a + G_b) with independent gammas, formed from their logarithms
    /// so that small shapes do not produce 0/0.
    public mutating func nextBeta(_ a: Double, _ b: Double) -> Double {
        guard a > 0, b > 0 else { return .nan }
        let logX = nextLogGamma(shape: a)
        let logY = nextLogGamma(shape: b)
        return inverseLogit(logX - logY)
    }

    /// A χ²(k) draw, 2·Gamma(k/2).
    public mutating func nextChiSquared(degreesOfFreedom k: Double) -> Double {
        2 * nextGamma(shape: 0.5 * k)
    }

    /// An inverse-gamma draw with shape α and scale β (density ∝ x^(−α−1) e^(−β/x)): β / Gamma(α, 1).
    public mutating func nextInverseGamma(shape: Double, scale: Double) -> Double {
        guard shape > 0, scale > 0 else { return .nan }
        return scale * exp(-nextLogGamma(shape: shape))
    }

    /// A Student-t draw μ + σ·Z/√(χ²_ν/ν), Z ~ N(0, 1) independent of χ²_ν.
    public mutating func nextStudentT(degreesOfFreedom nu: Double, location: Double = 0, scale: Double = 1) -> Double {
        guard nu > 0, scale > 0 else { return .nan }
        let z = nextNormal()
        let logChi = log(2) + nextLogGamma(shape: 0.5 * nu)
        return location + scale * z * exp(0.5 * (log(nu) - logChi))
    }

    /// A Poisson(λ) draw, exact for every λ ≥ 0.
    ///
    /// λ < 10: inversion by sequential search from 0. λ ≥ 10: PTRS, the transformed rejection with
    /// squeeze of Hörmann (1993), *The transformed rejection method for generating Poisson random
    /// variables*, Insurance: Mathematics and Economics 12.
    /// Beyond λ = 2⁶⁰ a draw would not fit an `Int` for long: there it is λ + √λ·Z rounded (the
    /// normal limit, relative error below 10⁻⁹ in every moment that matters at that size), capped
    /// at `Int.max`, so that an overflowing mean (e^η of a wild draw) never traps.
    public mutating func nextPoisson(mean lambda: Double) -> Int {
        guard lambda > 0, lambda.isFinite else { return 0 }
        if lambda >= 0x1p60 {
            let value = (lambda + lambda.squareRoot() * nextNormal()).rounded()
            return value >= 0x1p63 ? Int.max : Int(value)
        }
        if lambda < 10 {
            while true {
                var k = 0
                var probability = exp(-lambda)
                var cumulative = probability
                let u = nextUniform()
                while u > cumulative && k < 1000 {
                    k += 1
                    probability *= lambda / Double(k)
                    cumulative += probability
                }
                if k < 1000 { return k }  // rounding left the tail mass short: redraw
            }
        }
        let sqrtLambda = lambda.squareRoot()
        let logLambda = log(lambda)
        let b = 0.931 + 2.53 * sqrtLambda
        let a = -0.059 + 0.02483 * b
        let inverseAlpha = 1.1239 + 1.1328 / (b - 3.4)
        let vR = 0.9277 - 3.6224 / (b - 2)
        while true {
            let u = nextUniform() - 0.5
            let v = nextUniform()
            let us = 0.5 - abs(u)
            let k = ((2 * a / us + b) * u + lambda + 0.43).rounded(.down)
            if us >= 0.07 && v <= vR { return Int(k) }
            if k < 0 || (us < 0.013 && v > us) { continue }
            if log(v) + log(inverseAlpha) - log(a / (us * us) + b) <= -lambda + k * logLambda - logGamma(k + 1) {
                return Int(k)
            }
        }
    }

    /// A Binomial(n, p) draw, exact.
    ///
    /// Uses the symmetry p > ½ → n − Binomial(n, 1 − p); n·p < 10: inversion by sequential search;
    /// otherwise BTRS, the transformed rejection with squeeze of Hörmann (1993), *The generation of
    /// binomial random variates*, J. Statist. Comput. Simul. 46.
    public mutating func nextBinomial(trials n: Int, probability p: Double) -> Int {
        guard n > 0, p > 0 else { return 0 }
        if p >= 1 { return n }
        if p > 0.5 { return n - nextBinomial(trials: n, probability: 1 - p) }
        let q = 1 - p
        let nd = Double(n)
        if nd * p < 10 {
            let s = p / q
            let a = Double(n + 1) * s
            let start = exp(nd * log1p(-p))
            while true {
                var r = start
                var u = nextUniform()
                var k = 0
                while u > r {
                    u -= r
                    k += 1
                    if k > n { break }
                    r *= a / Double(k) - s
                }
                if k <= n { return k }
            }
        }
        let spq = (nd * p * q).squareRoot()
        let b = 1.15 + 2.53 * spq
        let a = -0.0873 + 0.0248 * b + 0.01 * p
        let c = nd * p + 0.5
        let vR = 0.92 - 4.2 / b
        let alpha = (2.83 + 5.1 / b) * spq
        let logOdds = log(p / q)
        let mode = ((nd + 1) * p).rounded(.down)
        let h = logGamma(mode + 1) + logGamma(nd - mode + 1)
        while true {
            let u = nextUniform() - 0.5
            var v = nextUniform()
            let us = 0.5 - abs(u)
            let k = ((2 * a / us + b) * u + c).rounded(.down)
            if k < 0 || k > nd { continue }
            if us >= 0.07 && v <= vR { return Int(k) }
            v = log(v * alpha / (a / (us * us) + b))
            if v <= h - logGamma(k + 1) - logGamma(nd - k + 1) + (k - mode) * logOdds { return Int(k) }
        }
    }

    /// A negative-binomial draw with mean μ and shape φ (variance μ + μ²/φ; brms' and Stan's
    /// `neg_binomial_2(μ, φ)`), by the gamma–Poisson mixture: λ ~ Gamma(φ, rate φ/μ), Y ~ Poisson(λ).
    public mutating func nextNegativeBinomial(mean mu: Double, shape phi: Double) -> Int {
        guard mu > 0, phi > 0 else { return 0 }
        return nextPoisson(mean: nextGamma(shape: phi, rate: phi / mu))
    }
}
