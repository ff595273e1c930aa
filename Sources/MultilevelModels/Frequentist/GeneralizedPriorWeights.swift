import Foundation
import MultilevelData

/// lme4's prior weights for `glmer(…, weights = w)` (R's `glm` conventions, `binomial()$initialize`
/// and `poisson()$aic`):
/// - binomial (and bernoulli): the response is a proportion yᵢ ∈ [0, 1] and wᵢ its number of
///   trials, so the row is yᵢwᵢ successes out of wᵢ — the same likelihood as
///   `cbind(y * w, w - y * w)`; the design is rewritten to that form;
/// - poisson: each row's log-likelihood, unit deviance and working weight are multiplied by wᵢ
///   (`GeneralizedLinearResponse.priorWeights`).
public enum GeneralizedPriorWeights {
    /// The design the Laplace fit uses with prior weights `weights` (one positive value per used
    /// row), and the weights the Poisson response keeps (nil for binomial, whose weights became
    /// trials). `file` names the data file in messages (`file:line: …`, lines from `design.sourceLines`).
    public static func apply(to design: ModelDesign, family: Family, weights: [Double],
                             file: String) throws -> (design: ModelDesign, responseWeights: [Double]?) {
        precondition(weights.count == design.rowCount, "one weight per row")
        switch family {
        case .binomial, .bernoulli:
            guard design.trials == nil else {
                throw MixedModelError("weights with a binomial response give the numbers of trials of a proportion response (lme4's glmer(y ~ …, weights = n)); with \(design.responseLevels == nil ? "trials() or cbind()" : "a factor response") the trials are already given")
            }
            guard design.responseLevels == nil else {
                throw MixedModelError("weights with a binomial response give the numbers of trials of a numeric proportion response; '\(design.responseName)' is a factor")
            }
            var result = design
            var successes = [Double](repeating: 0, count: design.rowCount)
            for i in 0..<design.rowCount {
                let y = design.response[i], w = weights[i]
                guard y >= 0, y <= 1 else {
                    throw MixedModelError("\(file):\(design.sourceLines[i]): '\(design.responseName)' = \(y) is not a proportion in [0, 1] (with weights, a binomial response is the proportion of successes out of the weight's trials)")
                }
                let count = y * w
                guard abs(count - count.rounded()) <= 1e-7 * Swift.max(1, w) else {
                    throw MixedModelError("\(file):\(design.sourceLines[i]): \(y) × weight \(w) = \(count) successes is not a whole number")
                }
                successes[i] = count.rounded()
            }
            result.response = successes
            result.trials = weights
            return (result, nil)
        case .poisson:
            return (design, weights)
        default:
            throw MixedModelError("prior weights in the Laplace fit are for the binomial, bernoulli and poisson families, not '\(family.name)'")
        }
    }
}
