import Foundation
import MultilevelData
import MultilevelMath
import MultilevelSampling

/// Fold assignments for K-fold cross-validation as the loo package makes them (`kfold_split_random`,
/// `kfold_split_grouped`, `kfold_split_stratified`), with this project's random stream: folds are
/// numbered 1…K, one per row.
public enum FoldSplit {
    /// Random folds of (nearly) equal size: a random permutation π of 1…n cut at
    /// ⌈1 + (j − 1)(n − 1)/K⌉, j = 1…K + 1 (loo's `kfold_split_random`).
    public static func random(observations n: Int, folds k: Int, seed: UInt64) -> [Int] {
        let rank = permutation(n, seed: seed)
        let breaks = (0...k).map { j in (1 + Double(j) * Double(n - 1) / Double(k)).rounded(.up) }
        return rank.map { r in
            let value = Double(r + 1)
            var fold = 1
            while fold < k, value >= breaks[fold] { fold += 1 }
            return fold
        }
    }

    /// Whole groups held out together (`kfold_split_grouped`): with K equal to the number of
    /// levels L, fold j is level j (leave-one-group-out); otherwise the levels, in random order,
    /// fill K folds of ⌈L/K⌉ or ⌈L/K⌉ − 1 levels.
    public static func grouped(levelIndex: [Int], levelCount: Int, folds k: Int, seed: UInt64) -> [Int] {
        if levelCount == k { return levelIndex.map { $0 + 1 } }
        let large = (levelCount + k - 1) / k
        let smallFolds = large * k - levelCount
        let rank = permutation(levelCount, seed: seed)
        // Cumulative capacity: the first K − smallFolds folds hold `large` levels, the rest one fewer.
        var foldOfRank = [Int](repeating: 0, count: levelCount)
        var position = 0
        for fold in 1...k {
            let size = fold <= k - smallFolds ? large : large - 1
            for _ in 0..<size where position < levelCount {
                foldOfRank[position] = fold
                position += 1
            }
        }
        return levelIndex.map { foldOfRank[rank[$0]] }
    }

    /// Folds balanced within each stratum (`kfold_split_stratified`): the rows of each stratum in
    /// random order, strata one after another, dealt to folds 1, 2, …, K, 1, 2, ….
    public static func stratified(strata: [Int], folds k: Int, seed: UInt64) -> [Int] {
        var rng = Xoshiro256PlusPlus(seed: seed)
        var order: [Int] = []
        for stratum in Array(Set(strata)).sorted() {
            var rows = strata.indices.filter { strata[$0] == stratum }
            shuffle(&rows, &rng)
            order.append(contentsOf: rows)
        }
        var folds = [Int](repeating: 0, count: strata.count)
        for (position, row) in order.enumerated() { folds[row] = position % k + 1 }
        return folds
    }

    /// A random permutation: rank[i] ∈ 0..<n.
    static func permutation(_ n: Int, seed: UInt64) -> [Int] {
        var rng = Xoshiro256PlusPlus(seed: seed)
        var values = Array(0..<n)
        shuffle(&values, &rng)
        return values
    }

    /// Fisher–Yates.
    static func shuffle(_ values: inout [Int], _ rng: inout Xoshiro256PlusPlus) {
        guard values.count > 1 else { return }
        for i in stride(from: values.count - 1, to: 0, by: -1) {
            let j = min(Int(rng.nextUniform() * Double(i + 1)), i)
            values.swapAt(i, j)
        }
    }
}

/// The held-out rows of one fold with their elpd.
public struct KFoldFold: Sendable, Equatable {
    public var fold: Int
    /// Rows (indices into the design's rows) held out.
    public var rows: [Int]
    /// elpdᵢ = log((1/S) Σₛ p(yᵢ | θˢ₋ₖ)) of each held-out row under the fit without the fold.
    public var elpd: [Double]
    /// Monte Carlo standard error of each elpdᵢ (loo's `mcse_elpd` for equal weights, r_eff from
    /// the refit's chains); empty when read back from a fold file.
    public var monteCarloError: [Double] = []
    /// Held-out rows predicted as new levels (their group had no row in the training data).
    public var newLevelRows: Int

    public init(fold: Int, rows: [Int], elpd: [Double], monteCarloError: [Double] = [], newLevelRows: Int) {
        self.fold = fold
        self.rows = rows
        self.elpd = elpd
        self.monteCarloError = monteCarloError
        self.newLevelRows = newLevelRows
    }
}

