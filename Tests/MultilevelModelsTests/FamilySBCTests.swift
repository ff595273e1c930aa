import Foundation
import XCTest
import MultilevelData
import MultilevelMath
import MultilevelSampling
@testable import MultilevelModels

/// Simulation-based calibration (Talts, Betancourt, Simpson, Vehtari & Gelman 2018, "Validating
/// Bayesian inference algorithms with simulation-based calibration", arXiv:1804.06788) of joint NUTS
/// for each family issue 19 added: `y ~ x` on 40 rows (x fixed and exactly centred, so brms'
/// centred-intercept prior is the prior of b_Intercept) under proper priors given as prior
/// statements. Each replication draws the parameters from those priors, simulates y with this
/// file's own generators (independent of the families' `meanAndDraw`), runs `BayesianFit.run` (one
/// chain, 150 warm-up + 5 × 99 draws, thinned by 5 to L = 99) and records the rank of each true value
/// among the draws. With a correct density, gradient and sampler the ranks are uniform on 0…99;
/// 200 replications pooled into 10 bins (20 expected each) give χ² with 9 degrees of freedom, which
/// must stay below the 1 − 10⁻⁴/m quantile for m tracked quantities (Bonferroni: each family's test
/// fails spuriously with probability ≤ 10⁻⁴). A data set that leaves out cumulative's top category
/// is redrawn: conditioning on an event of the data keeps the ranks uniform (for every y the rank of
/// a draw of p(θ | y) is uniform), and the model's number of thresholds (brms: max(y) − 1) stays 3.
final class FamilySBCTests: XCTestCase {
    static let rows = 40
    static let replications = 200
    /// qchisq(1 − 1e-4/m, 9) for m = 1…6 (R 4.2.2).
    static let bounds = [33.71995, 35.43118, 36.424, 37.12502, 37.66694, 38.10857]
    /// x: 40 fixed values, symmetric about 0 (mean exactly 0).
    static let x: [Double] = {
        var values: [Double] = []
        for k in 1...20 {
            let v = Double(k) / 10 - 1.05
            values += [v, -v]
        }
        return values
    }()

    /// One replication's truth: the tracked values by draw name, and y.
    typealias Simulation = (truth: [String: Double], y: [Double])?

    /// Runs the calibration of `family` under `priors`; `simulate` draws the truth and y (nil to
    /// redraw).
    func calibrate(_ family: Family, priors text: String, seed: UInt64,
                   file: StaticString = #filePath, line: UInt = #line,
                   simulate: (inout Xoshiro256PlusPlus) -> Simulation) throws {
        let thin = 5, draws = 99, bins = 10
        let priors = try PriorStatement.parseAll(text)
        var rng = Xoshiro256PlusPlus(seed: seed)
        var ranks: [String: [Int]] = [:]
        var divergences = 0
        var replication = 0
        let started = Date()
        while replication < Self.replications {
            guard let (truth, y) = simulate(&rng) else { continue }
            let design = PosteriorTestData.design(formula: "y ~ x", response: "y", y: y, x: Self.x.map { [1, $0] },
                                                  names: ["(Intercept)", "x"], terms: [])
            let settings = SamplerSettings(iterations: 150 + thin * draws, warmup: 150, chains: 1,
                                           seed: seed &* 1_000 &+ UInt64(replication), parallel: false)
            let fit = try BayesianFit.run(design: design, family: family, priors: priors, settings: settings)
            divergences += fit.chainSummaries[0].divergences
            for (name, value) in truth {
                let chain = try XCTUnwrap(fit.draws.values(of: name), "\(family) \(name)", file: file, line: line)[0]
                var rank = 0
                for i in stride(from: thin - 1, to: chain.count, by: thin) where chain[i] < value { rank += 1 }
                ranks[name, default: []].append(rank)
            }
            replication += 1
        }
        let bound = Self.bounds[ranks.count - 1], expected = Double(Self.replications) / Double(bins)
        for (name, values) in ranks.sorted(by: { $0.key < $1.key }) {
            var counts = [Int](repeating: 0, count: bins)
            for rank in values { counts[min(rank * bins / (draws + 1), bins - 1)] += 1 }
            let chiSquare = counts.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
            print("SBC \(family.rawValue) \(name): χ² \(String(format: "%.1f", chiSquare)) (bound \(bound)), histogram \(counts)")
            XCTAssertLessThan(chiSquare, bound, "\(family.rawValue) \(name): rank histogram \(counts)", file: file, line: line)
        }
        let transitions = Self.replications * thin * draws
        print("SBC \(family.rawValue): \(divergences) divergent of \(transitions) transitions, \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        XCTAssertLessThan(Double(divergences) / Double(transitions), 1e-2, "\(family.rawValue): divergent transitions",
                          file: file, line: line)
    }

