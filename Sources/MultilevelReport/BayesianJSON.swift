import MultilevelSampling

/// The `--json` object of `multilevel fit` (issue 4): method, chains, iter, warmup, seconds of
/// warm-up and sampling, divergences, and per parameter (group-level ones included) mean, median,
/// sd, the 2.5% and 97.5% quantiles, R-hat, bulk and tail ESS and the MCSE of the mean.
/// `summary` must hold the 0.025 and 0.975 quantiles. Non-finite statistics are written as null.
public func bayesianFitJSON(_ fit: BayesianFitDescription, method: String, summary: DrawsSummary,
                            warmupSeconds: Double, samplingSeconds: Double, divergences: Int,
                            treeDepthSaturations: Int, extra: [(String, JSONValue)] = []) -> JSONValue {
    let lowerIndex = summary.quantileProbabilities.firstIndex { abs($0 - 0.025) < 1e-12 }
    let upperIndex = summary.quantileProbabilities.firstIndex { abs($0 - 0.975) < 1e-12 }
    var parameters: [(String, JSONValue)] = []
    for v in summary.variables where v.name != "lp__" {
        parameters.append((v.name, .object([
            ("mean", .optionalNumber(v.mean)),
            ("median", .optionalNumber(v.median)),
            ("sd", .optionalNumber(v.sd)),
            ("q2.5", .optionalNumber(lowerIndex.map { v.quantiles[$0] })),
            ("q97.5", .optionalNumber(upperIndex.map { v.quantiles[$0] })),
            ("rhat", .optionalNumber(v.rhat)),
            ("ess_bulk", .optionalNumber(v.essBulk)),
            ("ess_tail", .optionalNumber(v.essTail)),
            ("mcse_mean", .optionalNumber(v.mcseMean)),
        ])))
    }
    var object: [(String, JSONValue)] = [
        ("formula", .string(fit.formula)),
        ("family", .string(fit.family)),
        ("method", .string(method)),
        ("nobs", .integer(fit.observationCount)),
        ("chains", .integer(fit.chains)),
        ("iter", .integer(fit.iterations)),
        ("warmup", .integer(fit.warmup)),
        ("seconds", .object([("warmup", .optionalNumber(warmupSeconds)),
                             ("sampling", .optionalNumber(samplingSeconds))])),
        ("divergences", .integer(divergences)),
        ("treedepth_saturations", .integer(treeDepthSaturations)),
    ]
    object += extra
    object.append(("parameters", .object(parameters)))
    return .object(object)
}
