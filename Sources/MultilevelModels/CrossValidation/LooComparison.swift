import Foundation

/// Why fits cannot be compared by their pointwise elpd.
public struct ComparisonError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// loo's `loo_compare`: the models ordered by elpd, best first, each with the difference of its
/// elpd from the best one's and that difference's standard error √(n · var(dᵢ)) over the pointwise
/// differences dᵢ = elpdᵢ(model) − elpdᵢ(best) (Vehtari, Gelman & Gabry 2017, §5.2).
public struct LooComparison: Sendable {
    public struct Row: Sendable, Equatable {
        public var name: String
        /// Position of the model in the input.
        public var index: Int
        public var elpdDifference: Double
        public var standardErrorOfDifference: Double
        public var elpd: EstimateWithError
    }

    /// Best first (the first row's difference and its SE are 0).
    public var rows: [Row]

    /// - Parameters:
    ///   - names: one name per model.
    ///   - pointwiseElpd: per model, elpd_i of the same n observations in the same order.
    public init(names: [String], pointwiseElpd: [[Double]]) throws {
        precondition(names.count == pointwiseElpd.count)
        guard names.count >= 2 else { throw ComparisonError("comparing needs at least two fits, got \(names.count)") }
        let n = pointwiseElpd[0].count
        for (name, values) in zip(names, pointwiseElpd) where values.count != n {
            throw ComparisonError("fits use different rows: \(names[0]) has \(n) observations, \(name) \(values.count); compare fits of the same data")
        }
        let totals = pointwiseElpd.map { sumWithError($0) }
        // R's order(decreasing = TRUE) is stable: ties keep the input order.
        let order = totals.indices.sorted { totals[$0].estimate > totals[$1].estimate || (totals[$0].estimate == totals[$1].estimate && $0 < $1) }
        let best = pointwiseElpd[order[0]]
        rows = order.map { k in
            let differences = zip(pointwiseElpd[k], best).map { $0 - $1 }
            let sum = sumWithError(differences)
            return Row(name: names[k], index: k, elpdDifference: sum.estimate,
                       standardErrorOfDifference: k == order[0] ? 0 : sum.standardError, elpd: totals[k])
        }
    }
}