    // MARK: generators (Knuth's product method for the small Poisson means here)

    static func poisson(_ mean: Double, _ rng: inout Xoshiro256PlusPlus) -> Double {
        var k = 0.0, p = 1.0
        let limit = exp(-mean)
        while true { p *= rng.nextUniform(); if p <= limit { return k }; k += 1 }
    }

    static func negativeBinomial(_ mean: Double, shape: Double, _ rng: inout Xoshiro256PlusPlus) -> Double {
        poisson(mean * rng.nextGamma(shape: shape, rate: shape), &rng)
    }

    /// The common draws: Intercept ~ N(0, 0.5²) + `centre`, b ~ N(0, 0.5²); η = Intercept + b x.
    static func linearPredictor(_ rng: inout Xoshiro256PlusPlus, centre: Double)
        -> (truth: [String: Double], eta: [Double]) {
        let intercept = centre + 0.5 * rng.nextNormal(), slope = 0.5 * rng.nextNormal()
        return (["b_Intercept": intercept, "b_x": slope], x.map { intercept + slope * $0 })
    }

    static let linearPriors = "b ~ normal(0, 0.5)"

    func testExponential() throws {
        try calibrate(.exponential, priors: "Intercept ~ normal(1, 0.5); " + Self.linearPriors, seed: 41) { rng in
            let (truth, eta) = Self.linearPredictor(&rng, centre: 1)
            return (truth, eta.map { exp($0) * rng.nextExponential() })
        }
    }

    func testWeibull() throws {
        try calibrate(.weibull, priors: "Intercept ~ normal(1, 0.5); shape ~ lognormal(0.5, 0.3); " + Self.linearPriors,
                      seed: 42) { rng in
            let drawn = Self.linearPredictor(&rng, centre: 1)
            var truth = drawn.truth
            let eta = drawn.eta
            let shape = exp(0.5 + 0.3 * rng.nextNormal())
            truth["shape"] = shape
            // brms' weibull: mean e^η, scale e^η / Γ(1 + 1/k).
            return (truth, eta.map { exp($0) / tgamma(1 + 1 / shape) * pow(rng.nextExponential(), 1 / shape) })
        }
    }

    func testBeta() throws {
        try calibrate(.beta, priors: "Intercept ~ normal(0, 0.5); phi ~ lognormal(2, 0.4); " + Self.linearPriors,
                      seed: 43) { rng in
            let drawn = Self.linearPredictor(&rng, centre: 0)
            var truth = drawn.truth
            let eta = drawn.eta
            let phi = exp(2 + 0.4 * rng.nextNormal())
            truth["phi"] = phi
            let y = eta.map { e -> Double in let mu = 1 / (1 + exp(-e)); return rng.nextBeta(mu * phi, (1 - mu) * phi) }
            return y.allSatisfy({ $0 > 0 && $0 < 1 }) ? (truth, y) : nil
        }
    }

    func testSkewNormal() throws {
        try calibrate(.skewNormal, priors: "Intercept ~ normal(0, 0.5); sigma ~ lognormal(0, 0.3); alpha ~ normal(0, 2); "
                      + Self.linearPriors, seed: 44) { rng in
            let drawn = Self.linearPredictor(&rng, centre: 0)
            var truth = drawn.truth
            let eta = drawn.eta
            let sigma = exp(0.3 * rng.nextNormal()), alpha = 2 * rng.nextNormal()
            truth["sigma"] = sigma
            truth["alpha"] = alpha
            // brms' (μ = mean, σ = sd, α) → Azzalini's ξ + ω(δ|U₀| + √(1 − δ²) U₁).
            let delta = alpha / (1 + alpha * alpha).squareRoot()
            let omega = sigma / (1 - 2 / Double.pi * delta * delta).squareRoot()
            let y = eta.map { e -> Double in
                let xi = e - omega * delta * (2 / Double.pi).squareRoot()
                let u0 = rng.nextNormal(), u1 = rng.nextNormal()
                return xi + omega * (delta * abs(u0) + (1 - delta * delta).squareRoot() * u1)
            }
            return (truth, y)
        }
    }

