import Foundation
import MultilevelData
import MultilevelMath

/// The blocked mixed-model equations of a weighted least-squares problem whose weights change
/// from one solve to the next — PIRLS' working weights (Bates et al. 2015 §5; MixedModels.jl's
/// `pirls!` refills its blocked `A` the same way): the rows of Z and X scaled by √wᵢ and a new
/// response z, written in place into a `BlockedMixedModelEquations` of the same design.
///
/// Which levels of the terms meet in a row does not depend on the weights, so the sparsity of the
/// blocked system (the segments of block column 0 and the dense rest) is found once; each refill
/// is then one pass over the rows, O(n·(Σₖqₖ + p + 1)²), with no look-ups or allocation, and the
/// factorisation is the linear models' `update(theta:)` (a diagonal block per level of the largest
/// factor, the sparse off-diagonal block, a small dense block for the rest).
public struct WeightedMixedModelEquations {
    /// The unweighted system whose structure every refill reuses (never refactored itself).
    let prototype: BlockedMixedModelEquations
    /// Whether X is part of the system (β estimated jointly with u) or left out (β held).
    public let includesFixedEffects: Bool
    /// For row r and fitting-order term k ≥ 1: offset in the block-column-0 values of the segment
    /// where r's level of term k meets r's level of term 0 (`r * (K − 1) + k − 1`).
    let segmentOffsets: [Int]
    /// For each level of term 0: offset of its X/y segment.
    let fixedSegmentOffsets: [Int]
    /// For row r and term k ≥ 1: the first rest row of r's level of term k (same layout).
    let restRows: [Int]
    /// Each row's random-effect values of all terms in fitting order (row-major, Σₖqₖ per row),
    /// and each row's level of term 0, so that a refill reads them through one pointer each.
    let rowValues: [Double]
    let firstLevels: [Int]

    /// The structure of the weighted system of `randomTerms` (design order) and, when
    /// `includingFixedEffects`, the p columns of `fixedEffects`.
    public init(randomTerms: [RandomEffectTerm], fixedEffects: DenseMatrix, includingFixedEffects: Bool) {
        let n = fixedEffects.rows
        let x = includingFixedEffects ? fixedEffects : DenseMatrix(rows: n, columns: 0)
        let prototype = BlockedMixedModelEquations(response: [Double](repeating: 0, count: n), fixedEffects: x,
                                                   randomTerms: randomTerms)
        self.prototype = prototype
        includesFixedEffects = includingFixedEffects
        let terms = prototype.terms
        let others = terms.count - 1
        var offsets = [Int](repeating: 0, count: n * others)
        var restRows = [Int](repeating: 0, count: n * others)
        var fixedOffsets = [Int](repeating: 0, count: prototype.levels0)
        for l in 0..<prototype.levels0 {
            for s in prototype.segmentStart[l]..<prototype.segmentStart[l + 1] where prototype.segmentTerm[s] < 0 {
                fixedOffsets[l] = prototype.segmentValue[s]
            }
        }
        for r in 0..<n where others > 0 {
            let l0 = terms[0].grouping.levelIndex[r]
            let first = prototype.segmentStart[l0], last = prototype.segmentStart[l0 + 1]
            for k in 1..<terms.count {
                let row = prototype.restOffsets[k] + terms[k].grouping.levelIndex[r] * terms[k].columnCount
                // Segments of a level are sorted by their first rest row: binary search.
                var low = first, high = last - 1
                while low < high {
                    let middle = (low + high) / 2
                    if prototype.segmentRow[middle] < row { low = middle + 1 } else { high = middle }
                }
                precondition(prototype.segmentRow[low] == row, "every level pair of a row has its segment")
                offsets[r * others + k - 1] = prototype.segmentValue[low]
                restRows[r * others + k - 1] = row
            }
        }
        segmentOffsets = offsets
        fixedSegmentOffsets = fixedOffsets
        self.restRows = restRows
        let width = terms.reduce(0) { $0 + $1.columnCount }
        var rowValues = [Double](repeating: 0, count: n * width)
        for r in 0..<n {
            var column = r * width
            for term in terms {
                let q = term.columnCount
                for j in 0..<q { rowValues[column] = term.values[r * q + j]; column += 1 }
            }
        }
        self.rowValues = rowValues
        firstLevels = terms[0].grouping.levelIndex
    }

    /// A new system with this structure, to refill and factor (each PIRLS run owns one).
    public func makeEquations() -> BlockedMixedModelEquations {
        BlockedMixedModelEquations(copyingStructureOf: prototype)
    }

