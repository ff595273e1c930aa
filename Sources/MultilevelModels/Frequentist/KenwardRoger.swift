import Foundation
import MultilevelData
import MultilevelMath

/// Kenward & Roger's (1997, Biometrics 53, 983–997) small-sample inference for the fixed effects of
/// a linear mixed model fitted by REML, as pbkrtest computes it (Halekoh & Højsgaard 2014, JSS
/// 59(9); `vcovAdj`, `Lb_ddf`, `KRmodcomp`) and lmerTest reports it (`ddf = "Kenward-Roger"`).
///
/// The marginal covariance is written linearly in the variance parameters γ, Σ = Σᵣ γᵣ Gᵣ: one
/// γ per entry of each random-effect term's covariance matrix (lower triangle, Gᵣ = Z Eᵣ Zᵀ with
/// Eᵣ the symmetric indicator of that entry in every level's block) and σ² with G = I. With
/// Φ = (XᵀΣ⁻¹X)⁻¹ and
///
/// - Pᵣ = −XᵀΣ⁻¹GᵣΣ⁻¹X, Qᵣₛ = XᵀΣ⁻¹GᵣΣ⁻¹GₛΣ⁻¹X,
/// - the REML information Iᵣₛ = ½ [tr(Σ⁻¹GᵣΣ⁻¹Gₛ) − 2 tr(ΦQᵣₛ) + tr(ΦPᵣΦPₛ)], W = I⁻¹ (the
///   covariance of γ̂; a Moore–Penrose inverse when it is singular, as pbkrtest does),
///
/// the adjusted covariance is Φ_A = Φ + 2 Φ [Σᵣₛ Wᵣₛ (Qᵣₛ − PᵣΦPₛ)] Φ (eq. 2 of the paper with the
/// second derivatives of Σ zero, Σ being linear in γ). For a q-row hypothesis Lβ = 0, with
/// Θ = Lᵀ(LΦLᵀ)⁻¹L, A₁ = Σᵣₛ Wᵣₛ tr(ΘΦPᵣΦ) tr(ΘΦPₛΦ) and A₂ = Σᵣₛ Wᵣₛ tr(ΘΦPᵣΦΘΦPₛΦ), the
/// Wald statistic F = (Lβ̂)ᵀ(LΦ_ALᵀ)⁻¹(Lβ̂)/q is scaled by λ and referred to F(q, m) with the
/// moment-matched m and λ of §3 of the paper (pbkrtest's `.KR_adjust`).
///
/// Every matrix above is a block of Bᵀ Σ⁻ᵏ B, B = [Z X], k = 1, 2, 3, which the Woodbury identity
/// gives from the q × q matrix K = ΛᵀZᵀZΛ + I (q random effects): with U = ZΛ and a = UᵀB,
/// σ²ᵏ BᵀΣ⁻ᵏB = BᵀB − aᵀ(K⁻¹ + … + K⁻ᵏ)a and σ⁴ tr(Σ⁻²) = n − q + tr(K⁻²). The cost is dense
/// q × q algebra, O(q³) time and O(q²) memory, which is why fits with more than
/// `maximumRandomEffects` random effects are refused (pbkrtest itself inverts the n × n Σ).
public struct KenwardRoger: FixedEffectTesting {
    /// Above this many random effects (q) the dense q × q algebra takes more than seconds and
    /// hundreds of megabytes, and Kenward–Roger is refused.
    public static let maximumRandomEffects = 2000

    /// β̂, the unadjusted Φ = Var(β̂) and Kenward & Roger's adjusted Φ_A.
    public let fixedEffects: [Double]
    public let fixedEffectsCovariance: DenseMatrix
    public let adjustedCovariance: DenseMatrix
    /// Pᵣ (p × p) per variance parameter, σ² last, and W (the covariance of γ̂).
    let derivatives: [DenseMatrix]
    let parameterCovariance: DenseMatrix

    /// Why Kenward–Roger is not available for a fit: one line.
    public struct Refusal: Error, CustomStringConvertible {
        public let description: String
    }