    func testHurdleLognormal() throws {
        try calibrate(.hurdleLognormal, priors: "Intercept ~ normal(0, 0.5); sigma ~ lognormal(-0.5, 0.3); hu ~ beta(2, 4); "
                      + Self.linearPriors, seed: 45) { rng in
            let drawn = Self.linearPredictor(&rng, centre: 0)
            var truth = drawn.truth
            let eta = drawn.eta
            let sigma = exp(-0.5 + 0.3 * rng.nextNormal()), hu = rng.nextBeta(2, 4)
            truth["sigma"] = sigma
            truth["hu"] = hu
            return (truth, eta.map { rng.nextUniform() < hu ? 0 : exp($0 + sigma * rng.nextNormal()) })
        }
    }

    func testZeroInflatedPoisson() throws {
        try calibrate(.zeroInflatedPoisson, priors: "Intercept ~ normal(1, 0.5); zi ~ beta(2, 4); " + Self.linearPriors,
                      seed: 46) { rng in
            let drawn = Self.linearPredictor(&rng, centre: 1)
            var truth = drawn.truth
            let eta = drawn.eta
            let zi = rng.nextBeta(2, 4)
            truth["zi"] = zi
            return (truth, eta.map { e in let count = Self.poisson(exp(e), &rng); return rng.nextUniform() < zi ? 0 : count })
        }
    }

    func testZeroInflatedNegativeBinomial() throws {
        try calibrate(.zeroInflatedNegativeBinomial,
                      priors: "Intercept ~ normal(1, 0.5); zi ~ beta(2, 4); shape ~ lognormal(1, 0.3); " + Self.linearPriors,
                      seed: 47) { rng in
            let drawn = Self.linearPredictor(&rng, centre: 1)
            var truth = drawn.truth
            let eta = drawn.eta
            let zi = rng.nextBeta(2, 4), shape = exp(1 + 0.3 * rng.nextNormal())
            truth["zi"] = zi
            truth["shape"] = shape
            return (truth, eta.map { e in
                let count = Self.negativeBinomial(exp(e), shape: shape, &rng)
                return rng.nextUniform() < zi ? 0 : count
            })
        }
    }

    func testHurdlePoisson() throws {
        try calibrate(.hurdlePoisson, priors: "Intercept ~ normal(1, 0.5); hu ~ beta(2, 4); " + Self.linearPriors,
                      seed: 48) { rng in
            let drawn = Self.linearPredictor(&rng, centre: 1)
            var truth = drawn.truth
            let eta = drawn.eta
            let hu = rng.nextBeta(2, 4)
            truth["hu"] = hu
            return (truth, eta.map { e in
                if rng.nextUniform() < hu { return 0 }
                var count = 0.0
                while count == 0 { count = Self.poisson(exp(e), &rng) }
                return count
            })
        }
    }

    func testHurdleNegativeBinomial() throws {
        try calibrate(.hurdleNegativeBinomial,
                      priors: "Intercept ~ normal(1, 0.5); hu ~ beta(2, 4); shape ~ lognormal(1, 0.3); " + Self.linearPriors,
                      seed: 49) { rng in
            let drawn = Self.linearPredictor(&rng, centre: 1)
            var truth = drawn.truth
            let eta = drawn.eta
            let hu = rng.nextBeta(2, 4), shape = exp(1 + 0.3 * rng.nextNormal())
            truth["hu"] = hu
            truth["shape"] = shape
            return (truth, eta.map { e in
                if rng.nextUniform() < hu { return 0 }
                var count = 0.0
                while count == 0 { count = Self.negativeBinomial(exp(e), shape: shape, &rng) }
                return count
            })
        }
    }

    /// Thresholds τ₁ < τ₂ < τ₃ under brms' prior (each τ_k ~ N(0, 1.5²), restricted to the ordered
    /// set): the order statistics of three independent N(0, 1.5²) draws; P(y ≤ k) = logistic(τ_k − b x).
    func testCumulative() throws {
        try calibrate(.cumulative, priors: "Intercept ~ normal(0, 1.5); " + Self.linearPriors, seed: 50) { rng in
            let thresholds = (0..<3).map { _ in 1.5 * rng.nextNormal() }.sorted()
            let slope = 0.5 * rng.nextNormal()
            let y = Self.x.map { x -> Double in
                let u = rng.nextUniform(), latent = slope * x + log(u / (1 - u))
                return 1 + Double(thresholds.filter { latent > $0 }.count)
            }
            guard y.contains(4) else { return nil }
            return (["b_Intercept[1]": thresholds[0], "b_Intercept[3]": thresholds[2], "b_x": slope], y)
        }
    }
}
