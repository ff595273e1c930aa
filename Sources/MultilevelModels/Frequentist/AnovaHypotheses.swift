import Foundation
import MultilevelData
import MultilevelMath

/// The hypothesis matrices of lmerTest's `anova(type = 1 | 2 | 3)`: one q × p contrast matrix L per
/// fixed-effect term, tested by Lβ = 0 (Kuznetsova, Brockhoff & Christensen 2017, §3.3 and
/// lmerTest's `get_contrasts_type1` / `get_contrasts_type3`).
///
/// - Type I (sequential): the rows, for the term's columns, of the unit upper-triangular factor of
///   the Doolittle decomposition XᵀX = L D Lᵀ (rows of Lᵀ): each term adjusted for those before it.
/// - Type III (marginal, SAS's): the full indicator coding of each term (R's
///   `model.matrix(~ 0 + term)`, every level of every factor) mapped into the coefficients,
///   L₀ = ((XᵀX)⁻¹XᵀR)ᵀ; the columns of a term contained in higher-order terms are replaced by
///   their residuals on the containing terms' columns (highest order first); the rows named as X's
///   columns are kept, and a term's hypothesis is its transposed columns, zero rows dropped.
///   This is lmerTest's construction for treatment contrasts (contained: all the variables of
///   the term and more, the extra ones factors).
public enum AnovaHypotheses {
    /// Type I contrast matrices, one per term of `design.fixedTermLabels` (rows of length p).
    public static func typeI(_ design: ModelDesign) -> [[[Double]]] {
        let rows = unitUpperRows(design.fixedEffects.crossProduct)
        return design.fixedTermLabels.indices.map { term in
            design.fixedEffectAssignment.indices.filter { design.fixedEffectAssignment[$0] == term }.map { rows[$0] }
        }
    }

    /// The rows of the unit upper-triangular factor of the Doolittle decomposition A = L D Lᵀ
    /// (no pivoting; rows with a zero pivot are zero), lmerTest's `t(doolittle(A)$L)`.
    static func unitUpperRows(_ a: DenseMatrix) -> [[Double]] {
        let p = a.columns
        var u = a
        for k in 0..<p {
            let pivot = u[k, k]
            guard pivot != 0 else { continue }
            for i in (k + 1)..<max(k + 1, p) {
                let factor = u[i, k] / pivot
                for j in k..<p { u[i, j] -= factor * u[k, j] }
            }
        }
        return (0..<p).map { i -> [Double] in
            (0..<p).map { j in j < i ? 0 : (u[i, i] != 0 ? u[i, j] / u[i, i] : 0) }
        }
    }

    /// The terms containing each term (lmerTest's `containment`, SAS's definition): all its
    /// variables and more, the extra ones factors.
    static func containment(_ design: ModelDesign) -> [[Int]] {
        let variables = design.fixedTermVariables.map(Set.init)
        return design.fixedTermLabels.indices.map { term in
            design.fixedTermLabels.indices.filter { other in
                let extra = variables[other].subtracting(variables[term])
                return variables[term].isSubset(of: variables[other]) && !extra.isEmpty
                    && extra.isSubset(of: design.fixedFactorVariables)
            }
        }
    }

    /// Type II contrast matrices (lmerTest's default type 2, `get_contrasts_type2_unfolded`): a term
    /// contained in no other is tested marginally (its coefficients = 0); a contained term by the
    /// type I rows of its columns with X's columns reordered as [unrelated terms, the term, the
    /// terms containing it] — adjusted for everything except the terms that contain it.
    public static func typeII(_ design: ModelDesign) -> [[[Double]]] {
        let terms = design.fixedTermLabels
        let x = design.fixedEffects
        let p = x.columns
        guard p > 1, terms.count > 1 else { return typeI(design) }
        let assignment = design.fixedEffectAssignment
        let containing = containment(design)
        let crossProduct = x.crossProduct
        return terms.indices.map { term in
            let own = assignment.indices.filter { assignment[$0] == term }
            if containing[term].isEmpty {
                return own.map { c in (0..<p).map { $0 == c ? 1.0 : 0.0 } }
            }
            let related = own + containing[term].flatMap { other in assignment.indices.filter { assignment[$0] == other } }
            let order = (0..<p).filter { !related.contains($0) } + related
            var permuted = DenseMatrix(rows: p, columns: p)
            for (i, a) in order.enumerated() { for (j, b) in order.enumerated() { permuted[i, j] = crossProduct[a, b] } }
            let rows = unitUpperRows(permuted)
            return order.indices.filter { assignment[order[$0]] == term }.map { position in
                var row = [Double](repeating: 0, count: p)
                for (k, column) in order.enumerated() { row[column] = rows[position][k] }
                return row
            }
        }
    }

