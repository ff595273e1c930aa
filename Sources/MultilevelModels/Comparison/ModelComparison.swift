import Foundation
import MultilevelData
import MultilevelMath
import MultilevelSampling

/// What `multilevel compare` runs, and how.
public struct ComparisonSettings: Sendable {
    /// Parametric bootstrap replicates of the REML fit.
    public var replicates: Int
    /// Seed of the bootstrap (the sampler's seed is `sampler.seed`).
    public var bootstrapSeed: UInt64
    /// NUTS settings of the Bayesian fit.
    public var sampler: SamplerSettings
    /// User prior statements over brms' defaults.
    public var priors: [PriorStatement]
    /// Interval level of every interval (0.95).
    public var level: Double

    public init(replicates: Int = 1000, bootstrapSeed: UInt64, sampler: SamplerSettings, priors: [PriorStatement] = [],
                level: Double = 0.95) {
        self.replicates = replicates
        self.bootstrapSeed = bootstrapSeed
        self.sampler = sampler
        self.priors = priors
        self.level = level
    }
}

/// The comparison workbench of a gaussian multilevel design: complete pooling (OLS), no pooling,
/// partial pooling (REML with profile intervals, ML for the likelihood comparison), a parametric
/// bootstrap of the REML fit and the Bayesian (brms) fit — the fits, and the three comparison
/// tables built from them (`parameters`, `groups`, `models`).
public struct ModelComparison {
    /// The design (aliased fixed-effect columns dropped, as every fit here sees it).
    public var design: ModelDesign
    public var completePooling: LeastSquaresFit
    /// No pooling of the terms the first grouping factor pools (`noPoolingFit`); nil
    /// when it cannot be fitted.
    public var noPooling: NoPoolingFit?
    public var restrictedFit: LinearMixedModelFit
    public var maximumLikelihoodFit: LinearMixedModelFit
    public var bootstrap: BootstrapResult
    public var bayes: BayesianFit
    /// Population-level parameter names (brms spelling), in report order.
    public var parameterNames: [String]
    public var parameters: [ParameterComparison]
    public var groups: [GroupComparison]
    /// OLS and the ML mixed model.
    public var models: [InformationCriteria]
    /// OLS nested in the ML mixed model, naive χ² reference (lme4's `anova`).
    public var likelihoodRatioTest: LikelihoodRatioTest
    /// PSIS-LOO and WAIC of the Bayesian fit (nil when they could not be computed).
    public var leaveOneOut: PSISLeaveOneOut?
    public var waic: WAIC?
    public var settings: ComparisonSettings

    /// Fits everything. `bootstrapProgress` is called with the number of finished replicates;
    /// `chainProgress` reports the sampler's progress.
    public static func run(design original: ModelDesign, settings: ComparisonSettings,
                           bootstrapProgress: ((Int) -> Void)? = nil, chainProgress: ChainProgress? = nil,
                           stopFlag: StopFlag? = nil) throws -> ModelComparison {
        guard !original.randomTerms.isEmpty else {
            throw MixedModelError("compare needs a grouping factor: add a term such as (1 | group) to the formula")
        }
        let model = try LinearMixedModel(design: original)
        let design = model.design
        let completePooling = try completePoolingFit(design, level: settings.level)
        let noPooling = try? noPoolingFit(design, level: settings.level)
        let reml = try model.fit(method: .reml)
        let profile = try ProfileLikelihood(model: model)
        let remlEstimates = try profile.intervals(for: frequentistParameters(reml), level: settings.level)
        let bootstrap = try MixedModelBootstrap(model: model, fit: reml)
            .run(scheme: .parametric, replicates: settings.replicates, seed: settings.bootstrapSeed, progress: bootstrapProgress)
        let bayes = try BayesianFit.run(design: original, family: .gaussian, priors: settings.priors, settings: settings.sampler,
                                        progress: chainProgress, stopFlag: stopFlag)

        let names = remlEstimates.map(\.name)
        let parameters = parameterRows(names: names, completePooling: completePooling, reml: remlEstimates,
                                       bootstrap: bootstrap, bayes: bayes.draws, level: settings.level)
        let groups = groupRows(design: design, noPooling: noPooling, reml: reml, bayes: bayes.draws, level: settings.level)
        let ml = profile.maximumLikelihoodFit
        let olsParameters = completePooling.coefficients.count + 1
        let models = [
            InformationCriteria(model: "complete pooling (OLS)", parameterCount: olsParameters,
                                logLikelihood: completePooling.logLikelihood,
                                akaikeInformationCriterion: completePooling.akaikeInformationCriterion,
                                bayesianInformationCriterion: completePooling.bayesianInformationCriterion),
            InformationCriteria(model: "partial pooling (ML)", parameterCount: ml.degreesOfFreedom,
                                logLikelihood: ml.logLikelihood, akaikeInformationCriterion: ml.akaikeInformationCriterion,
                                bayesianInformationCriterion: ml.bayesianInformationCriterion),
        ]
        let test = LikelihoodRatioTest(smallerLogLikelihood: completePooling.logLikelihood, smallerParameters: olsParameters,
                                       largerLogLikelihood: ml.logLikelihood, largerParameters: ml.degreesOfFreedom)
        // The same PSIS-LOO (relative efficiency from the chains) and WAIC as `multilevel loo`.
        let criteria = try? LeaveOneOutCriteria(PointwiseLogLikelihood(design: original, family: .gaussian, draws: bayes.draws))
        let loo = criteria?.leaveOneOut
        let waic = criteria?.waic
        return ModelComparison(design: design, completePooling: completePooling, noPooling: noPooling, restrictedFit: reml,
                               maximumLikelihoodFit: ml, bootstrap: bootstrap, bayes: bayes, parameterNames: names,
                               parameters: parameters, groups: groups, models: models, likelihoodRatioTest: test,
                               leaveOneOut: loo, waic: waic, settings: settings)
    }