    /// The adjusted covariance of a REML fit of `model` (its reduced design and the fit's θ̂, σ̂).
    public init(model: LinearMixedModel, fit: LinearMixedModelFit) throws {
        guard fit.method == .reml else {
            throw Refusal(description: "Kenward-Roger needs a REML fit (drop --ml), as pbkrtest and lmerTest do")
        }
        let design = model.design
        let terms = fit.terms
        let q = terms.reduce(0) { $0 + $1.columnCount * $1.grouping.levelCount }
        guard q <= Self.maximumRandomEffects else {
            throw Refusal(description: "Kenward-Roger is limited to \(Self.maximumRandomEffects) random effects (this model has \(q)): its dense q × q algebra grows as q³; use --ddf satterthwaite")
        }
        let x = design.fixedEffects
        let n = x.rows, p = x.columns
        let m = q + p
        let sigma2 = fit.sigma * fit.sigma
        let phi = fit.fixedEffectsCovariance

        // Per row: Z's and U = ZΛ's non-zeros (global random-effect index, value).
        var offsets: [Int] = []
        var total = 0
        for term in terms { offsets.append(total); total += term.columnCount * term.grouping.levelCount }
        let templates = terms.indices.map { fit.covarianceFactor.template(ofTerm: $0, theta: fit.theta) }
        // Accumulated column-major: K (q × q), a = Uᵀ[Z X] (q × m), T = [Z X]ᵀ[Z X] (m × m).
        var k = [Double](repeating: 0, count: q * q)
        var a = [Double](repeating: 0, count: q * m)
        var t = [Double](repeating: 0, count: m * m)
        var zIndex: [Int] = [], zValue: [Double] = [], uValue: [Double] = []
        for r in 0..<n {
            zIndex.removeAll(keepingCapacity: true); zValue.removeAll(keepingCapacity: true); uValue.removeAll(keepingCapacity: true)
            for (s, term) in terms.enumerated() {
                let d = term.columnCount
                let base = offsets[s] + term.grouping.levelIndex[r] * d
                for j in 0..<d {
                    var u = 0.0
                    for i in j..<d { u += term.values[r * d + i] * templates[s][i + j * d] }
                    zIndex.append(base + j); zValue.append(term.values[r * d + j]); uValue.append(u)
                }
            }
            let xRow = (0..<p).map { x[r, $0] }
            for (b, column) in zIndex.enumerated() {
                for (c, row) in zIndex.enumerated() {
                    k[row + column * q] += uValue[c] * uValue[b]
                    a[row + column * q] += uValue[c] * zValue[b]
                    t[row + column * m] += zValue[c] * zValue[b]
                }
                for j in 0..<p {
                    a[column + (q + j) * q] += uValue[b] * xRow[j]
                    t[column + (q + j) * m] += zValue[b] * xRow[j]
                    t[(q + j) + column * m] += zValue[b] * xRow[j]
                }
            }
            for j in 0..<p { for i in 0..<p { t[(q + i) + (q + j) * m] += xRow[i] * xRow[j] } }
        }
        for i in 0..<q { k[i + i * q] += 1 }
        let factor = try DenseMatrix(rows: q, columns: q, columnMajor: k).choleskyLower()

        // V = L⁻¹a, Y = K⁻¹a = L⁻ᵀV; F₁ = aᵀK⁻¹a = VᵀV, F₂ = F₁ + YᵀY, F₃ (X block) = F₂ + (L⁻¹Y)ᵀ(L⁻¹Y).
        var v = a, y = a
        factor.elements.withUnsafeBufferPointer { l in
            v.withUnsafeMutableBufferPointer { buffer in
                for c in 0..<m { solveLowerInPlace(l.baseAddress!, order: q, leadingDimension: q, buffer.baseAddress! + c * q) }
            }
            y = v
            y.withUnsafeMutableBufferPointer { buffer in
                for c in 0..<m { solveLowerTransposeInPlace(l.baseAddress!, order: q, leadingDimension: q, buffer.baseAddress! + c * q) }
            }
        }
        var yx = Array(y[(q * q)...])
        factor.elements.withUnsafeBufferPointer { l in
            yx.withUnsafeMutableBufferPointer { buffer in
                for c in 0..<p { solveLowerInPlace(l.baseAddress!, order: q, leadingDimension: q, buffer.baseAddress! + c * q) }
            }
        }
        let f1 = Self.gram(v, rows: q, columns: m)
        let yty = Self.gram(y, rows: q, columns: m)
        let third = Self.gram(yx, rows: q, columns: p)
        let kInverse = factor.inverseFromCholeskyFactor
        let traceK2 = kInverse.elements.reduce(0) { $0 + $1 * $1 }

        // Blocks of BᵀΣ⁻ᵏB: C = ZᵀΣ⁻¹Z, D = ZᵀΣ⁻²Z, M = ZᵀΣ⁻¹X, M₂ = ZᵀΣ⁻²X (row-major q × p),
        // XᵀΣ⁻²X and XᵀΣ⁻³X.
        let s2 = sigma2, s4 = sigma2 * sigma2, s6 = s4 * sigma2
        let c = DenseMatrix(rows: q, columns: q, columnMajor: (0..<(q * q)).map { (t[($0 % q) + ($0 / q) * m] - f1[($0 % q) + ($0 / q) * m]) / s2 })
        func dEntry(_ i: Int, _ j: Int) -> Double { (t[i + j * m] - f1[i + j * m] - yty[i + j * m]) / s4 }
        var mRows = [Double](repeating: 0, count: q * p), m2Rows = [Double](repeating: 0, count: q * p)
        for i in 0..<q { for j in 0..<p {
            let index = i + (q + j) * m
            mRows[i * p + j] = (t[index] - f1[index]) / s2
            m2Rows[i * p + j] = (t[index] - f1[index] - yty[index]) / s4
        } }
        var xw2x = DenseMatrix(rows: p, columns: p), xw3x = DenseMatrix(rows: p, columns: p)
        for i in 0..<p { for j in 0..<p {
            let index = (q + i) + (q + j) * m
            xw2x[i, j] = (t[index] - f1[index] - yty[index]) / s4
            xw3x[i, j] = (t[index] - f1[index] - yty[index] - third[i + j * p]) / s6
        } }
        let traceW2 = (Double(n - q) + traceK2) / s4

        // The variance parameters: each term's lower-triangle entries, as index pairs (a, b) of Eᵣ.
        var pairs: [[(Int, Int)]] = []
        for (s, term) in terms.enumerated() {
            let d = term.columnCount
            for j in 0..<d { for i in j..<d {
                var list: [(Int, Int)] = []
                for g in 0..<term.grouping.levelCount {
                    let base = offsets[s] + g * d
                    list.append((base + i, base + j))
                    if i != j { list.append((base + j, base + i)) }
                }
                pairs.append(list)
            } }
        }
        let randomCount = pairs.count
        let count = randomCount + 1

        /// Σ_{(a,b)} left[a,:]ᵀ right[b,:] for row-major q × p `left`, `right`.
        func sandwich(_ list: [(Int, Int)], _ left: [Double], _ right: [Double]) -> DenseMatrix {
            var result = DenseMatrix(rows: p, columns: p)
            for (row, column) in list {
                for j in 0..<p {
                    let r = right[column * p + j]
                    if r == 0 { continue }
                    for i in 0..<p { result.elements[i + j * p] += left[row * p + i] * r }
                }
            }
            return result
        }
        var pMatrices: [DenseMatrix] = pairs.map { list in
            var product = sandwich(list, mRows, mRows)
            for index in product.elements.indices { product.elements[index] = -product.elements[index] }
            return product
        }
        pMatrices.append(DenseMatrix(rows: p, columns: p, columnMajor: xw2x.elements.map { -$0 }))
        // C Eₛ M (row-major q × p) per random parameter.
        let cem: [[Double]] = pairs.map { list in
            var result = [Double](repeating: 0, count: q * p)
            for (row, column) in list {
                for i in 0..<q {
                    let weight = c[i, row]
                    if weight == 0 { continue }
                    for j in 0..<p { result[i * p + j] += weight * mRows[column * p + j] }
                }
            }
            return result
        }
        var qMatrices = [[DenseMatrix]](repeating: [], count: count)
        var ktrace = DenseMatrix(rows: count, columns: count)
        for r in 0..<count {
            for s in r..<count {
                let value: DenseMatrix
                let trace: Double
                if s < randomCount {
                    value = sandwich(pairs[r], mRows, cem[s])
                    var sum = 0.0
                    for (a1, b1) in pairs[r] { for (a2, b2) in pairs[s] { sum += c[b1, a2] * c[b2, a1] } }
                    trace = sum
                } else if r < randomCount {
                    value = sandwich(pairs[r], mRows, m2Rows)
                    trace = pairs[r].reduce(0) { $0 + dEntry($1.1, $1.0) }
                } else {
                    value = xw3x
                    trace = traceW2
                }
                qMatrices[r].append(value)
                ktrace[r, s] = trace; ktrace[s, r] = trace
            }
        }
        func qMatrix(_ r: Int, _ s: Int) -> DenseMatrix { r <= s ? qMatrices[r][s - r] : qMatrices[s][r - s] }

        // The information matrix (pbkrtest's IE2 = 2I) and W = 2 IE2⁻¹.
        let phiP = pMatrices.map { phi * $0 }
        var information = DenseMatrix(rows: count, columns: count)
        for r in 0..<count { for s in r..<count {
            let q = qMatrix(r, s)
            var traceQ = 0.0
            for index in phi.elements.indices { traceQ += phi.elements[index] * q.elements[index] }
            let traceP = Self.traceOfProduct(phiP[r], phiP[s])
            information[r, s] = ktrace[r, s] - 2 * traceQ + traceP
            information[s, r] = information[r, s]
        } }
        let eigen = SymmetricEigenDecomposition(information)
        let smallest = eigen.values.map(abs).min() ?? 0
        var w = DenseMatrix(rows: count, columns: count)
        let largest = eigen.values.map(abs).max() ?? 0
        for (index, value) in eigen.values.enumerated() {
            // solve() when well conditioned, else MASS::ginv (singular values above √ε · the largest).
            if smallest <= 1e-10, abs(value) <= Double.ulpOfOne.squareRoot() * largest { continue }
            for i in 0..<count { for j in 0..<count { w[i, j] += 2 * eigen.vectors[i, index] * eigen.vectors[j, index] / value } }
        }

        // Φ_A = Φ + 2Φ U Φ, U = Σᵣₛ Wᵣₛ (Qᵣₛ − PᵣΦPₛ) (Q symmetrised as pbkrtest's UU + t(UU)).
        var u = DenseMatrix(rows: p, columns: p)
        for r in 0..<count { for s in r..<count {
            let term = qMatrix(r, s).elements
            let correction = (pMatrices[r] * phiP[s]).elements
            for index in 0..<(p * p) {
                let value = w[r, s] * (term[index] - correction[index])
                if r == s { u.elements[index] += value } else {
                    u.elements[index] += value
                    u.elements[(index / p) + (index % p) * p] += value
                }
            }
        } }
        let adjusted = phi * u * phi
        var phiA = phi
        for index in phiA.elements.indices { phiA.elements[index] += 2 * adjusted.elements[index] }
        phiA.symmetrizeFromLower()

        fixedEffects = fit.fixedEffects
        fixedEffectsCovariance = phi
        adjustedCovariance = phiA
        derivatives = pMatrices
        parameterCovariance = w
    }

