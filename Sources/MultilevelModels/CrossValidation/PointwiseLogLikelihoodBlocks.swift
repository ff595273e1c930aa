/// A fit's pointwise log-likelihood log p(yᵢ | θˢ) as `LeaveOneOutCriteria` reads it: block by block
/// of rows, never as a whole n × S matrix. `PointwiseLogLikelihood` (one linear predictor) and
/// `DistributionalLogLikelihood` (brms' `bf()`, a linear predictor per dpar) provide it.
public protocol PointwiseLogLikelihoodBlocks: Sendable {
    /// Number of rows n.
    var observationCount: Int { get }
    /// Total number of draws S (all chains, chain after chain).
    var drawCount: Int { get }
    /// Draws per chain, in chain order.
    var chainLengths: [Int] { get }
    /// Rows per block so that a block of S × rows doubles stays near `targetValues`.
    func blockRows(targetValues: Int) -> Int
    /// log p(yᵢ | θˢ) for the rows in `rows`, observation-major: the S draws of row
    /// `rows.lowerBound + j` at `output[j * S ..< (j + 1) * S]`.
    func block(rows: Range<Int>, into output: UnsafeMutableBufferPointer<Double>)
}

extension PointwiseLogLikelihood: PointwiseLogLikelihoodBlocks {}
