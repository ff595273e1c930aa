import Foundation
import Multilevel

extension BootstrapCommand {
    /// `bootstrap` of a model fitted by the Laplace approximation: the parametric bootstrap of a
    /// glmer fit (bernoulli, binomial and poisson with glmer's links; negbinomial as glmer.nb),
    /// `GeneralizedBootstrap`, or of the zero-inflated counts' fit (glmmTMB, ziformula = ~1),
    /// `ZeroInflatedBootstrap`; reported as the linear mixed models' bootstrap is (percentile,
    /// basic and normal intervals of every `b_`, `sd_`, `cor_`, `zi` and `shape`). Group and row
    /// resampling, --bands and prior weights are refused.
    func runLaplace(_ arguments: ParsedArguments, loaded: LoadedModel, scheme: BootstrapScheme, replicates: Int,
                    level: Double, outputDirectory: URL?) throws -> Int32 {
        let family = try Family(name: loaded.family)
        guard FrequentistFamilies.fits(family) else { throw UsageError(FrequentistFamilies.refusal(loaded.family)) }
        guard scheme == .parametric else {
            throw UsageError("--type \(arguments.value("type") ?? ""): family '\(loaded.family)' is bootstrapped parametrically only (--type parametric)")
        }
        if arguments.has("bands") { throw UsageError("--bands is not available for family '\(loaded.family)'") }
        if let setting = loaded.specification.weights {
            throw UsageError("prior weights with family '\(loaded.family)' (\(setting.origin): weights: \(setting.value)): the bootstrap of a Laplace fit simulates unweighted responses")
        }
        let seed = loaded.specification.seed?.value ?? UInt64.random(in: 0...UInt64(UInt32.max))
        let bar = standardErrorIsTerminal ? ReplicateProgressBar(total: replicates, label: "bootstrap") : nil
        let progress = bar.map { bar in { (done: Int) in bar.update(done) } }
        let result: BootstrapResult
        if family == .zeroInflatedPoisson || family == .zeroInflatedNegativeBinomial {
            let model = try ZeroInflatedMixedModel(design: loaded.design, family: family)
            noteAliasedColumns(model.aliasedColumns)
            let fit = try model.fit()
            for warning in fit.warnings { writeStandardError("multilevel: \(warning)\n") }
            try requireMemoryBudget(values: Double(replicates) * Double(fit.namedEstimates.count), for: "--replicates \(replicates)")
            result = try ZeroInflatedBootstrap(model: model, fit: fit, family: family).run(replicates: replicates, seed: seed, progress: progress)
        } else {
            let model = try GeneralizedLinearMixedModel(design: loaded.design, family: family == .negativeBinomial ? .poisson : family)
            noteAliasedColumns(model.aliasedColumns)
            let fit = family == .negativeBinomial
                ? try NegativeBinomialMixedModel(design: loaded.design).fit(conditionalVariances: false).fit
                : try model.fit(conditionalVariances: false)
            for warning in fit.warnings { writeStandardError("multilevel: \(warning)\n") }
            try requireMemoryBudget(values: Double(replicates) * Double(frequentistParameters(fit).count), for: "--replicates \(replicates)")
            result = try GeneralizedBootstrap(design: model.design, fit: fit, family: family)
                .run(replicates: replicates, seed: seed, progress: progress)
        }
        bar?.finish()
        try finishReplicates(result, outputDirectory: outputDirectory)
        if arguments.has("json") {
            writeStandardOutput(BootstrapReport.json(result, formula: loaded.design.formulaText, level: level).serialized() + "\n")
        } else {
            writeStandardOutput(BootstrapReport.text(result, formula: loaded.design.formulaText, level: level))
        }
        return 0
    }

    /// lme4's notice for columns dropped for rank deficiency.
    private func noteAliasedColumns(_ columns: [String]) {
        guard !columns.isEmpty else { return }
        writeStandardError("multilevel: fixed-effect model matrix is rank deficient so dropping \(columns.count) column(s) / coefficient(s): \(columns.joined(separator: ", "))\n")
    }
}
