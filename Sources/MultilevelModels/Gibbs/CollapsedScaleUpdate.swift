#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelData
import MultilevelMath

/// The partially collapsed Gibbs step of the one-column terms' standard deviations (issue 21,
/// point 4): term t's log sd_t is drawn from
///
///     p(log sd_t | β, σ, Σ_{−t}, y) ∝ p(y | β, σ, Σ) p(sd_t) sd_t,
///
/// with the group-level effects of every term (and the half-t prior's auxiliary variable)
/// integrated out — `CollapsedGaussianPosterior` at the chain's current β, σ and other scales —
/// by a univariate slice sampler with stepping out and shrinkage (Neal 2003, "Slice sampling",
/// Annals of Statistics 31, §4, figures 3 and 5; width 1 on the log scale, at most 32 steps out,
/// split at random between the two sides as there, so the update is reversible).
/// Given the effects, sd_t of a term whose variance is near zero beside the residual variance is
/// tied to them (its conditional IG has L/2 more shape than the prior and the effects shrink with
/// it), so the plain update crawls; with them integrated out it moves in one step.
///
/// Validity (van Dyk & Park 2008, "Partially collapsed Gibbs samplers", JASA 103, §3): the step
/// samples (sd_t, u) from p(sd_t, u | β, σ, Σ_{−t}, y) by composition, u | sd_t being left out
/// because the next step of `GibbsSampler` draws (β, u) jointly from their full conditional before
/// anything conditions on u; the auxiliary variable of sd_t's half-t mixture is then redrawn given
/// sd_t (`GroupCovarianceUpdate.setVariance`), which completes its block. Each step leaves the
/// posterior invariant, so the sampler is still a valid Gibbs-type sampler.
struct CollapsedScaleUpdate {
    var posterior: CollapsedGaussianPosterior
    /// The updated terms (design order) and the index of each one's log sd in the reduced vector.
    let terms: [Int]
    let reducedIndex: [Int]
    /// The reduced vector (the joint position without the effects) and gradient scratch.
    var reduced: [Double]
    var gradient: [Double]

    /// The slice width on the log-sd scale and the most steps out (m of Neal's figure 3).
    static let width = 1.0
    static let maxStepsOut = 32

    /// The update of `design`'s one-column terms whose sd has its brms prior (no covariance prior),
    /// or nil when there is none or the collapsed posterior cannot be built.
    init?(design: ModelDesign, priors: PosteriorPriors, covariancePriors: CovariancePriors) {
        let layout = ParameterLayout(design: design, family: .gaussian)
        let eligible = layout.terms.indices.filter { t in
            layout.terms[t].columnCount == 1 && covariancePriors.terms[t] == nil && priors.covariance[t] == nil
        }
        guard !eligible.isEmpty else { return nil }
        var marginalPriors = priors
        marginalPriors.covariance = priors.covariance.map { _ in nil }    // scales of other terms stay fixed
        guard let posterior = try? CollapsedGaussianPosterior(design: design, priors: marginalPriors) else { return nil }
        var reducedOf = [Int](repeating: -1, count: layout.dimension)
        for (i, j) in posterior.jointIndex.enumerated() { reducedOf[j] = i }
        self.posterior = posterior
        terms = eligible
        reducedIndex = eligible.map { reducedOf[layout.terms[$0].sdOffset] }
        reduced = [Double](repeating: 0, count: posterior.dimension)
        gradient = reduced
    }

    /// Draws each term's log sd in turn (`terms` order) given `position` (the chain's state in the
    /// joint layout); the draws are then at `logSD(k)`.
    mutating func draw(position: [Double], rng: inout Xoshiro256PlusPlus) {
        for (i, j) in posterior.jointIndex.enumerated() { reduced[i] = position[j] }
        for index in reducedIndex { reduced[index] = slice(index: index, rng: &rng) }
    }

    /// The current log sd of the k-th updated term.
    func logSD(_ k: Int) -> Double { reduced[reducedIndex[k]] }

    /// log p at `reduced` with coordinate `index` set to `value` (−∞ where it is not finite).
    private mutating func logDensity(index: Int, value: Double) -> Double {
        reduced[index] = value
        let result = reduced.withUnsafeBufferPointer { x in
            gradient.withUnsafeMutableBufferPointer { g in posterior.logDensity(at: x, gradient: g) }
        }
        return result.isFinite ? result : -.infinity
    }

    /// One slice-sampling update of coordinate `index` (stepping out, then shrinkage).
    private mutating func slice(index: Int, rng: inout Xoshiro256PlusPlus) -> Double {
        let current = reduced[index]
        let level = logDensity(index: index, value: current) + log(rng.nextUniform(0, 1))
        var left = current - Self.width * rng.nextUniform(0, 1)
        var right = left + Self.width
        var leftSteps = Int(Double(Self.maxStepsOut) * rng.nextUniform(0, 1))
        var rightSteps = Self.maxStepsOut - 1 - leftSteps
        while leftSteps > 0 && logDensity(index: index, value: left) > level {
            left -= Self.width
            leftSteps -= 1
        }
        while rightSteps > 0 && logDensity(index: index, value: right) > level {
            right += Self.width
            rightSteps -= 1
        }
        while true {
            let proposal = rng.nextUniform(left, right)
            if logDensity(index: index, value: proposal) > level { return proposal }
            if proposal < current { left = proposal } else { right = proposal }
            if right - left < 1e-12 { return current }
        }
    }
}
