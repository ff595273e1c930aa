import Foundation
import Multilevel

/// The families `lmer` fits by maximum likelihood and their routing: gaussian (lmer), bernoulli,
/// binomial and poisson (glmer, Laplace or --nagq), negbinomial (glmer.nb), zero_inflated_poisson
/// and zero_inflated_negbinomial (glmmTMB with ziformula = ~1).
enum FrequentistFamilies {
    static let fitted: [Family] = [.bernoulli, .binomial, .poisson, .negativeBinomial, .zeroInflatedPoisson, .zeroInflatedNegativeBinomial]

    /// Whether `lmer` fits `family`: one of `fitted` with its default link, or bernoulli, binomial
    /// (logit, probit, cloglog, cauchit) or poisson (log, identity, sqrt) with a link glmer takes.
    static func fits(_ family: Family) -> Bool {
        if fitted.contains(family) { return true }
        switch family.kind {
        case .bernoulli, .binomial: return GeneralizedLinearResponse.links(of: .binomial).contains(family.link)
        case .poisson: return GeneralizedLinearResponse.links(of: .poisson).contains(family.link)
        default: return false
        }
    }

    static func refusal(_ family: String) -> String {
        "lmer fits families gaussian, bernoulli and binomial (links logit, probit, cloglog, cauchit), poisson (links log, identity, sqrt), negbinomial (as glmer.nb), zero_inflated_poisson and zero_inflated_negbinomial (as glmmTMB with ziformula = ~1); family '\(family)' has no frequentist fit here (use 'multilevel fit' for its Bayesian fit)"
    }

    /// --nagq N: 1 to 100, more than 1 only for bernoulli, binomial and poisson.
    static func quadraturePoints(_ value: String?, family: Family) throws -> Int {
        guard let value else { return 1 }
        guard let points = Int(value), (1...100).contains(points) else {
            throw UsageError("--nagq must be a whole number of quadrature points from 1 (Laplace) to 100, not '\(value)'")
        }
        if points > 1, ![.bernoulli, .binomial, .poisson].contains(family.kind) {
            throw UsageError("--nagq \(points): adaptive Gauss-Hermite quadrature is available for families bernoulli, binomial and poisson, not \(family.rawValue)")
        }
        return points
    }

    /// A refit of a reduced design for drop1 (glmer.nb refits θ too).
    static func refit(_ design: ModelDesign, family: Family, quadraturePoints: Int) throws -> GeneralizedLinearMixedModelFit {
        if family == .negativeBinomial { return try NegativeBinomialMixedModel(design: design).fit(conditionalVariances: false).fit }
        var model = try GeneralizedLinearMixedModel(design: design, family: family)
        model.quadraturePoints = quadraturePoints
        return try model.fit(conditionalVariances: false)
    }

    /// The zero-inflated fit's summary or JSON (no intervals, drop1 or ratios yet).
    static func zeroInflatedReport(design: ModelDesign, dataName: String, family: Family, arguments: ParsedArguments) throws
        -> (output: String, notices: [String], converged: Bool) {
        for option in ["confint", "drop1", "exponentiate", "ranef"] where arguments.has(option) || arguments.value(option) != nil {
            throw UsageError("--\(option) is not available for family '\(family.rawValue)' (zero-inflated Laplace fit)")
        }
        let model = try ZeroInflatedMixedModel(design: design, family: family)
        let fit = try model.fit()
        var notices = fit.warnings
        if !model.aliasedColumns.isEmpty {
            notices.insert("fixed-effect model matrix is rank deficient so dropping \(model.aliasedColumns.count) column(s) / coefficient(s): \(model.aliasedColumns.joined(separator: ", "))", at: 0)
        }
        let output = arguments.has("json")
            ? ZeroInflatedSummary.json(fit, family: family.rawValue).serialized() + "\n"
            : ZeroInflatedSummary.text(fit, dataName: dataName)
        return (output, notices, fit.converged)
    }
}
