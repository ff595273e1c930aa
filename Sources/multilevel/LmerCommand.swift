import Foundation
import Multilevel

/// `multilevel lmer`: Fit a linear mixed model by REML/ML as lme4 does, or the complete- and
/// no-pooling extremes (`lm`).
struct LmerCommand: Command {
    let name = "lmer"
    let summary = "Fit a linear (or generalised) mixed model by REML/ML or Laplace, as lme4 does."
    let usage = "[MODEL] [options]"
    let discussion = """
    Fits the model by REML (lme4's default) or ML (--ml) and prints lme4's summary: the criterion, \
    scaled residuals, random effects (Variance / Std.Dev. / Corr), fixed effects (Estimate / Std. Error / \
    t value) and their correlations. --pooling complete fits lm(y ~ x) on the fixed effects alone; \
    --pooling none fits one line per level of the first grouping factor (lm(y ~ x * g - 1)). \
    --confint profile gives lme4's profile-likelihood intervals for every parameter, --confint wald \
    Wald intervals for the fixed effects.
    """
    var options: [OptionSpec] { [
        .flag("ml", "Maximum likelihood instead of REML."),
        .option("pooling", "KIND", "partial (the mixed model, default), complete (OLS) or none (one line per group)."),
        .option("confint", "KIND", "Intervals: wald or profile."),
        .flag("ranef", "Also print conditional modes with conditional SDs."),
        .flag("json", "Print one JSON object instead of the text summary."),
    ] + ModelOptions.specs }

    func run(_ arguments: ParsedArguments) throws -> Int32 {
        let loaded = try loadModel(arguments, allowingOffset: true)
        let dataName = (try? loaded.specification.resolvedDataURL().deletingPathExtension().lastPathComponent) ?? "data"
        let (output, notices) = try Self.report(design: loaded.design, dataName: dataName, family: loaded.family,
                                                arguments: arguments)
        for notice in notices { writeStandardError(notice + "\n") }
        writeStandardOutput(output)
        return 0
    }

    /// The output of `lmer` for a design: the text or JSON for stdout and the notices for stderr.
    static func report(design: ModelDesign, dataName: String, family: String, arguments: ParsedArguments) throws
        -> (output: String, notices: [String]) {
        if family != "gaussian" { return try laplaceReport(design: design, dataName: dataName, family: family, arguments: arguments) }
        let pooling = arguments.value("pooling") ?? "partial"
        guard ["partial", "complete", "none"].contains(pooling) else {
            throw UsageError("--pooling must be partial, complete or none, not '\(pooling)'")
        }
        let confint = arguments.value("confint")
        if let confint, !["wald", "profile"].contains(confint) {
            throw UsageError("--confint must be wald or profile, not '\(confint)'")
        }
        if design.offset != nil, pooling != "partial" || confint == "profile" {
            throw UnsupportedTermError(description: "offset() is supported by the mixed-model fit with Wald intervals; not with --pooling \(pooling) or --confint profile")
        }
        let json = arguments.has("json")
        let fixedPart = design.fixedEffectNames.filter { $0 != "(Intercept)" }
        let lmFormula = design.responseName + " ~ " + (fixedPart.isEmpty ? "1" : fixedPart.joined(separator: " + "))
            + (design.hasIntercept || fixedPart.isEmpty ? "" : " - 1")
        switch pooling {
        case "complete":
            let fit = try completePoolingFit(design)
            return (json ? LmerJSON.completePooling(fit, formula: lmFormula).serialized() + "\n"
                         : LmerSummary.completePoolingText(fit, formula: lmFormula), [])
        case "none":
            let fit = try noPoolingFit(design)
            return (json ? LmerJSON.noPooling(fit, formula: lmFormula).serialized() + "\n"
                         : LmerSummary.noPoolingText(fit, formula: lmFormula), [])
        default:
            break
        }
        let model = try LinearMixedModel(design: design)
        var notices: [String] = []
        if !model.aliasedColumns.isEmpty {
            notices.append("fixed-effect model matrix is rank deficient so dropping \(model.aliasedColumns.count) column(s) / coefficient(s): \(model.aliasedColumns.joined(separator: ", "))")
        }
        let fit = try model.fit(method: arguments.has("ml") ? .ml : .reml,
                                options: .init(conditionalVariances: json || arguments.has("ranef")))
        notices += fit.warnings
        var parameters = frequentistParameters(fit)
        switch confint {
        case "wald": parameters = waldIntervals(fit)
        case "profile": parameters = try ProfileLikelihood(model: model).intervals(for: parameters)
        default: break
        }
        if json {
            return (LmerJSON.object(fit, parameters: parameters, intervalMethod: confint).serialized() + "\n", notices)
        }
        var text = LmerSummary.text(fit, dataName: dataName)
        if let confint {
            text += "\n" + LmerSummary.intervalsText(parameters, title: confint == "profile"
                ? "Profile-likelihood confidence intervals (computed on the ML fit, as lme4's confint)"
                : "Wald confidence intervals")
        }
        if arguments.has("ranef") { text += "\n" + LmerSummary.conditionalModesText(fit) }
        return (text, notices)
    }

    /// Non-gaussian families: the Laplace (glmer) fit, glmer's summary or JSON.
    static func laplaceReport(design: ModelDesign, dataName: String, family: String, arguments: ParsedArguments) throws
        -> (output: String, notices: [String]) {
        for option in ["pooling", "confint", "ml"] where arguments.has(option) || arguments.value(option) != nil {
            throw UsageError("--\(option) is not available for family '\(family)' (Laplace fit)")
        }
        let model = try GeneralizedLinearMixedModel(design: design, family: Family(name: family))
        let fit = try model.fit()
        var notices = fit.warnings
        if !model.aliasedColumns.isEmpty {
            notices.insert("fixed-effect model matrix is rank deficient so dropping \(model.aliasedColumns.count) column(s) / coefficient(s): \(model.aliasedColumns.joined(separator: ", "))", at: 0)
        }
        if arguments.has("json") { return (GlmerSummary.json(fit, family: family).serialized() + "\n", notices) }
        return (GlmerSummary.text(fit, dataName: dataName), notices)
    }
}
