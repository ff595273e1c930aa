import Foundation
import MultilevelMath

/// Exact random variates of the response distributions, for posterior predictive draws. Minimal
/// versions kept here until MultilevelMath has its own generators (issue 6 note for the lead):
/// gamma by Marsaglia & Tsang (2000), Poisson by multiplication of uniforms (λ < 30) or by
/// Poisson–gamma splitting (Knuth, TAOCP 2 §3.4.1), binomial by inversion (small n·p) or by
/// beta splitting through the order statistics of uniforms (Knuth §3.4.1, Ahrens–Dieter), negative
/// binomial as a gamma mixture of Poissons, Student-t as normal over √(χ²ᵥ/ν).
extension Xoshiro256PlusPlus {
    /// Gamma(shape α, scale 1).
    mutating func nextGammaVariate(shape: Double) -> Double {
        if shape < 1 {
            // Boost: Gamma(α) = Gamma(α + 1) · U^{1/α}.
            let u = nextUniform()
            return nextGammaVariate(shape: shape + 1) * pow(u, 1 / shape)
        }
        let d = shape - 1.0 / 3.0
        let c = 1 / (9 * d).squareRoot()
        while true {
            var x = 0.0, v = 0.0
            repeat {
                x = nextNormal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = nextUniform()
            if u < 1 - 0.0331 * x * x * x * x { return d * v }
            if log(u) < 0.5 * x * x + d * (1 - v + log(v)) { return d * v }
        }
    }

    /// Poisson(λ).
    mutating func nextPoissonVariate(mean lambda: Double) -> Double {
        guard lambda > 0, lambda.isFinite else { return lambda == 0 ? 0 : .nan }
        var count = 0.0
        var remaining = lambda
        // Split off large means: with m = ⌊7λ/8⌋, X = Gamma(m); if X < λ the first m arrivals
        // happened, else the count is Binomial(m − 1, λ/X).
        while remaining >= 30 {
            let m = (remaining * 7 / 8).rounded(.down)
            let x = nextGammaVariate(shape: m)
            if x < remaining {
                count += m
                remaining -= x
            } else {
                return count + nextBinomialVariate(trials: m - 1, probability: remaining / x)
            }
        }
        let limit = exp(-remaining)
        var product = nextUniform()
        while product > limit {
            count += 1
            product *= nextUniform()
        }
        return count
    }

    /// Binomial(n, p).
    mutating func nextBinomialVariate(trials n: Double, probability p: Double) -> Double {
        guard n > 0, p > 0 else { return 0 }
        if p >= 1 { return n }
        var successes = 0.0
        var trials = n, probability = p
        // Beta splitting while n is large: the a-th smallest of n uniforms is Beta(a, n + 1 − a).
        while trials > 40 && trials * Swift.min(probability, 1 - probability) > 10 {
            let a = (trials / 2).rounded(.down) + 1
            let b = trials + 1 - a
            let ga = nextGammaVariate(shape: a), gb = nextGammaVariate(shape: b)
            let x = ga / (ga + gb)
            if x >= probability {
                trials = a - 1
                probability /= x
            } else {
                successes += a
                trials = b - 1
                probability = (probability - x) / (1 - x)
            }
        }
        // Inversion (walk up the cdf) for the remainder.
        let flip = probability > 0.5
        let q = flip ? 1 - probability : probability
        let ratio = q / (1 - q)
        var mass = pow(1 - q, trials)
        var cumulative = mass
        let u = nextUniform()
        var k = 0.0
        while u > cumulative && k < trials {
            mass *= ratio * (trials - k) / (k + 1)
            k += 1
            cumulative += mass
        }
        return successes + (flip ? trials - k : k)
    }

    /// Negative binomial with mean μ and shape φ (variance μ + μ²/φ): Poisson(Gamma(φ, μ/φ)).
    mutating func nextNegativeBinomialVariate(mean mu: Double, shape phi: Double) -> Double {
        nextPoissonVariate(mean: nextGammaVariate(shape: phi) * mu / phi)
    }

    /// Student-t with ν degrees of freedom.
    mutating func nextStudentVariate(degreesOfFreedom nu: Double) -> Double {
        nextNormal() / (2 * nextGammaVariate(shape: nu / 2) / nu).squareRoot()
    }
}
