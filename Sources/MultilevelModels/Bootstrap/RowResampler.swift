import MultilevelData
import MultilevelMath

/// The case bootstrap for a mixed-model design: each replicate draws m = ⌈fraction · n⌉ of the n
/// rows uniformly with replacement (Davison & Hinkley 1997, §2.3; with fraction < 1 the
/// m-out-of-n bootstrap of Bickel, Götze & van Zwet 1997, whose replicates vary as estimates from
/// m rows do).
public struct RowResampler: Sendable {
    public let design: ModelDesign
    /// The number of rows m of each replicate.
    public let sampleSize: Int

    /// Throws when the fraction is not in (0, 1].
    public init(design: ModelDesign, fraction: Double) throws {
        guard fraction > 0, fraction <= 1 else {
            throw MixedModelError("the kept fraction of rows must be in (0, 1], not \(fraction)")
        }
        self.design = design
        sampleSize = max(1, Int((fraction * Double(design.rowCount)).rounded(.up)))
    }

    /// One resampled design.
    public func resample(using generator: inout Xoshiro256PlusPlus) -> ModelDesign {
        let n = design.rowCount
        let rows = (0..<sampleSize).map { _ in uniformIndex(n, using: &generator) }
        return design.selectingRows(rows)
    }
}