    /// AᵀA (column-major, `columns` × `columns`) of a column-major `rows` × `columns` matrix.
    static func gram(_ values: [Double], rows: Int, columns: Int) -> [Double] {
        var result = [Double](repeating: 0, count: columns * columns)
        values.withUnsafeBufferPointer { a in
            for j in 0..<columns {
                for i in 0...j {
                    var sum = 0.0
                    let ci = a.baseAddress! + i * rows, cj = a.baseAddress! + j * rows
                    for r in 0..<rows { sum += ci[r] * cj[r] }
                    result[i + j * columns] = sum
                    result[j + i * columns] = sum
                }
            }
        }
        return result
    }

    /// tr(AB) of two square matrices.
    static func traceOfProduct(_ a: DenseMatrix, _ b: DenseMatrix) -> Double {
        var sum = 0.0
        for i in 0..<a.rows { for k in 0..<a.columns { sum += a[i, k] * b[k, i] } }
        return sum
    }

    /// The rows of `contrasts` that are linearly independent of the rows before them (pbkrtest's
    /// `force_full_rank`; the test does not depend on which basis of the row space is used).
    static func fullRankRows(_ contrasts: [[Double]]) -> [[Double]] {
        var kept: [[Double]] = [], basis: [[Double]] = []
        for row in contrasts {
            let norm = row.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard norm > 0 else { continue }
            var v = row
            for _ in 0..<2 { for b in basis {
                let dot = zip(b, v).reduce(0) { $0 + $1.0 * $1.1 }
                for i in v.indices { v[i] -= dot * b[i] }
            } }
            let remainder = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if remainder > 1e-7 * norm { basis.append(v.map { $0 / remainder }); kept.append(row) }
        }
        return kept
    }

