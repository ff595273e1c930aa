import Foundation
import MultilevelMath
import MultilevelSampling
import XCTest

/// An eight-schools-like hierarchical model in non-centred form with J groups:
/// μ ~ N(0, 5²), τ ~ N⁺(0, 5²), ηⱼ ~ N(0, 1), yⱼ ~ N(μ + τ ηⱼ, σⱼ²) with known σⱼ.
/// Unconstrained parameters (μ, log τ, η₁, …, η_J); the log-Jacobian of τ = e^{log τ} is log τ.
struct EightSchoolsNonCentred: LogDensity {
    var standardErrors: [Double]
    var observations: [Double]
    var dimension: Int { standardErrors.count + 2 }

    mutating func logDensity(at position: UnsafeBufferPointer<Double>,
                             gradient: UnsafeMutableBufferPointer<Double>) -> Double {
        let mu = position[0], logTau = position[1], tau = exp(logTau)
        var value = -mu * mu / 50 - tau * tau / 50 + logTau
        var dMu = -mu / 25
        var dTau = -tau / 25
        for j in 0..<standardErrors.count {
            let eta = position[2 + j]
            let s2 = standardErrors[j] * standardErrors[j]
            let residual = observations[j] - (mu + tau * eta)
            value -= 0.5 * eta * eta + 0.5 * residual * residual / s2
            let r = residual / s2
            dMu += r
            dTau += r * eta
            gradient[2 + j] = -eta + r * tau
        }
        gradient[0] = dMu
        gradient[1] = tau * dTau + 1
        return value
    }
}

/// Simulation-based calibration (Talts, Betancourt, Simpson, Vehtari & Gelman 2018): draw
/// (μ, τ, η) from the prior, simulate y, run one NUTS chain (300 warm-up + 495 draws, thinned by 5
/// to L = 99 nearly independent draws) and record the rank of each true value among the draws
/// (0…99). With a correct sampler the ranks are uniform; 1000 replications, ranks pooled into 10
/// bins of 10 (100 expected per bin), χ² with 9 degrees of freedom must stay below 36.42 for each
/// of μ, log τ and η₁: the 1 − 10⁻⁴/3 quantile, so the three checks together fail spuriously with
/// probability ≤ 10⁻⁴ (Bonferroni; 27.88, p = 0.001 each, made that 0.3%, and every change of the
/// NUTS warm-up or of the CPU's libm redraws the histograms). Expected χ² of a wrong sampler
/// (1000 replications): 48 with every posterior shifted by 0.2 posterior sd, 97 by 0.3; 82 with
/// posterior sds 20% too small (25 and 19 for 10% and a 0.1-sd shift, which this size cannot see).
/// Runs in about a second in release.
final class SBCTests: XCTestCase {
    func testRanksAreUniformOnNonCentredHierarchicalModel() throws {
        let result = try SBCTests.rankChiSquares(truthSeed: 2018)
        for (name, chiSquare) in zip(["mu", "log tau", "eta1"], result.chiSquares) {
            XCTAssertLessThan(chiSquare, 36.42, "\(name): rank histogram \(result.histograms)")
        }
        XCTAssertLessThan(result.divergenceRate, 0.01, "divergent transitions")
    }

    /// Runs the SBC replications; returns the χ² statistic (9 degrees of freedom) of the rank
    /// histogram of μ, log τ and η₁, the histograms, and the fraction of divergent transitions.
    static func rankChiSquares(truthSeed: UInt64, replications: Int = 1000) throws
        -> (chiSquares: [Double], histograms: [[Int]], divergenceRate: Double) {
        let thin = 5, draws = 99
        let standardErrors: [Double] = [15, 10, 16, 11, 9]
        let settings = SamplerSettings(iterations: 300 + thin * draws, warmup: 300, chains: 1, seed: 7,
                                       parallel: false)
        var truthRNG = Xoshiro256PlusPlus(seed: truthSeed)
        let tracked = [0, 1, 2]             // μ, log τ, η₁
        var ranks = [[Int]](repeating: [], count: tracked.count)
        var divergences = 0

        for replication in 0..<replications {
            let mu = 5 * truthRNG.nextNormal()
            let tau = abs(5 * truthRNG.nextNormal())
            let eta = standardErrors.map { _ in truthRNG.nextNormal() }
            let y = zip(standardErrors, eta).map { s, e in mu + tau * e + s * truthRNG.nextNormal() }
            let truth = [mu, log(tau), eta[0]]

            var runSettings = settings
            runSettings.seed = truthSeed &* 100_003 &+ UInt64(replication)
            let (result, summaries) = try NUTSSampler.sample(
                EightSchoolsNonCentred(standardErrors: standardErrors, observations: y), settings: runSettings)
            divergences += summaries[0].divergences
            for (k, parameter) in tracked.enumerated() {
                let chain = result.values(of: "theta[\(parameter + 1)]")![0]
                var rank = 0
                for i in stride(from: thin - 1, to: chain.count, by: thin) where chain[i] < truth[k] { rank += 1 }
                ranks[k].append(rank)
            }
        }

        let bins = 10
        var chiSquares: [Double] = [], histograms: [[Int]] = []
        for k in tracked.indices {
            var counts = [Int](repeating: 0, count: bins)
            for rank in ranks[k] { counts[min(rank * bins / (draws + 1), bins - 1)] += 1 }
            let expected = Double(replications) / Double(bins)
            chiSquares.append(counts.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected })
            histograms.append(counts)
        }
        return (chiSquares, histograms, Double(divergences) / Double(replications * thin * draws))
    }
}
