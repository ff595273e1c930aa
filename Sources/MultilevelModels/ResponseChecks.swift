import Foundation
import MultilevelData

/// A response the requested family or engine cannot model (a factor where numbers are needed, a
/// constant response for a continuous family): one line naming the response and what to do.
public struct ResponseError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Family-versus-response checks shared by every engine (lmer / bootstrap refits, complete and no
/// pooling, the Bayesian posterior), run before any fitting so a mismatch is an error rather than a
/// silently different model:
/// - trials (`y | trials(n)`, `cbind(s, f)`) belong to the binomial family only; any other family
///   would fit the successes alone;
/// - a two-level factor response becomes 0/1 in the design (for bernoulli); any other family
///   needs a numeric response, otherwise `y ~ …` with `y` in {"low", "high"} would be fitted as
///   a gaussian 0/1 variable without a word;
/// - the continuous families (gaussian, student, lognormal, Gamma) need a response that varies:
///   with a constant response the residual scale has no positive estimate (lme4's criterion is
///   −∞; the posterior of σ is improper at 0).
/// - for gaussian and student responses the sums of squares must be representable: responses near
///   1e300 (squares beyond ~1.8e308) would make every criterion or log density infinite, and a
///   fit would fail with a misleading message or none at all; the user is told to rescale.
/// Then the row-by-row support checks (`Family.validate`), naming the first offending row by its
/// line in the data file (`ModelDesign.sourceLines`): binomial successes above the trials, negative
/// or non-integer counts for Poisson / negative binomial, anything but 0/1 for Bernoulli, a
/// non-integer (continuous) binomial response. A binomial response without `trials(n)` /
/// `cbind(s, f)` is accepted when it is 0/1 (glmer's binary binomial) and checked as Bernoulli.
public func checkResponse(_ design: ModelDesign, family: Family) throws {
    try checkAdditionTerms(design, family: family)
    if design.trials != nil, family.kind != .binomial {
        throw ResponseError("response '\(design.responseName)' comes with a number of trials (`| trials(n)` or `cbind(successes, failures)`), which only family binomial uses; family \(family.rawValue) would ignore them (give --family binomial, or write the response alone)")
    }
    if let levels = design.responseLevels, family.kind != .bernoulli {
        throw ResponseError("response '\(design.responseName)' is a factor (levels \(levels.map { abbreviatedForMessage($0) }.joined(separator: ", "))), not numeric; family \(family.rawValue) needs numbers"
                            + (levels.count == 2 ? " (use --family bernoulli for a two-level response)" : ""))
    }
    if let levels = design.orderedResponseLevels, family.kind != .cumulative {
        throw ResponseError("response '\(design.responseName)' is ordered (levels \(levels.map { abbreviatedForMessage($0) }.joined(separator: " < "))); only family cumulative models ordered categories (give --family cumulative, or drop 'ordered:')")
    }
    if family.kind == .cumulative {
        if !design.hasIntercept {
            throw ResponseError("family cumulative needs the formula's intercept: it becomes the thresholds b_Intercept[k] (remove `0 +` / `- 1` from '\(design.formulaText)')")
        }
        if let largest = design.response.max(), largest.isFinite, largest < 2 {
            throw ResponseError("response '\(design.responseName)' has a single category (largest rating \(formatPriorNumber(largest))): family cumulative needs ratings 1, 2, … with at least 2 categories")
        }
    }
    if family.descriptor.needsVaryingResponse {
        guard let first = design.response.first else { return }
        if design.response.allSatisfy({ $0 == first }) {
            throw ResponseError("response '\(design.responseName)' is constant (\(formatPriorNumber(first)) in all \(design.response.count) rows used): family \(family.rawValue) needs a response that varies")
        }
        let largest = design.response.reduce(0) { max($0, abs($1)) }
        if family == .gaussian || family == .student, largest.isFinite, !(largest * largest * Double(design.response.count)).isFinite {
            throw ResponseError("response '\(design.responseName)' reaches \(formatPriorNumber(largest)): its sum of squares overflows double precision; rescale it (for example divide by \(formatPriorNumber(pow(10, (log10(largest) - 2).rounded(.down)))))")
        }
        // The other end: deviations whose squares fall below the smallest normal double (1e-308)
        // make the variance 0 or subnormal, and the log-likelihood infinite (a response scaled by
        // 1e-298 gave logLik inf, AIC -inf).
        let spread = (design.response.max() ?? 0) - (design.response.min() ?? 0)
        if family == .gaussian || family == .student, spread.isFinite, spread * spread / Double(design.response.count) < 1e-290 {
            throw ResponseError("response '\(design.responseName)' varies only by \(formatPriorNumber(spread)): its squares underflow double precision; rescale it (for example multiply by \(formatPriorNumber(pow(10, (-log10(spread)).rounded(.down)))))")
        }
    }
    if family.kind == .binomial && design.trials == nil {
        do {
            try Family.bernoulli.validate(response: design.response, trials: nil, sourceLines: design.sourceLines,
                                          dataFileName: design.dataFileName)
        } catch let error as FamilyError {
            throw FamilyError(message: error.message.replacingOccurrences(of: "for family bernoulli",
                with: "for family binomial without trials(n) or cbind(successes, failures)"))
        }
        return
    }
    try family.validate(response: design.response, trials: design.trials, sourceLines: design.sourceLines,
                        dataFileName: design.dataFileName)
}