    /// Type III contrast matrices, one per term (type I when there is at most one term or column,
    /// as lmerTest does).
    public static func typeIII(_ design: ModelDesign) -> [[[Double]]] {
        let terms = design.fixedTermLabels
        let x = design.fixedEffects
        let p = x.columns
        let n = x.rows
        guard p > 1, terms.count > 1, design.fullIndicatorColumns.count == terms.count else { return typeI(design) }
        // R: the intercept (if any), then each term's full indicator coding.
        var names: [String] = []
        var columns: [[Double]] = []
        var rowTerm: [Int] = []
        if design.hasIntercept { names.append("(Intercept)"); columns.append([Double](repeating: 1, count: n)); rowTerm.append(-1) }
        for (t, coding) in design.fullIndicatorColumns.enumerated() {
            names += coding.names
            columns += coding.values
            rowTerm += [Int](repeating: t, count: coding.names.count)
        }
        // L₀ (rows: R's columns, columns: X's coefficients) = ((XᵀX)⁻¹ Xᵀ R)ᵀ.
        guard let inverse = try? x.crossProduct.symmetricPositiveDefiniteInverse() else { return typeI(design) }
        var l = columns.map { column -> [Double] in
            let xtr = x.transposeMultiplied(by: column)
            return zapSmall(inverse.multiplied(by: xtr))
        }
        // Orthogonalise terms contained in others, higher order first (stable).
        let variables = design.fixedTermVariables.map(Set.init)
        let order = terms.indices.sorted { variables[$0].count != variables[$1].count ? variables[$0].count > variables[$1].count : $0 < $1 }
        let assignment = design.fixedEffectAssignment
        let containment = containment(design)
        for term in order {
            let containing = containment[term]
            guard !containing.isEmpty else { continue }
            let basisColumns = assignment.indices.filter { containing.contains(assignment[$0]) }
            let basis = orthonormalBasis(basisColumns.map { c in l.map { $0[c] } })
            for c in assignment.indices where assignment[c] == term {
                var v = l.map { $0[c] }
                for q in basis {
                    let dot = zip(q, v).reduce(0) { $0 + $1.0 * $1.1 }
                    for r in v.indices { v[r] -= dot * q[r] }
                }
                let zapped = zapSmall(v)
                for r in l.indices { l[r][c] = zapped[r] }
            }
        }
        // Keep the rows named as X's columns, in X's order.
        let rowIndex = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let kept = design.fixedEffectNames.map { rowIndex[$0] }
        return terms.indices.map { term in
            assignment.indices.filter { assignment[$0] == term }.compactMap { c -> [Double]? in
                let row = kept.map { $0.map { l[$0][c] } ?? 0 }
                return row.reduce(0) { $0 + abs($1) } > 1e-8 ? row : nil
            }
        }
    }

    /// R's `zapsmall(x, digits = 7)`: round to 7 − ⌈log₁₀ max|x|⌉ decimals.
    static func zapSmall(_ values: [Double]) -> [Double] {
        let largest = values.map(abs).max() ?? 0
        guard largest > 0 else { return values }
        let digits = max(0, 7 - Int(ceil(log10(largest))))
        let scale = pow(10, Double(digits))
        return values.map { ($0 * scale).rounded() / scale }
    }

    /// An orthonormal basis of the span of `vectors` (modified Gram–Schmidt, twice; vectors whose
    /// remainder is below 1e-7 of their norm are dependent and dropped, as `lm.fit`'s tolerance).
    static func orthonormalBasis(_ vectors: [[Double]]) -> [[Double]] {
        var basis: [[Double]] = []
        for vector in vectors {
            let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard norm > 0 else { continue }
            var v = vector
            for _ in 0..<2 {
                for q in basis {
                    let dot = zip(q, v).reduce(0) { $0 + $1.0 * $1.1 }
                    for r in v.indices { v[r] -= dot * q[r] }
                }
            }
            let remainder = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if remainder > 1e-7 * norm { basis.append(v.map { $0 / remainder }) }
        }
        return basis
    }
}