/// K-fold cross-validation (brms' `kfold`; Vehtari, Gelman & Gabry 2017, §4.1): the model is refitted
/// K times, each time without one fold, and the held-out rows are predicted by the refit; a row
/// whose group was held out whole is predicted as a new level (brms' `sample_new_levels =
/// "uncertainty"`). elpd_kfold = Σᵢ elpdᵢ with SE √(n var(elpdᵢ)); kfoldic = −2 elpd_kfold;
/// p_kfold = lpd − elpd_kfold with lpd = Σᵢ log((1/S) Σₛ p(yᵢ | θˢ)) of the full-data fit.
public struct KFold: Sendable {
    public var folds: [Int]
    public var pointwiseElpd: [Double]
    public var elpd: EstimateWithError
    public var kfoldic: EstimateWithError
    /// Pointwise Monte Carlo standard errors (zeros for rows read back from fold files).
    public var pointwiseMonteCarloError: [Double]
    /// p_kfold, when the full fit's pointwise lpd is known.
    public var effectiveParameters: EstimateWithError?
    public var newLevelRows: Int

    /// Refits without fold `fold` and predicts it.
    public static func runFold(_ fold: Int, folds: [Int], design: ModelDesign, family: Family, seed: UInt64,
                               refit: @escaping @Sendable (ModelDesign) throws -> Draws) throws -> KFoldFold {
        try runFold(fold, folds: folds, seed: seed, score: HeldOutLogLikelihood.refitting(design: design, family: family, refit: refit))
    }

    /// Refits without fold `fold` and predicts it through `score` (any model that can refit itself
    /// to some rows and score the others: a distributional one too); new levels draw from
    /// `seed + fold`.
    public static func runFold(_ fold: Int, folds: [Int], seed: UInt64,
                               score: HeldOutLogLikelihood.Scoring) throws -> KFoldFold {
        let heldOut = folds.indices.filter { folds[$0] == fold }
        let kept = folds.indices.filter { folds[$0] != fold }
        guard !heldOut.isEmpty, !kept.isEmpty else {
            throw ComparisonError("fold \(fold) holds \(heldOut.count) of \(folds.count) rows; every fold needs rows both held out and kept")
        }
        let ll = try score(kept, heldOut, seed &+ UInt64(fold))
        let points = heldOut.indices.map { ll.point($0) }
        return KFoldFold(fold: fold, rows: heldOut, elpd: points.map(\.elpd), monteCarloError: points.map(\.monteCarloError),
                         newLevelRows: ll.newLevelRows)
    }

    /// Refits for every fold (several at once when `parallel`) and combines them.
    public static func run(folds: [Int], design: ModelDesign, family: Family, seed: UInt64, parallel: Bool = true,
                           fullFitLpd: [Double]? = nil,
                           refit: @escaping @Sendable (ModelDesign) throws -> Draws) throws -> KFold {
        try run(folds: folds, seed: seed, parallel: parallel, fullFitLpd: fullFitLpd,
                score: HeldOutLogLikelihood.refitting(design: design, family: family, refit: refit))
    }

    /// Refits for every fold through `score` (several at once when `parallel`) and combines them.
    public static func run(folds: [Int], seed: UInt64, parallel: Bool = true, fullFitLpd: [Double]? = nil,
                           score: @escaping HeldOutLogLikelihood.Scoring) throws -> KFold {
        let names = Array(Set(folds)).sorted()
        let results = try CrossValidationRuns.map(names, parallel: parallel) { fold in
            try runFold(fold, folds: folds, seed: seed, score: score)
        }
        return try KFold(combining: results, folds: folds, fullFitLpd: fullFitLpd)
    }

    /// Combines fold results (from one run or from separate `--fold` jobs); every row must be held
    /// out exactly once.
    public init(combining results: [KFoldFold], folds: [Int], fullFitLpd: [Double]? = nil) throws {
        let n = folds.count
        var values = [Double?](repeating: nil, count: n)
        var errors = [Double](repeating: 0, count: n)
        for result in results {
            for (row, error) in zip(result.rows, result.monteCarloError) where row < n { errors[row] = error }
            for (row, value) in zip(result.rows, result.elpd) {
                guard row < n, values[row] == nil else {
                    throw ComparisonError("fold \(result.fold): row \(row + 1) is held out more than once")
                }
                values[row] = value
            }
        }
        if let missing = values.firstIndex(where: { $0 == nil }) {
            throw ComparisonError("fold \(folds[missing]) is missing (row \(missing + 1) was never held out)")
        }
        self.folds = folds
        let elpdValues = values.map { $0! }
        pointwiseElpd = elpdValues
        pointwiseMonteCarloError = errors
        elpd = sumWithError(pointwiseElpd)
        kfoldic = EstimateWithError(estimate: -2 * elpd.estimate, standardError: 2 * elpd.standardError)
        effectiveParameters = fullFitLpd.map { lpd in sumWithError(zip(lpd, elpdValues).map { $0 - $1 }) }
        newLevelRows = results.reduce(0) { $0 + $1.newLevelRows }
    }
}
