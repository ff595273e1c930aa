#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelData
import MultilevelSampling

extension PriorSet {
    /// brms 2.18's default priors (`get_prior`) for a design and family:
    /// - `b` flat, one (vectorized) row per non-intercept coefficient;
    /// - `Intercept ~ student_t(3, location, scale)` and `sd`, `sigma ~ student_t(3, 0, scale)`
    ///   (half), where for identity, log, inverse and sqrt links (brms' `def_scale_prior`) y is
    ///   taken to the link scale (zeros → 0.1 for log and inverse), scale =
    ///   max(2.5, round(mad(g(y)), 1)) and location = round(median(g(y)), 1); for other links
    ///   (logit, probit, cloglog, cauchit) location 0 and scale 2.5;
    ///   `sigma` always uses the identity scale of y (log y for lognormal);
    /// - `L ~ lkj_corr_cholesky(1)` when a term has two or more columns;
    /// - `shape ~ gamma(0.01, 0.01)`, `nu ~ gamma(2, 0.1)`;
    /// - `simo ~ dirichlet(1)` for each monotonic effect's simplex (coefficient `moedu1`).
    /// sleepstudy gives student_t(3, 288.7, 59.3) and student_t(3, 0, 59.3).
    public static func defaults(for design: ModelDesign, family: Family) -> PriorSet {
        let linkScale = defaultScaleLocation(response: design.response, link: family.hasLogScale ? .log : family.link,
                                             isFactor: design.responseLevels != nil)
        let identityScale = defaultScaleLocation(response: design.response,
                                                 link: family.hasLogScale ? .log : .identity,
                                                 isFactor: design.responseLevels != nil)
        var rows: [PriorRow] = []
        let coefficients = (design.hasIntercept ? Array(design.fixedEffectNames.dropFirst()) : design.fixedEffectNames)
            .map(brmsName(ofColumn:)) + design.monotonic.map(\.name)
        if !coefficients.isEmpty {
            rows.append(PriorRow(prior: .flat, parameterClass: .b, source: .default))
            for name in coefficients {
                rows.append(PriorRow(prior: nil, parameterClass: .b, coefficient: name, source: .vectorized))
            }
        }
        if design.hasIntercept {
            rows.append(PriorRow(prior: .studentT(degreesOfFreedom: 3, location: linkScale.location,
                                                  scale: linkScale.scale),
                                 parameterClass: .intercept, source: .default))
            // An ordinal model's thresholds, one vectorized row each as brms' prior_summary lists
            // them (`Intercept`, coef 1 … K − 1).
            let thresholds = family.kind == .cumulative ? family.thresholdCount(for: design) : 0
            for k in stride(from: 1, through: thresholds, by: 1) {
                rows.append(PriorRow(prior: nil, parameterClass: .intercept, coefficient: "\(k)", source: .vectorized))
            }
        }
        let terms = design.randomTerms
        if !terms.isEmpty {
            rows.append(PriorRow(prior: .studentT(degreesOfFreedom: 3, location: 0, scale: linkScale.scale),
                                 parameterClass: .sd, source: .default))
            var groupsDone = Set<String>()
            var coefficientsDone = Set<String>()
            for term in terms {
                let group = term.grouping.name
                if groupsDone.insert(group).inserted {
                    rows.append(PriorRow(prior: nil, parameterClass: .sd, group: group, source: .vectorized))
                }
                for name in term.brmsColumnNames where coefficientsDone.insert(group + "\u{1}" + name).inserted {
                    rows.append(PriorRow(prior: nil, parameterClass: .sd, coefficient: name, group: group,
                                         source: .vectorized))
                }
            }
            let correlated = terms.filter { $0.columnCount > 1 }
            if !correlated.isEmpty {
                rows.append(PriorRow(prior: .lkj(eta: 1), parameterClass: .cor, source: .default))
                for group in Set(correlated.map(\.grouping.name)) {
                    rows.append(PriorRow(prior: nil, parameterClass: .cor, group: group, source: .vectorized))
                }
            }
        }
        // Each monotonic simplex: dirichlet(1) (brms' `simo`, coefficient `moedu1`).
        for effect in design.monotonic {
            var row = PriorRow(prior: .dirichlet(concentration: [1]), parameterClass: .simo,
                               coefficient: effect.name + "1", source: .default)
            row.simplexSize = effect.categoryCount
            rows.append(row)
        }
        for parameter in family.auxiliaryParameters(for: design) where parameter != .thresholdGap {
            rows.append(PriorRow(prior: parameter.defaultPrior(identityScale: identityScale.scale),
                                 parameterClass: parameter.priorClass, source: .default))
        }
        return PriorSet(rows: rows)
    }

    /// brms' `def_scale_prior` numbers: (location, scale) of the default Student-t priors.
    static func defaultScaleLocation(response: [Double], link: Link, isFactor: Bool) -> (location: Double, scale: Double) {
        guard [.identity, .log, .reciprocal, .sqrt].contains(link), !isFactor, !response.isEmpty else { return (0, 2.5) }
        let transformed = response.map { y in link == .log || link == .reciprocal ? link.apply(y == 0 ? y + 0.1 : y) : link.apply(y) }
        var location = 0.0
        var scale = 2.5
        let mad = medianAbsoluteDeviation(transformed)
        let roundedScale = roundR(mad, digits: 1)
        if roundedScale.isFinite { scale = max(scale, roundedScale) }
        let roundedLocation = roundR(median(transformed), digits: 1)
        if roundedLocation.isFinite { location = roundedLocation }
        return (location, scale)
    }

    /// R's `mad`: 1.4826 · median(|x − median(x)|).
    static func medianAbsoluteDeviation(_ values: [Double]) -> Double {
        let center = median(values)
        return 1.4826 * median(values.map { abs($0 - center) })
    }

    /// R (≥ 4.0)'s `round(x, digits)`: of the two decimal candidates around x, the one nearer to x
    /// in double arithmetic; on an exact tie the one with an even last digit.
    static func roundR(_ x: Double, digits: Int) -> Double {
        guard x.isFinite else { return x }
        let p = pow(10.0, Double(digits))
        let lowerCount = (x * p).rounded(.down)
        let lower = lowerCount / p
        let upper = (lowerCount + 1) / p
        let dLower = x - lower, dUpper = upper - x
        if dLower < dUpper { return lower }
        if dUpper < dLower { return upper }
        return lowerCount.truncatingRemainder(dividingBy: 2) == 0 ? lower : upper
    }
}