    /// Writes the cross products of [√W ZΛ-free, √W X, z] into `equations` (made by
    /// `makeEquations`): `rootWeights` √wᵢ scale the rows of Z and X (the design's unweighted
    /// values), `response` is the already weighted working response. Same sums, in the same
    /// order, as building the system from the scaled rows.
    public func refill(_ equations: BlockedMixedModelEquations, rootWeights: [Double], response: [Double],
                       fixedEffects: DenseMatrix) {
        let terms = prototype.terms
        let n = prototype.observationCount
        let p = includesFixedEffects ? fixedEffects.columns : 0
        let q0 = prototype.q0, m = prototype.restSize, zRest = prototype.zRestSize
        let others = terms.count - 1
        var a00 = [Double](), a10 = [Double](), aRest = [Double]()
        swap(&a00, &equations.a00); swap(&a10, &equations.a10); swap(&aRest, &equations.aRest)
        defer { swap(&a00, &equations.a00); swap(&a10, &equations.a10); swap(&aRest, &equations.aRest) }
        let qs = terms.map(\.columnCount)
        let width = qs.reduce(0, +)
        let maximumQ = qs.max() ?? 1
        a00.withUnsafeMutableBufferPointer { a00Buffer in
          a10.withUnsafeMutableBufferPointer { a10Buffer in
            aRest.withUnsafeMutableBufferPointer { restBuffer in
              segmentOffsets.withUnsafeBufferPointer { segmentOffsets in
                restRows.withUnsafeBufferPointer { restRows in
                  fixedEffects.elements.withUnsafeBufferPointer { x in
                    rowValues.withUnsafeBufferPointer { rowValues in
                      firstLevels.withUnsafeBufferPointer { firstLevels in
                        rootWeights.withUnsafeBufferPointer { rootWeights in
                          response.withUnsafeBufferPointer { response in
                    withUnsafeTemporaryAllocation(of: Int.self, capacity: m) { indexBuffer in
                      withUnsafeTemporaryAllocation(of: Double.self, capacity: m + 2 * maximumQ) { valueBuffer in
            let a00 = a00Buffer.baseAddress!, rest = restBuffer.baseAddress!
            let a10 = a10Buffer.baseAddress ?? UnsafeMutablePointer<Double>(bitPattern: 8)!
            let restIndices = indexBuffer.baseAddress!, restValues = valueBuffer.baseAddress!
            let z0 = restValues + m, zk = z0 + maximumQ
            let values = rowValues.baseAddress!
            a00.update(repeating: 0, count: a00Buffer.count)
            a10.update(repeating: 0, count: a10Buffer.count)
            rest.update(repeating: 0, count: restBuffer.count)
            if q0 == 1 && qs.allSatisfy({ $0 == 1 }) {
                // Scalar terms (the crossed-intercept case): the loops below with q = 1.
                for r in 0..<n {
                    let root = rootWeights[r]
                    let l0 = firstLevels[r]
                    let row = values + r * width
                    let v0 = row[0] * root
                    a00[l0] += v0 * v0
                    var count = 0
                    for k in 0..<others {
                        let v = row[k + 1] * root
                        a10[segmentOffsets[r * others + k]] += v * v0
                        restIndices[count] = restRows[r * others + k]; restValues[count] = v; count += 1
                    }
                    let fixedOffset = fixedSegmentOffsets[l0]
                    for i in 0..<p {
                        let value = x[r + i * n] * root
                        a10[fixedOffset + i] += value * v0
                        restIndices[count] = zRest + i; restValues[count] = value; count += 1
                    }
                    let y = response[r]
                    a10[fixedOffset + p] += y * v0
                    restIndices[count] = m - 1; restValues[count] = y; count += 1
                    addOuterProduct(into: rest, stride: m, indices: restIndices, values: restValues, count: count)
                }
                return
            }
            for r in 0..<n {
                let root = rootWeights[r]
                let l0 = firstLevels[r]
                var row = values + r * width
                for j in 0..<q0 { z0[j] = row[j] * root }
                row += q0
                let base00 = l0 * q0 * q0
                for j in 0..<q0 { for i in 0..<q0 { a00[base00 + i + j * q0] += z0[i] * z0[j] } }
                var count = 0
                for k in 1..<(others + 1) where others > 0 {
                    let q = qs[k]
                    for i in 0..<q { zk[i] = row[i] * root }
                    row += q
                    let offset = segmentOffsets[r * others + k - 1]
                    for j in 0..<q0 { for i in 0..<q { a10[offset + i + j * q] += zk[i] * z0[j] } }
                    let rowStart = restRows[r * others + k - 1]
                    for i in 0..<q { restIndices[count] = rowStart + i; restValues[count] = zk[i]; count += 1 }
                }
                let fixedOffset = fixedSegmentOffsets[l0]
                let y = response[r]
                for i in 0..<p {
                    let value = x[r + i * n] * root
                    for j in 0..<q0 { a10[fixedOffset + i + j * (p + 1)] += value * z0[j] }
                    restIndices[count] = zRest + i; restValues[count] = value; count += 1
                }
                for j in 0..<q0 { a10[fixedOffset + p + j * (p + 1)] += y * z0[j] }
                restIndices[count] = m - 1; restValues[count] = y; count += 1
                addOuterProduct(into: rest, stride: m, indices: restIndices, values: restValues, count: count)
            }
                      }
                    }
                          }
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
        equations.invalidateFactor()
    }

    /// The rank-one update of one row: A[iₐ, i_b] += vₐ v_b for the row's `count` nonzero positions
    /// iₐ of the dense rest block (column-major, leading dimension `stride`), skipping zero vₐ.
    @inline(__always)
    private func addOuterProduct(into rest: UnsafeMutablePointer<Double>, stride m: Int,
                                 indices: UnsafeMutablePointer<Int>, values: UnsafeMutablePointer<Double>, count: Int) {
        for a in 0..<count {
            let va = values[a]
            if va == 0 { continue }
            let column = rest + indices[a] * m
            for b in 0..<count { column[indices[b]] += values[b] * va }
        }
    }
}
