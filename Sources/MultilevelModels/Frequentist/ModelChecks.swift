import MultilevelData
import MultilevelMath

/// A model lme4 would refuse, or input it cannot fit: one line naming the problem.
public struct MixedModelError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// lme4's checks on the random-effects structure before fitting (`lmerControl`: check.nlev.gtr.1,
/// check.nobs.vs.nlev, check.nobs.vs.nRE — all "stop" by default), with lme4's wording. With
/// `generalized` only glmer's default applies (`glmerControl`: check.nlev.gtr.1 "stop", the two
/// count checks "ignore"), so an observation-level random effect `(1 | obs)` fits.
public func checkRandomEffectsStructure(_ design: ModelDesign, generalized: Bool = false) throws {
    let n = design.rowCount
    guard !design.randomTerms.isEmpty else {
        throw MixedModelError("no random effects terms specified in formula '\(design.formulaText)' (use --pooling complete for lm)")
    }
    guard design.response.allSatisfy({ $0.isFinite }) else {
        throw MixedModelError("response '\(design.responseName)' has non-finite values")
    }
    for term in design.randomTerms {
        let used = Set(term.grouping.levelIndex).count
        if used < 2 {
            throw MixedModelError("grouping factors must have > 1 sampled level (problem: \(term.grouping.name) in \(term.text))")
        }
        if generalized { continue }
        if n <= used {
            throw MixedModelError("number of levels of each grouping factor must be < number of observations (problems: \(term.grouping.name))")
        }
        let randomEffects = used * term.columnCount
        if n <= randomEffects {
            throw MixedModelError("number of observations (=\(n)) <= number of random effects (=\(randomEffects)) for term \(term.text); the random-effects parameters and the residual variance (or scale parameter) are probably unidentifiable")
        }
    }
}

/// Drops fixed-effect columns that are linear combinations of earlier ones (R's `lm` and lme4 keep
/// the first of an aliased set), by Gram–Schmidt with relative tolerance 1e-7 as R's QR uses.
/// Returns the reduced design and the dropped names (empty when X has full column rank).
public func droppingAliasedColumns(_ design: ModelDesign) -> (design: ModelDesign, dropped: [String]) {
    let x = design.fixedEffects
    let n = x.rows
    var basis: [[Double]] = []
    var kept: [Int] = []
    var dropped: [String] = []
    for j in 0..<x.columns {
        var v = x.column(j)
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        for b in basis {
            var dot = 0.0
            for i in 0..<n { dot += b[i] * v[i] }
            for i in 0..<n { v[i] -= dot * b[i] }
        }
        let residual = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        if norm == 0 || residual <= 1e-7 * norm {
            dropped.append(design.fixedEffectNames[j])
            continue
        }
        basis.append(v.map { $0 / residual })
        kept.append(j)
    }
    guard !dropped.isEmpty else { return (design, []) }
    var reduced = design
    var matrix = DenseMatrix(rows: n, columns: kept.count)
    for (k, j) in kept.enumerated() { for i in 0..<n { matrix[i, k] = x[i, j] } }
    reduced.fixedEffects = matrix
    reduced.fixedEffectNames = kept.map { design.fixedEffectNames[$0] }
    reduced.droppedFixedEffectNames = design.droppedFixedEffectNames + dropped
    return (reduced, dropped)
}
