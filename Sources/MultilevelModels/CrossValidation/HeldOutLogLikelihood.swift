import MultilevelData
import MultilevelMath
import MultilevelSampling

/// The log-likelihood of held-out rows under a fit made without them (K-fold and exact LOO,
/// Vehtari, Gelman & Gabry 2017, §4): an S × m matrix log p(yᵢ | θˢ₋ₖ) (draws × held-out rows),
/// the refit's number of chains (for each row's relative efficiency) and how many held-out rows
/// were predicted as new levels of a grouping factor.
public struct HeldOutLogLikelihood: Sendable {
    public var matrix: DenseMatrix
    public var chains: Int
    public var newLevelRows: Int

    public init(matrix: DenseMatrix, chains: Int, newLevelRows: Int) {
        self.matrix = matrix
        self.chains = chains
        self.newLevelRows = newLevelRows
    }

    /// Refits a model without the held-out rows and scores them: given the rows kept, the rows held
    /// out (indices into the full data's rows) and a seed for new-level stand-ins.
    public typealias Scoring = @Sendable (_ kept: [Int], _ heldOut: [Int], _ seed: UInt64) throws -> HeldOutLogLikelihood

    /// The scoring of an ordinary (constant-parameter) model: `refit` fits `design.trainingDesign(rows: kept)`
    /// and the held-out rows' log-likelihood comes from `PointwiseLogLikelihood` with the refit's levels.
    public static func refitting(design: ModelDesign, family: Family,
                                 refit: @escaping @Sendable (ModelDesign) throws -> Draws) -> Scoring {
        { kept, heldOut, seed in
            let training = design.trainingDesign(rows: kept)
            let draws = try refit(training)
            let ll = try PointwiseLogLikelihood(design: design.selectingRows(heldOut), family: family, draws: draws,
                                                fittedLevels: training.groupingLevels, seed: seed)
            return HeldOutLogLikelihood(matrix: ll.matrix(), chains: ll.chainLengths.count, newLevelRows: ll.newLevelRowCount)
        }
    }

    /// Held-out row j's elpd = log((1/S) Σₛ p(yⱼ | θˢ₋ₖ)) with its Monte Carlo SE
    /// (`PSISLeaveOneOut.exactPoint`; `lpd` and `paretoK` carried through).
    public func point(_ j: Int, lpd: Double = 0, paretoK: Double = 0) -> LeaveOneOutPoint {
        matrix.column(j).withUnsafeBufferPointer { column in
            PSISLeaveOneOut.exactPoint(logLikelihood: column,
                                       relativeEfficiency: RelativeEfficiency.ofLikelihood(logLikelihood: column, chains: max(1, chains)),
                                       lpd: lpd, paretoK: paretoK)
        }
    }
}
