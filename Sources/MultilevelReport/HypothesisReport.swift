import Foundation
import MultilevelData
import MultilevelModels
import MultilevelSampling

/// brms' printout of `hypothesis(fit, …)`: one row per hypothesis with Estimate, Est.Error, the
/// interval, Evid.Ratio, Post.Prob and the star, and brms' explanatory footer.
public func hypothesisText(_ hypotheses: [Hypothesis]) -> String {
    let header = ["Hypothesis", "Estimate", "Est.Error", "CI.Lower", "CI.Upper", "Evid.Ratio", "Post.Prob", "Star"]
    let rows: [(String, [String])] = hypotheses.enumerated().map { k, h in
        (String(k + 1), [h.text, fixed2(h.estimate), fixed2(h.error), fixed2(h.lower), fixed2(h.upper),
                         h.evidenceRatio.map { $0.isInfinite ? "Inf" : fixed2($0) } ?? "NA",
                         h.posteriorProbability.map(fixed2) ?? "NA", h.star ? "*" : ""])
    }
    let alpha = hypotheses.first?.alpha ?? 0.05
    let oneSided = RCollation.label(of: 100 * (1 - 2 * alpha)), twoSided = RCollation.label(of: 100 * (1 - alpha))
    return "Hypothesis Tests for class b:\n" + alignedTable(header: header, rows: rows) + "---\n"
        + "'CI': \(oneSided)%-CI for one-sided and \(twoSided)%-CI for two-sided hypotheses.\n"
        + "'*': For one-sided hypotheses, the posterior probability exceeds \(twoSided)%;\n"
        + "for two-sided hypotheses, the value tested against lies outside the \(twoSided)%-CI.\n"
        + "Posterior probabilities of point hypotheses assume equal prior probabilities.\n"
}

/// The hypotheses as JSON, brms' column names.
public func hypothesisJSON(_ hypotheses: [Hypothesis]) -> JSONValue {
    .array(hypotheses.map { h in
        .object([("Hypothesis", .string(h.text)), ("Estimate", .number(h.estimate)), ("Est.Error", .number(h.error)),
                 ("CI.Lower", .number(h.lower)), ("CI.Upper", .number(h.upper)),
                 ("Evid.Ratio", .optionalNumber(h.evidenceRatio.flatMap { $0.isFinite ? $0 : nil })),
                 ("Post.Prob", .optionalNumber(h.posteriorProbability)), ("Star", .string(h.star ? "*" : ""))])
    })
}

/// brms' `bayes_R2` summary of R² draws: Estimate (mean), Est.Error (sd), Q2.5, Q97.5.
public struct BayesR2Summary: Sendable {
    public var estimate: Double
    public var error: Double
    public var lower: Double
    public var upper: Double

    public init(draws: [Double]) {
        let summary = PredictionSummary(draws: draws, probabilities: [0.025, 0.975])
        estimate = summary.mean
        error = summary.sd
        lower = summary.quantiles[0]
        upper = summary.quantiles[1]
    }

    /// brms' printout: `   Estimate Est.Error   Q2.5  Q97.5` / `R2 …` (four decimals).
    public var text: String {
        alignedTable(header: ["Estimate", "Est.Error", "Q2.5", "Q97.5"],
                     rows: [("R2", [estimate, error, lower, upper].map { String(format: "%.4f", $0) })])
    }

    public var json: JSONValue {
        .object([("Estimate", .number(estimate)), ("Est.Error", .number(error)), ("Q2.5", .number(lower)), ("Q97.5", .number(upper))])
    }
}