    /// The Kenward–Roger F test of Lβ = 0 (pbkrtest's `KRmodcomp` with a restriction matrix):
    /// statistic λF with F = (Lβ̂)ᵀ(LΦ_ALᵀ)⁻¹(Lβ̂)/q, scaling λ, and denominator df m.
    public func fTest(contrasts: [[Double]]) -> FTest {
        let rows = Self.fullRankRows(contrasts)
        let q = rows.count
        let p = fixedEffects.count
        guard q > 0 else { return FTest(statistic: .nan, numeratorDegreesOfFreedom: 0, denominatorDegreesOfFreedom: .nan) }
        let l = DenseMatrix(rowMajor: rows)
        let lt = l.transposed
        guard let inverse = try? (l * fixedEffectsCovariance * lt).symmetricPositiveDefiniteInverse(),
              let adjustedInverse = try? (l * adjustedCovariance * lt).symmetricPositiveDefiniteInverse() else {
            return FTest(statistic: .nan, numeratorDegreesOfFreedom: q, denominatorDegreesOfFreedom: .nan)
        }
        let theta = lt * inverse * l
        let thetaPhi = theta * fixedEffectsCovariance
        let products = derivatives.map { thetaPhi * $0 * fixedEffectsCovariance }
        let traces = products.map { matrix in (0..<p).reduce(0) { $0 + matrix[$1, $1] } }
        var a1 = 0.0, a2 = 0.0
        for i in products.indices { for j in i..<products.count {
            let e = i == j ? 1.0 : 2.0
            a1 += e * parameterCovariance[i, j] * traces[i] * traces[j]
            a2 += e * parameterCovariance[i, j] * Self.traceOfProduct(products[i], products[j])
        } }
        let qd = Double(q)
        let b = (a1 + 6 * a2) / (2 * qd)
        let g = ((qd + 1) * a1 - (qd + 4) * a2) / ((qd + 2) * a2)
        let denominator = 3 * qd + 2 * (1 - g)
        let c1 = g / denominator, c2 = (qd - g) / denominator, c3 = (qd + 2 - g) / denominator
        var v0 = 1 + c1 * b
        let v1 = 1 - c2 * b, v2 = 1 - c3 * b
        if abs(v0) < 1e-10 { v0 = 0 }
        let numerator = 1 - a2 / qd
        let ratio = abs(numerator) < 1e-14 && abs(v1) < 1e-14 ? 1 : numerator / v1
        let rho = ratio * ratio * v0 / (v2 * qd)
        let df = 4 + (qd + 2) / (qd * rho - 1)
        let scaling = abs(df - 2) < 1e-2 ? 1 : df * (1 - a2 / qd) / (df - 2)
        let estimate = l.multiplied(by: fixedEffects)
        let wald = zip(estimate, adjustedInverse.multiplied(by: estimate)).reduce(0) { $0 + $1.0 * $1.1 }
        return FTest(statistic: scaling * wald / qd, numeratorDegreesOfFreedom: q, denominatorDegreesOfFreedom: df,
                     scaling: scaling)
    }

    /// The t test of lᵀβ = 0 as lmerTest's summary gives it: SE from Φ_A, df from `Lb_ddf`.
    public func tTest(contrast l: [Double]) -> FixedEffectTest {
        let estimate = zip(l, fixedEffects).reduce(0) { $0 + $1.0 * $1.1 }
        let variance = zip(l, adjustedCovariance.multiplied(by: l)).reduce(0) { $0 + $1.0 * $1.1 }
        return FixedEffectTest(estimate: estimate, standardError: variance.squareRoot(),
                               degreesOfFreedom: fTest(contrasts: [l]).denominatorDegreesOfFreedom)
    }

    /// One t test per coefficient (lmerTest's `summary(ddf = "Kenward-Roger")`).
    public func coefficientTests() -> [FixedEffectTest] {
        fixedEffects.indices.map { j in tTest(contrast: fixedEffects.indices.map { $0 == j ? 1 : 0 }) }
    }
}