    /// Section 1: every population-level parameter by OLS, REML + profile, bootstrap and NUTS.
    static func parameterRows(names: [String], completePooling: LeastSquaresFit, reml: [NamedEstimate],
                              bootstrap: BootstrapResult, bayes draws: Draws, level: Double) -> [ParameterComparison] {
        var ols: [String: EstimateInterval] = [:]
        for c in completePooling.coefficients {
            ols["b_" + brmsName(ofColumn: c.name)] = EstimateInterval(estimate: c.estimate, lower: c.lower ?? .nan, upper: c.upper ?? .nan)
        }
        var boot: [String: EstimateInterval] = [:]
        for s in bootstrap.summaries(level: level) {
            boot[s.name] = EstimateInterval(estimate: s.estimate, lower: s.percentile.lower, upper: s.percentile.upper)
        }
        let present = names.filter { draws.index(of: $0) != nil }
        let tail = (1 - level) / 2
        let summary = summarize(draws: draws.selecting(present), quantiles: [tail, 1 - tail], intervals: [level])
        var posterior: [String: PosteriorInterval] = [:]
        for v in summary.variables {
            let hdi = v.highestDensityIntervals.first ?? nil
            posterior[v.name] = PosteriorInterval(median: v.median, lower: v.quantiles[0], upper: v.quantiles[1],
                                                  hdiLower: hdi?.lower ?? .nan, hdiUpper: hdi?.upper ?? .nan)
        }
        return reml.map { e in
            ParameterComparison(name: e.name, ordinaryLeastSquares: ols[e.name],
                                restrictedMaximumLikelihood: EstimateInterval(estimate: e.estimate, lower: e.lower ?? .nan,
                                                                              upper: e.upper ?? .nan),
                                bootstrap: boot[e.name], bayes: posterior[e.name])
        }
    }

    /// Section 2: every level and term of every grouping factor by no pooling (first grouping
    /// factor, fixed-effect columns), REML conditional modes and the Bayesian group coefficients.
    static func groupRows(design: ModelDesign, noPooling: NoPoolingFit?, reml: LinearMixedModelFit, bayes draws: Draws,
                          level: Double) -> [GroupComparison] {
        var sizes: [String: [Int]] = [:]
        for term in design.randomTerms where sizes[term.grouping.name] == nil {
            var counts = [Int](repeating: 0, count: term.grouping.levelCount)
            for l in term.grouping.levelIndex { counts[l] += 1 }
            sizes[term.grouping.name] = counts
        }
        // Random-intercept terms: the group's only term is (1 | g).
        var interceptOnly: [String: Double] = [:]
        for (k, term) in reml.terms.enumerated() where term.columnNames == ["(Intercept)"]
            && reml.terms.filter({ $0.grouping.name == term.grouping.name }).count == 1 {
            interceptOnly[term.grouping.name] = reml.varianceComponents[k].standardDeviations[0]
        }
        let fixedIndex = Dictionary(uniqueKeysWithValues: reml.fixedEffectNames.enumerated().map { (brmsName(ofColumn: $1), $0) })
        let tail = (1 - level) / 2
        return conditionalModes(of: reml).map { mode in
            let levelIndex = reml.terms.first { $0.grouping.name == mode.group }?.grouping.levels.firstIndex(of: mode.level) ?? 0
            let size = sizes[mode.group]?[levelIndex] ?? 0
            let fixed = fixedIndex[mode.term]
            var own: NoPoolingEstimate?
            if let noPooling, noPooling.group == mode.group, let t = noPooling.termNames.firstIndex(of: mode.term),
               let estimate = noPooling.perGroup[levelIndex][t] {
                own = NoPoolingEstimate(estimate: estimate.estimate, standardError: estimate.standardError ?? .nan)
            }
            let partial = PartialPoolingEstimate(coefficient: (fixed.map { reml.fixedEffects[$0] } ?? 0) + mode.mode,
                                                 conditionalMode: mode.mode, conditionalSD: mode.conditionalSD ?? .nan)
            var bayes: BayesianGroupEstimate?
            if let r = draws.index(of: "r_\(mode.group)[\(mode.level),\(mode.term)]") {
                let b = draws.index(of: "b_\(mode.term)")
                var values: [Double] = []
                let width = draws.variableCount
                for chain in draws.chains {
                    for row in 0..<(chain.count / max(1, width)) {
                        values.append(chain[row * width + r] + (b.map { chain[row * width + $0] } ?? 0))
                    }
                }
                if !values.isEmpty {
                    values.sort()
                    bayes = BayesianGroupEstimate(mean: values.reduce(0, +) / Double(values.count),
                                                  lower: quantileType7(values, probability: tail),
                                                  upper: quantileType7(values, probability: 1 - tail))
                }
            }
            let weight = interceptOnly[mode.group].map {
                shrinkageWeight(groupSize: size, residualSD: reml.sigma, groupSD: $0)
            }
            return GroupComparison(group: mode.group, level: mode.level, term: mode.term, size: size, noPooling: own,
                                   partialPooling: partial, bayes: bayes, shrinkageWeight: weight)
        }
    }
}
