import Foundation
import MultilevelData
import MultilevelMath
import MultilevelSampling

/// The S × n pointwise log-likelihood log N(yᵢ | μᵢˢ, σˢ) of a gaussian multilevel fit (rows =
/// draws, chains in order; columns = observations), from brms' constrained draws:
/// μᵢ = Σₜ b_t Xᵢₜ + Σ_terms Σₖ r_<group>[levelᵢ, k] Zᵢₖ — the input of PSIS-LOO and WAIC
/// (brms' `log_lik`). Nil when a needed variable is missing from the draws.
public func gaussianPointwiseLogLikelihood(design: ModelDesign, draws: Draws) -> DenseMatrix? {
    guard let sigma = draws.index(of: "sigma") else { return nil }
    let fixed = design.fixedEffectNames.map { draws.index(of: "b_" + brmsName(ofColumn: $0)) }
    guard fixed.allSatisfy({ $0 != nil }) else { return nil }
    // Per term: the draw column of r_<group>[level, column] for every level × column.
    var random: [[Int]] = []
    for term in design.randomTerms {
        var columns: [Int] = []
        for level in term.grouping.levels {
            for name in term.brmsColumnNames {
                guard let index = draws.index(of: "r_\(term.grouping.name)[\(level),\(name)]") else { return nil }
                columns.append(index)
            }
        }
        random.append(columns)
    }
    let n = design.rowCount, p = fixed.count, width = draws.variableCount
    let s = draws.chains.reduce(0) { $0 + $1.count / max(1, width) }
    var result = DenseMatrix(rows: s, columns: n)
    let halfLogTwoPi = 0.5 * log(2 * Double.pi)
    var row = 0
    for chain in draws.chains {
        for d in 0..<(chain.count / max(1, width)) {
            let base = d * width
            let sd = chain[base + sigma]
            for i in 0..<n {
                var mean = 0.0
                for t in 0..<p { mean += chain[base + fixed[t]!] * design.fixedEffects[i, t] }
                for (k, term) in design.randomTerms.enumerated() {
                    let q = term.columnCount
                    let level = term.grouping.levelIndex[i]
                    for j in 0..<q { mean += chain[base + random[k][level * q + j]] * term.values[i * q + j] }
                }
                let z = (design.response[i] - mean) / sd
                result[row, i] = -halfLogTwoPi - log(sd) - 0.5 * z * z
            }
            row += 1
        }
    }
    return result
}
