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
    --pooling none gives each level of the first grouping factor its own coefficient for every column the \
    random effects let vary by it and one common coefficient for the rest (lm(y ~ x + g - 1) for \
    (1 | g), lm(y ~ x * g - 1) for (x | g)): the no-pooling model compare uses. \
    --confint profile gives lme4's profile-likelihood intervals for every parameter, --confint wald \
    Wald intervals for the fixed effects (gaussian, bernoulli, binomial and poisson fits). The fixed \
    effects carry lmerTest's df, t value and Pr(>|t|) with Satterthwaite's degrees of freedom \
    (--ddf kenward-roger: Kenward & Roger's adjusted SEs and df, as pbkrtest; REML fits with at most \
    \(KenwardRoger.maximumRandomEffects) random effects, because its dense algebra grows as the cube of \
    their number; --ddf none: lme4's table without them), and the summary Nakagawa's marginal and \
    conditional R² (GLMMs: Nakagawa, Johnson & Schielzeth 2017; logit, probit, cloglog and Poisson log links). \
    Non-canonical links (binomial("probit"), binomial("cloglog"), binomial("cauchit"), poisson("sqrt"), \
    poisson("identity")) are fitted as glmer does, by PIRLS with Fisher scoring. --exponentiate \
    adds odds ratios (logit) or rate ratios (log) with their intervals; --drop1 prints lme4's \
    drop1(test = "Chisq"), one likelihood-ratio test per droppable fixed-effect term. A fit that fails lme4's convergence checks \
    prints its summary and warnings and exits with status 1 unless --allow-nonconvergence is given.
    """
    var options: [OptionSpec] { [
        .flag("ml", "Maximum likelihood instead of REML."),
        .option("pooling", "KIND", "partial (the mixed model, default), complete (OLS) or none (what the random effects vary, per group)."),
        .option("confint", "KIND", "Intervals: wald or profile."),
        .option("level", "L", "Level of the --confint and --exponentiate intervals (and of --pooling's lm intervals), in (0, 1) (default 0.95), as confint(fit, level = L)."),
        .option("anova", "TYPE", "Print lmerTest's ANOVA table of the fixed-effect terms instead of the summary: type 3 (marginal, SAS type III), 2 (hierarchical) or 1 (sequential), with the --ddf method's df."),
        .option("ddf", "METHOD", "Denominator degrees of freedom of the fixed-effect tests: satterthwaite (default), kenward-roger (REML, at most \(KenwardRoger.maximumRandomEffects) random effects) or none."),
        .flag("exponentiate", "Also print exp of the fixed effects and their intervals: odds ratios (logit link) or rate ratios (log link)."),
        .flag("drop1", "Print lme4's drop1(test = \"Chisq\") instead of the summary: each droppable fixed-effect term removed, ML refit, likelihood-ratio test."),
        .flag("ranef", "Also print conditional modes with conditional SDs."),
        .option("varcorr", "full", "Also print θ, each term's relative covariance factor T (Λθ) and Σ = σ²TTᵀ with its correlations."),
        .flag("json", "Print one JSON object instead of the text summary."),
        .option("output", "DIR", "Write the fit directory DIR (fit.json, data.csv, model.txt, estimates.json; docs/fit-directory.md) for predict and the other post-fit commands (gaussian mixed models)."),
        .flag("force", "Allow --output to write into an existing directory."),
        .flag("allow-nonconvergence", "Exit with status 0 even when the fit fails lme4's convergence checks."),
        .option("maxfun", "N", "GLMMs (bernoulli, binomial, poisson): at most N Laplace-deviance evaluations in each optimiser stage (glmer's optCtrl = list(maxfun = N)); a stage that runs out makes the fit non-converged."),
        .option("nagq", "N", "GLMMs with one scalar random-effect term: N-point adaptive Gauss-Hermite quadrature instead of the Laplace approximation (glmer's nAGQ; 1 = Laplace)."),
    ] + ModelOptions.specs }

    func run(_ arguments: ParsedArguments) throws -> Int32 {
        let loaded = try loadModel(arguments, allowingOffset: true, allowingWeights: true, command: "lmer")
        let weights = try loaded.specification.weights.map { try priorWeights($0, loaded: loaded, arguments: arguments) }
        let dataName = (try? loaded.specification.resolvedDataURL().deletingPathExtension().lastPathComponent) ?? "data"
        let outputDirectory = try arguments.value("output").map { try OutputDirectory(checking: $0, force: arguments.has("force")) }
        if outputDirectory != nil {
            guard loaded.family == "gaussian", (arguments.value("pooling") ?? "partial") == "partial" else {
                throw UsageError("option --output: fit directories hold gaussian mixed models (family gaussian, --pooling partial), not \(loaded.family == "gaussian" ? "--pooling \(arguments.value("pooling")!)" : "family \(loaded.family)")")
            }
        }
        let (output, notices, fit, converged) = try Self.report(design: loaded.design, dataName: dataName, family: loaded.family,
                                                                arguments: arguments, weights: weights)
        for notice in notices { writeStandardError(notice + "\n") }
        // Files first: a reader that closes standard output early (`| head -1`) cannot stop them.
        if let directory = outputDirectory, let fit {
            try directory.create(chains: 0..<0, clearingAll: true)
            let specification = loaded.specification
            var record = FitDirectory.ModelRecord(
                kind: .frequentist, engine: fit.method == .ml ? "ml" : "reml", formula: loaded.design.formulaText,
                family: loaded.family, priors: [], factors: specification.factors.map(\.value), dataName: dataName,
                dataSource: (try? specification.resolvedDataURL().path) ?? "", settings: nil)
            record.recordDesignOptions(specification.designOptions)
            try FitDirectory.write(record, data: FittedModel.rowsUsed(formula: loaded.formula, table: loaded.table,
                                                                      factors: specification.factors.map(\.value)),
                                   chains: [], mixedModelFit: fit, into: directory.url)
            writeStandardError("multilevel: fit directory written to \(directory.url.path) (fit.json; 'multilevel predict \(directory.path) --newdata CSV' and the other post-fit commands read it)\n")
        }
        writeStandardOutput(output)
        if !converged && !arguments.has("allow-nonconvergence") {
            writeStandardError("multilevel lmer: the fit did not converge (warnings above); "
                               + "--allow-nonconvergence accepts it with exit status 0\n")
            return 1
        }
        return 0
    }

    /// The output of `lmer` for a design: the text or JSON for stdout, the notices for stderr,
    /// for a gaussian mixed model the fit, and whether the fit converged (lme4's checks; always
    /// for the `lm` fits of --pooling).
    static func report(design: ModelDesign, dataName: String, family: String, arguments: ParsedArguments,
                       weights: [Double]? = nil) throws
        -> (output: String, notices: [String], fit: LinearMixedModelFit?, converged: Bool) {
        if family != "gaussian" {
            let (output, notices, converged) = try laplaceReport(design: design, dataName: dataName, family: family, arguments: arguments,
                                                                 weights: weights)
            return (output, notices, nil, converged)
        }
        if arguments.value("nagq") != nil {
            throw UsageError("--nagq is for GLMMs (families bernoulli, binomial, poisson); a gaussian model's likelihood is exact")
        }
        if arguments.value("maxfun") != nil {
            throw UsageError("--maxfun is for GLMMs (families bernoulli, binomial, poisson): linear mixed models are fitted to their optimum")
        }
        let pooling = arguments.value("pooling") ?? "partial"
        guard ["partial", "complete", "none"].contains(pooling) else {
            throw UsageError("--pooling must be partial, complete or none, not '\(pooling)'")
        }
        let confint = arguments.value("confint")
        if let confint, !["wald", "profile"].contains(confint) {
            throw UsageError("--confint must be wald or profile, not '\(confint)'")
        }
        let level = try intervalLevel(arguments)
        if design.offset != nil, pooling != "partial" || confint == "profile" {
            throw UnsupportedTermError(description: "offset() is supported by the mixed-model fit with Wald intervals; not with --pooling \(pooling) or --confint profile")
        }
        if let varcorr = arguments.value("varcorr"), varcorr != "full" {
            throw UsageError("--varcorr takes 'full', not '\(varcorr)'")
        }
        let ddf = arguments.value("ddf") ?? "satterthwaite"
        guard ["satterthwaite", "kenward-roger", "none"].contains(ddf) else {
            throw UsageError("--ddf must be satterthwaite, kenward-roger or none, not '\(ddf)'")
        }
        if arguments.has("exponentiate") {
            throw UsageError("--exponentiate: family gaussian has the identity link; odds and rate ratios need a logit or log link (families binomial, bernoulli, poisson)")
        }
        var anovaType: Int?
        if let value = arguments.value("anova") {
            switch value.uppercased() {
            case "3", "III": anovaType = 3
            case "2", "II": anovaType = 2
            case "1", "I": anovaType = 1
            default: throw UsageError("--anova must be 3 (type III), 2 (type II) or 1 (type I), not '\(value)'")
            }
            if ddf == "none" { throw UsageError("--anova needs denominator degrees of freedom: drop --ddf none") }
        }
        let json = arguments.has("json")
        let fixedPart = design.fixedEffectNames.filter { $0 != "(Intercept)" }
        let lmFormula = design.responseName + " ~ " + (fixedPart.isEmpty ? "1" : fixedPart.joined(separator: " + "))
            + (design.hasIntercept || fixedPart.isEmpty ? "" : " - 1")
        switch pooling {
        case "complete":
            let fit = try completePoolingFit(design, level: level)
            return (json ? LmerJSON.completePooling(fit, formula: lmFormula).serialized() + "\n"
                         : LmerSummary.completePoolingText(fit, formula: lmFormula), [], nil, true)
        case "none":
            let fit = try noPoolingFit(design, level: level)
            return (json ? LmerJSON.noPooling(fit).serialized() + "\n" : LmerSummary.noPoolingText(fit), [], nil, true)
        default:
            break
        }
        let weighted = try weights.map { try PriorWeightedLinearMixedModel(design: design, weights: $0) }
        let model = try LinearMixedModel(design: weighted?.scaledDesign ?? design)
        var notices: [String] = []
        if !model.aliasedColumns.isEmpty {
            notices.append("fixed-effect model matrix is rank deficient so dropping \(model.aliasedColumns.count) column(s) / coefficient(s): \(model.aliasedColumns.joined(separator: ", "))")
        }
        var fit = try model.fit(method: arguments.has("ml") ? .ml : .reml,
                                options: .init(conditionalVariances: json || arguments.has("ranef") || arguments.value("output") != nil))
        weighted?.adjust(&fit, responseScale: false)    // summary: Pearson residuals √w (y − ŷ)
        notices += fit.warnings
        if arguments.has("drop1") {
            let full = fit.method == .ml ? fit : try model.fit(method: .ml, options: .init(conditionalVariances: false))
            let rows = try singleTermDeletions(model.design, fullDeviance: full.criterion, fullParameters: full.degreesOfFreedom) { reduced in
                let refit = try LinearMixedModel(design: reduced).fit(method: .ml, options: .init(conditionalVariances: false))
                return (refit.criterion, refit.degreesOfFreedom)
            }
            return (json ? TermTestReport.dropOneJSON(rows, fullAIC: full.akaikeInformationCriterion).serialized() + "\n"
                         : TermTestReport.dropOneText(rows, fullAIC: full.akaikeInformationCriterion, formula: fit.formulaText),
                    notices, fit, fit.converged)
        }
        let testing: (any FixedEffectTesting)? = switch ddf {
        case "none": nil
        case "kenward-roger": try KenwardRoger(model: model, fit: fit)
        default: try Satterthwaite(model: model, fit: fit)
        }
        let tests = testing?.coefficientTests()
        let r2 = weighted?.nakagawaR2(fit) ?? NakagawaR2(fit: fit, design: model.design)
        if let anovaType, let testing {
            let rows = anovaTable(testing, design: model.design, sigma: fit.sigma, type: anovaType)
            return (json ? SignificanceTable.anovaJSON(rows, type: anovaType, ddf: ddf).serialized() + "\n"
                         : SignificanceTable.anovaText(rows, type: anovaType, ddf: ddf), notices, fit, fit.converged)
        }
        var parameters = frequentistParameters(fit)
        switch confint {
        case "wald": parameters = waldIntervals(fit, level: level)
        case "profile":
            // An unweighted ML fit is the profiles' own starting fit: not fitted a second time.
            let profile = try fit.method == .ml && weighted == nil
                ? ProfileLikelihood(model: model, maximumLikelihoodFit: fit) : ProfileLikelihood(model: model)
            parameters = try profile.intervals(for: parameters, level: level)
        default: break
        }
        if json {
            return (LmerJSON.object(fit, parameters: parameters, intervalMethod: confint, level: level,
                                    tests: tests, ddf: ddf, r2: r2).serialized() + "\n", notices, fit, fit.converged)
        }
        var text = LmerSummary.text(fit, dataName: dataName, tests: tests, r2: r2)
        if let confint {
            text += "\n" + LmerSummary.intervalsText(parameters, title: confint == "profile"
                ? "Profile-likelihood confidence intervals (computed on the ML fit, as lme4's confint)"
                : "Wald confidence intervals", level: level)
        }
        if arguments.has("ranef") { text += "\n" + LmerSummary.conditionalModesText(fit) }
        if arguments.value("varcorr") != nil { text += "\n" + LmerSummary.covarianceFactorText(fit) }
        return (text, notices, fit, fit.converged)
    }

    /// Non-gaussian families: the Laplace (glmer) fit, glmer's summary or JSON.
    static func laplaceReport(design weightlessDesign: ModelDesign, dataName: String, family requestedFamily: String,
                              arguments: ParsedArguments, weights: [Double]? = nil) throws
        -> (output: String, notices: [String], converged: Bool) {
        // glmer's prior weights: a binomial proportion's trials, or Poisson weights on each row.
        let family = weights != nil && requestedFamily == "bernoulli" ? "binomial" : requestedFamily
        let (design, responseWeights) = try weights.map {
            try GeneralizedPriorWeights.apply(to: weightlessDesign, family: Family(name: family), weights: $0,
                                              file: weightlessDesign.dataFileName ?? "data")
        } ?? (weightlessDesign, nil)
        if arguments.value("ddf") == "kenward-roger" {
            throw UsageError("--ddf kenward-roger is for linear mixed models fitted by REML, not family '\(family)' (Laplace fit: its tests are Wald z tests)")
        }
        for option in ["pooling", "ml", "ddf", "anova", "varcorr"] where arguments.has(option) || arguments.value(option) != nil {
            throw UsageError("--\(option) is not available for family '\(family)' (Laplace fit)")
        }
        let confint = arguments.value("confint")
        if let confint, !["wald", "profile"].contains(confint) {
            throw UsageError("--confint must be wald or profile, not '\(confint)'")
        }
        let level = try intervalLevel(arguments)
        let familyValue = try Family(name: family)
        guard FrequentistFamilies.fits(familyValue) else {
            throw UsageError(FrequentistFamilies.refusal(family))
        }
        let points = try FrequentistFamilies.quadraturePoints(arguments.value("nagq"), family: familyValue)
        let maximumEvaluations = try arguments.value("maxfun").map { text -> Int in
            guard let value = Int(text), value >= 1 else {
                throw UsageError("--maxfun must be a whole number of evaluations ≥ 1, not '\(text)'")
            }
            guard ![.negativeBinomial, .zeroInflatedPoisson, .zeroInflatedNegativeBinomial].contains(familyValue) else {
                throw UsageError("--maxfun caps the Laplace fit of families bernoulli, binomial and poisson, not '\(family)'")
            }
            return value
        }
        if responseWeights != nil, familyValue != .poisson || points != 1 {
            throw UsageError("prior weights with family '\(family)'\(points != 1 ? " and --nagq" : ""): glmer's weights are fitted for the binomial (as trials), bernoulli and poisson families by the Laplace approximation")
        }
        if familyValue == .zeroInflatedPoisson || familyValue == .zeroInflatedNegativeBinomial {
            return try FrequentistFamilies.zeroInflatedReport(design: design, dataName: dataName, family: familyValue, arguments: arguments)
        }
        var model = try GeneralizedLinearMixedModel(design: design, family: familyValue == .negativeBinomial ? .poisson : familyValue,
                                                    priorWeights: responseWeights)
        let fit: GeneralizedLinearMixedModelFit
        if familyValue == .negativeBinomial {
            fit = try NegativeBinomialMixedModel(design: design).fit().fit
            model = try GeneralizedLinearMixedModel(design: design, family: .negativeBinomial, negativeBinomialShape: fit.negativeBinomialShape)
        } else {
            model.quadraturePoints = points
            model.maximumEvaluations = maximumEvaluations
            fit = try model.fit()
        }
        var notices = fit.warnings
        if !model.aliasedColumns.isEmpty {
            notices.insert("fixed-effect model matrix is rank deficient so dropping \(model.aliasedColumns.count) column(s) / coefficient(s): \(model.aliasedColumns.joined(separator: ", "))", at: 0)
        }
        let json = arguments.has("json")
        if arguments.has("drop1") {
            let rows = try singleTermDeletions(model.design, fullDeviance: fit.laplaceDeviance, fullParameters: fit.degreesOfFreedom) { reduced in
                let refit = responseWeights == nil
                    ? try FrequentistFamilies.refit(reduced, family: familyValue, quadraturePoints: points)
                    : try GeneralizedLinearMixedModel(design: reduced, family: familyValue, priorWeights: responseWeights)
                        .fit(conditionalVariances: false)
                return (refit.laplaceDeviance, refit.degreesOfFreedom)
            }
            return (json ? TermTestReport.dropOneJSON(rows, fullAIC: fit.akaikeInformationCriterion).serialized() + "\n"
                         : TermTestReport.dropOneText(rows, fullAIC: fit.akaikeInformationCriterion, formula: fit.formulaText),
                    notices, fit.converged)
        }
        var parameters = frequentistParameters(fit)
        switch confint {
        case "profile": parameters = try GeneralizedProfileLikelihood(model: model, fit: fit).intervals(for: parameters, level: level)
        case "wald": parameters = waldIntervals(fit, level: level)
        default: break
        }
        if arguments.has("exponentiate"), !["logit", "log"].contains(fit.linkName) {
            throw UsageError("--exponentiate gives odds ratios (logit link) or rate ratios (log link); exp of a \(fit.linkName)-link coefficient is neither")
        }
        let ratios = arguments.has("exponentiate")
            ? TermTestReport.ratios(confint == nil ? waldIntervals(fit, level: level) : parameters) : nil
        let intervalName = confint == "profile" ? "profile-likelihood" : "Wald"
        // Poisson: the distribution variance needs the intercept of the null model.
        var nullIntercept: Double?
        if fit.familyName == "poisson" {
            let null = try? GeneralizedLinearMixedModel(design: NakagawaR2.nullModelDesign(model.design), family: Family(name: family),
                                                        priorWeights: responseWeights)
                .fit(conditionalVariances: false)
            nullIntercept = null?.fixedEffects.first
        }
        let r2 = NakagawaR2(fit: fit, design: model.design, nullIntercept: nullIntercept)
        if json {
            guard case .object(var pairs) = GlmerSummary.json(fit, family: family) else { preconditionFailure("an object") }
            if confint != nil {
                pairs.insert(("intervals", .string(confint!)), at: pairs.count - 3)
                pairs.insert(("level", .number(level)), at: pairs.count - 3)
                pairs[pairs.count - 3] = ("parameters", LmerJSON.parametersObject(parameters))
            }
            if let ratios { pairs.append(("ratios", TermTestReport.ratiosJSON(ratios, link: fit.linkName, intervalName: intervalName))) }
            if let r2 { pairs.append(("r2_nakagawa", TermTestReport.r2JSON(r2))) }
            return (JSONValue.object(pairs).serialized() + "\n", notices, fit.converged)
        }
        var text = GlmerSummary.text(fit, dataName: dataName)
        if let r2 { text += "\n" + TermTestReport.r2Line(r2) }
        if let confint {
            text += "\n" + LmerSummary.intervalsText(parameters, title: confint == "profile"
                ? "Profile-likelihood confidence intervals (Laplace deviance, as lme4's confint)"
                : "Wald confidence intervals", level: level)
        }
        if let ratios { text += "\n" + TermTestReport.ratiosText(ratios, link: fit.linkName, intervalName: intervalName, level: level) }
        if arguments.has("ranef") { text += "\n" + LmerSummary.conditionalModesText(fit) }
        return (text, notices, fit.converged)
    }
}

/// lme4's prior weights (`weights: w`, `--weights w`) on the rows the design uses: a numeric
/// column of positive values, for the mixed-model fit (lme4's `lmer(…, weights =)`; glmer's for
/// the binomial, bernoulli and poisson families, `GeneralizedPriorWeights`; the pooled fits,
/// profiles and fit directories are refused in one line).
private func priorWeights(_ setting: ModelSpecification.Setting<String>, loaded: LoadedModel,
                          arguments: ParsedArguments) throws -> [Double] {
    let origin = setting.origin.description
    guard ["gaussian", "binomial", "bernoulli", "poisson"].contains(loaded.family) else {
        throw UnsupportedTermError(description: "\(origin): prior weights are supported for lmer's gaussian, binomial, bernoulli and poisson fits (lme4's weights =), not family \(loaded.family)")
    }
    if (arguments.value("pooling") ?? "partial") != "partial" || arguments.value("confint") == "profile" || arguments.value("output") != nil {
        throw UnsupportedTermError(description: "\(origin): prior weights are supported by the mixed-model fit with Wald intervals; not with --pooling, --confint profile or --output")
    }
    return try priorWeightColumn(setting, loaded: loaded)
}

/// The values of the prior-weights column `setting` names on the rows the design uses, each
/// positive and finite (else one line naming the data line), for `lmer` and `bootstrap`.
func priorWeightColumn(_ setting: ModelSpecification.Setting<String>, loaded: LoadedModel) throws -> [Double] {
    let origin = setting.origin.description
    guard case .numeric(let values)? = loaded.table.column(named: setting.value) else {
        throw ModelFileError(location: origin, message: "weights: '\(setting.value)' is not a numeric column of the data"
                             + nearestColumnsHint(for: setting.value, columns: loaded.table.columnNames))
    }
    var rowOfLine: [Int: Int] = [:]
    for (row, line) in loaded.table.sourceLines.enumerated() { rowOfLine[line] = row }
    let file = loaded.table.fileName
    return try loaded.design.sourceLines.map { line in
        let value = values[rowOfLine[line] ?? 0]
        guard value > 0, value.isFinite else {
            throw DesignError("\(file):\(line): weight \(value.isNaN ? "NA" : formatWeight(value)) in '\(setting.value)' must be positive and finite (lme4's prior weights)")
        }
        return value
    }
}

private func formatWeight(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
}

/// `--level`: the level of the `--confint` and `--exponentiate` intervals and of the pooled
/// fits' lm intervals, in (0, 1), default 0.95; refused in one line when no interval is printed.
private func intervalLevel(_ arguments: ParsedArguments) throws -> Double {
    guard let level = try arguments.double("level") else { return 0.95 }
    guard level > 0 && level < 1 else { throw UsageError("--level must be in (0, 1), not \(level)") }
    let pooled = (arguments.value("pooling") ?? "partial") != "partial"
    guard arguments.value("confint") != nil || arguments.has("exponentiate") || pooled else {
        throw UsageError("--level sets the level of the --confint (or --exponentiate) intervals; give --confint wald or profile")
    }
    return level
}
