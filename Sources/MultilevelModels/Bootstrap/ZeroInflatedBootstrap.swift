import Foundation
import MultilevelData
import MultilevelMath

/// The parametric bootstrap of a zero-inflated Laplace fit (`ZeroInflatedMixedModel`), bootMer's
/// scheme for glmmTMB: each replicate draws new group-level effects b* = Λθ̂ u*, u* ~ N(0, I) (so
/// b* ~ N(0, Σ̂)), then per row a structural zero with probability π̂ = logistic(ζ̂) and otherwise a
/// count from the Poisson (or NB2 with shape φ̂, as a gamma–Poisson mixture) of mean
/// exp(Xβ̂ + Zb* + offset); it refits y* by the same Laplace fit and records every `b_`, `sd_`/`cor_`,
/// `zi` and `shape` of `namedEstimates`. Replicate r draws from `replicateRandomStream(seed:replicate:)`
/// and writes its own row, so the result is the same for a seed on any number of threads; the
/// intervals are `BootstrapResult.summaries` (percentile, basic, normal).
public struct ZeroInflatedBootstrap {
    public let model: ZeroInflatedMixedModel
    public let fit: ZeroInflatedMixedModelFit
    public let family: Family

    public init(model: ZeroInflatedMixedModel, fit: ZeroInflatedMixedModelFit, family: Family) {
        self.model = model
        self.fit = fit
        self.family = family
    }

    /// Writes one simulated response into `response` (length n): u* ~ N(0, I) for every group-level
    /// effect, then per row a structural zero with probability `probability`, else a Poisson count
    /// of mean exp(η*) — for NB2 (`shape` φ) a Poisson of a Gamma(φ, rate φ / exp(η*)) mean.
    static func simulate(into response: inout [Double], fixedPart: [Double], loadings: [[(index: Int, value: Double)]],
                         effectCount: Int, probability: Double, shape: Double?, using generator: inout Xoshiro256PlusPlus) {
        var u = [Double](repeating: 0, count: effectCount)
        for i in 0..<effectCount { u[i] = generator.nextNormal() }
        for r in 0..<fixedPart.count {
            var eta = fixedPart[r]
            for (index, value) in loadings[r] { eta += value * u[index] }
            var mean = exp(eta)
            if generator.nextUniform() < probability {
                response[r] = 0
                continue
            }
            if let shape { mean = generator.nextGamma(shape: shape, rate: shape / mean) }
            response[r] = Double(generator.nextPoisson(mean: mean))
        }
    }

    /// Runs `replicates` parametric replicates under `seed` on `threads` threads (all processors
    /// when nil); `progress` is called with the number of finished replicates, serialised.
    public func run(replicates: Int, seed: UInt64, threads: Int? = nil,
                    progress: ((Int) -> Void)? = nil) throws -> BootstrapResult {
        let original = fit.namedEstimates
        let design = model.design
        let n = design.rowCount
        let fixedPart = zip(design.fixedEffects.multiplied(by: fit.fixedEffects), design.offset ?? [Double](repeating: 0, count: n))
            .map { $0 + $1 }
        let loadings = model.loadings(theta: fit.theta)
        let effectCount = model.layout.fittingTerms.reduce(0) { $0 + $1.columnCount * $1.grouping.levelCount }
        let family = self.family
        let probability = fit.zeroInflationProbability
        let shape = fit.shape
        return try runNamedRefitReplicates(names: original.map(\.name), estimates: original.map(\.estimate),
                                           replicates: replicates, seed: seed, threads: threads, progress: progress) { generator in
            var replicate = design
            Self.simulate(into: &replicate.response, fixedPart: fixedPart, loadings: loadings, effectCount: effectCount,
                          probability: probability, shape: shape, using: &generator)
            let refit = try ZeroInflatedMixedModel(design: replicate, family: family).fit()
            return (refit.namedEstimates, refit.evaluations)
        }
    }
}
