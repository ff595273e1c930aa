import Foundation
import Dispatch
import MultilevelData
import MultilevelSampling

/// Exact leave-one-out refits where PSIS is unreliable (brms' `reloo`): for each observation i with
/// Pareto k̂ᵢ above a threshold, the model is refitted without row i and elpd_loo,i becomes
/// log((1/S) Σₛ p(yᵢ | θˢ₋ᵢ)) over the refit's draws (a row whose level the refit lacks is
/// predicted as a new level, as `PointwiseLogLikelihood` does).
public enum ExactLeaveOneOut {
    /// The observations with k̂ > `threshold`, in order.
    public static func candidates(_ loo: PSISLeaveOneOut, threshold: Double = 0.7) -> [Int] {
        loo.paretoK.indices.filter { loo.paretoK[$0] > threshold }
    }

    /// Refits without each row of `rows` (several at once when `parallel`), and returns `loo` with
    /// those rows' pointwise values replaced and the totals recomputed.
    ///
    /// - Parameter refit: fits the model to a design (the rows kept) and returns its constrained
    ///   draws; called from several threads at once when `parallel`.
    public static func apply(to loo: PSISLeaveOneOut, rows: [Int], design: ModelDesign, family: Family, seed: UInt64,
                             parallel: Bool = true,
                             refit: @escaping @Sendable (ModelDesign) throws -> Draws) throws -> PSISLeaveOneOut {
        try apply(to: loo, rows: rows, seed: seed, parallel: parallel,
                  score: HeldOutLogLikelihood.refitting(design: design, family: family, refit: refit))
    }

    /// `apply` through `score` (any model that can refit itself without a row and score it: a
    /// distributional one too); row i's new levels draw from `seed + i`.
    public static func apply(to loo: PSISLeaveOneOut, rows: [Int], seed: UInt64, parallel: Bool = true,
                             score: @escaping HeldOutLogLikelihood.Scoring) throws -> PSISLeaveOneOut {
        guard !rows.isEmpty else { return loo }
        let n = loo.paretoK.count
        let results = try CrossValidationRuns.map(rows, parallel: parallel) { row -> LeaveOneOutPoint in
            let ll = try score((0..<n).filter { $0 != row }, [row], seed &+ UInt64(row))
            return ll.point(0, lpd: loo.pointwiseElpd[row] + loo.pointwiseEffectiveParameters[row], paretoK: loo.paretoK[row])
        }
        var points = loo.paretoK.indices.map { i in
            LeaveOneOutPoint(elpd: loo.pointwiseElpd[i], effectiveParameters: loo.pointwiseEffectiveParameters[i],
                             paretoK: loo.paretoK[i], monteCarloError: loo.pointwiseMonteCarloError[i],
                             lpd: loo.pointwiseElpd[i] + loo.pointwiseEffectiveParameters[i])
        }
        for (row, point) in zip(rows, results) { points[row] = point }
        var updated = PSISLeaveOneOut(points: points, relativeEfficiency: loo.relativeEfficiency, draws: loo.draws)
        updated.exactlyRefitted = Array(Set(loo.exactlyRefitted + rows)).sorted()
        let refitted = Set(updated.exactlyRefitted)
        updated.paretoKCounts = ParetoKCounts(updated.paretoK.indices.filter { !refitted.contains($0) }.map { updated.paretoK[$0] })
        return updated
    }
}

/// Runs independent refits one after another or on the cores at once, keeping the input order and
/// rethrowing the first error.
enum CrossValidationRuns {
    static func map<T, R>(_ items: [T], parallel: Bool, _ body: @escaping (T) throws -> R) throws -> [R] {
        var results = [Result<R, Error>?](repeating: nil, count: items.count)
        if parallel, items.count > 1 {
            let lock = NSLock()
            DispatchQueue.concurrentPerform(iterations: items.count) { k in
                let result = Result { try body(items[k]) }
                lock.lock()
                results[k] = result
                lock.unlock()
            }
        } else {
            for (k, item) in items.enumerated() { results[k] = Result { try body(item) } }
        }
        return try results.map { try $0!.get() }
    }
}

extension ModelDesign {
    /// The design on `rows` (indices into the used rows) with each grouping factor reduced to the
    /// levels those rows use — the data a refit without the other rows sees.
    public func trainingDesign(rows: [Int]) -> ModelDesign {
        var result = selectingRows(rows)
        result.randomTerms = result.randomTerms.map { term in
            let used = Array(Set(term.grouping.levelIndex)).sorted()
            var position = [Int](repeating: -1, count: term.grouping.levelCount)
            for (k, level) in used.enumerated() { position[level] = k }
            let grouping = GroupingFactor(name: term.grouping.name, levels: used.map { term.grouping.levels[$0] },
                                          levelIndex: term.grouping.levelIndex.map { position[$0] })
            var reduced = RandomEffectTerm(grouping: grouping, columnNames: term.columnNames, values: term.values, text: term.text)
            reduced.monotonic = term.monotonic
            return reduced
        }
        return result
    }

    /// Each grouping factor's levels (`PointwiseLogLikelihood`'s `fittedLevels`).
    public var groupingLevels: [String: [String]] {
        Dictionary(randomTerms.map { ($0.grouping.name, $0.grouping.levels) }, uniquingKeysWith: { a, _ in a })
    }
}
