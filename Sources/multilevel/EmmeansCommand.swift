import Foundation
import Multilevel

/// `multilevel emmeans FIT --specs f [--by g] [--pairwise] [--adjust …] [--df …]`: emmeans'
/// estimated marginal means and pairwise contrasts of an lmer or Bayesian fit.
struct EmmeansCommand: Command {
    let name = "emmeans"
    let summary = "Estimated marginal means and pairwise contrasts (emmeans) of an lmer or Bayesian fit."
    let usage = "FIT --specs F[,F2] [--by G] [--pairwise] [options]"
    let discussion = """
    FIT is a fit directory (fit --output DIR, lmer --output DIR) or a model file, fitted first.
    The reference grid crosses the levels of every population-level factor, with numeric
    predictors at their mean; the mean of each level of the --specs factors (within each level of
    the --by factors) averages the grid's predictions over the other factors with equal weights,
    as emmeans(fit, ~ F | G) does. lmer fits: estimate, SE, df, 95% confidence limits, t ratio and
    p-value, with Kenward-Roger df and SE (emmeans' default for lmer), Satterthwaite's or
    asymptotic ones (--df). --pairwise adds every difference of two means within a --by level
    (pairs()), adjusted for the family (--adjust tukey, the default: studentized range; holm:
    Holm's p-values and Bonferroni limits; none). Bayesian fits: the posterior median and 95% HPD
    interval of the same linear functions of the population-level coefficients, on the linear
    predictor scale, as emmeans on a brmsfit.
    """
    var options: [OptionSpec] {
        [
            .option("specs", "F", "The factor(s) whose means are wanted; several joined by ',' (recipe,temperature)."),
            .option("by", "G", "Factor(s) to condition on: one table of means (and contrasts) per level."),
            .flag("pairwise", "Add the pairwise contrasts of the means (emmeans' pairs())."),
            .option("adjust", "METHOD", "Multiplicity adjustment of the contrasts: tukey (default), holm or none."),
            .option("df", "METHOD", "lmer fits: kenward-roger (default), satterthwaite or asymptotic."),
            .flag("json", "Print one JSON object instead of the tables."),
        ] + FitInputOptions.specs
    }

    func run(_ arguments: ParsedArguments) throws -> Int32 {
        func names(_ option: String) -> [String] {
            (arguments.value(option) ?? "").split(whereSeparator: { ",:*".contains($0) })
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        let specs = names("specs"), by = names("by")
        guard !specs.isEmpty else { throw UsageError("missing --specs F (a factor of the model, e.g. --specs recipe)") }
        let adjustText = arguments.value("adjust") ?? "tukey"
        guard let adjustment = EstimatedMarginalMeans.Adjustment(rawValue: adjustText) else {
            throw UsageError("option --adjust: expected tukey, holm or none, got '\(adjustText)'")
        }
        let dfText = arguments.value("df") ?? "kenward-roger"
        guard let method = EstimatedMarginalMeans.DegreesOfFreedomMethod(rawValue: dfText) else {
            throw UsageError("option --df: expected kenward-roger, satterthwaite or asymptotic, got '\(dfText)'")
        }
        let fitted = try loadFittedModel(arguments, command: name)
        if fitted.kind == .bayesian {
            for option in ["df", "adjust"] where arguments.value(option) != nil {
                throw UsageError("option --\(option) applies to lmer fits; a Bayesian fit's contrasts are posterior summaries")
            }
        }
        let result = try fitted.estimatedMarginalMeans(specs: specs, by: by, pairwise: arguments.has("pairwise"),
                                                       adjustment: adjustment, degreesOfFreedom: method)
        writeStandardOutput(arguments.has("json") ? EmmeansReport.json(result) + "\n" : EmmeansReport.text(result))
        return 0
    }
}
