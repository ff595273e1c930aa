import Foundation
import Multilevel

extension BootstrapCommand {
    /// `bootstrap` of a zero_inflated_poisson or zero_inflated_negbinomial model: the parametric
    /// bootstrap of its Laplace fit (glmmTMB, ziformula = ~1), `ZeroInflatedBootstrap`, reported as
    /// the linear mixed models' bootstrap is (percentile, basic and normal intervals of every `b_`,
    /// `sd_`, `zi` and `shape`). Group and row resampling, --bands and prior weights are refused.
    func runZeroInflated(_ arguments: ParsedArguments, loaded: LoadedModel, scheme: BootstrapScheme, replicates: Int,
                         level: Double, outputDirectory: URL?) throws -> Int32 {
        let family = try Family(name: loaded.family)
        guard scheme == .parametric else {
            throw UsageError("--type \(arguments.value("type") ?? ""): family '\(loaded.family)' is bootstrapped parametrically only (--type parametric)")
        }
        if arguments.has("bands") { throw UsageError("--bands is not available for family '\(loaded.family)'") }
        if let setting = loaded.specification.weights {
            throw UsageError("prior weights with family '\(loaded.family)' (\(setting.origin): weights: \(setting.value)): the zero-inflated fit has no weights")
        }
        let seed = loaded.specification.seed?.value ?? UInt64.random(in: 0...UInt64(UInt32.max))
        let model = try ZeroInflatedMixedModel(design: loaded.design, family: family)
        if !model.aliasedColumns.isEmpty {
            writeStandardError("multilevel: fixed-effect model matrix is rank deficient so dropping \(model.aliasedColumns.count) column(s) / coefficient(s): \(model.aliasedColumns.joined(separator: ", "))\n")
        }
        let fit = try model.fit()
        for warning in fit.warnings { writeStandardError("multilevel: \(warning)\n") }
        try requireMemoryBudget(values: Double(replicates) * Double(fit.namedEstimates.count), for: "--replicates \(replicates)")
        let bar = standardErrorIsTerminal ? ReplicateProgressBar(total: replicates, label: "bootstrap") : nil
        let result = try ZeroInflatedBootstrap(model: model, fit: fit, family: family)
            .run(replicates: replicates, seed: seed, progress: bar.map { bar in { bar.update($0) } })
        bar?.finish()
        try finishReplicates(result, outputDirectory: outputDirectory)
        if arguments.has("json") {
            writeStandardOutput(BootstrapReport.json(result, formula: loaded.design.formulaText, level: level).serialized() + "\n")
        } else {
            writeStandardOutput(BootstrapReport.text(result, formula: loaded.design.formulaText, level: level))
        }
        return 0
    }
}
