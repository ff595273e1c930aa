/// brms' monotonic group-level effects `(mo(x) | g)` in the joint posterior. brms adds
///
///     (bsp + r_g[j]) · mo(ζ, x),    mo(ζ, k) = D · Σ_{i ≤ k} ζ_i,
///
/// to the linear predictor of a row of level j (Bürkner & Charpentier 2020, *Modelling monotonic
/// effects of ordinal predictors in Bayesian regression models*, Br. J. Math. Stat. Psychol. 73(3),
/// eq. 2; brms 2.18's Stan code `(bsp[1] + r_1_2[J_1[n]]) * mo(simo_1, Xmo_1[n])`): the level's
/// effect r_g[j] varies the population-level coefficient and shares its simplex ζ. As for the
/// population-level effect (`MonotonicEffect`), r · mo(ζ, k) = Σ_{i=1..D} (r · D · ζ_i) · [k ≥ i],
/// so Z holds the D indicator columns (`PosteriorData`) and their effects are r · D · ζ_i; this
/// maps a term's effects r (q per level, the monotonic ones last) to those Z columns and pulls the
/// gradient back onto r and ζ.
enum MonotonicGroupEffects {
    /// One monotonic column of a term.
    struct Column: Sendable {
        /// Its index k among the term's q effects.
        var effect: Int
        /// Its first indicator column among the term's Z columns.
        var dataColumn: Int
        /// D, the simplex's size.
        var categoryCount: Int
        /// Where its simplex ζ lives in the posterior's scratch (after `monotonicStart`).
        var simplexScratch: Int
    }

    /// The Z-column effects θ of `levelCount` levels (`dataWidth` per level) from the term's
    /// effects r (`q` per level): the first `regularCount` copied, each monotonic column k as
    /// r_k · D · ζ_i for i = 1…D.
    @inline(__always)
    static func expand(effects r: UnsafePointer<Double>, levelCount: Int, q: Int, regularCount: Int, dataWidth: Int,
                       columns: [Column], simplexes: UnsafePointer<Double>, into theta: UnsafeMutablePointer<Double>) {
        for j in 0..<levelCount {
            let rj = r + j * q, thetaJ = theta + j * dataWidth
            for k in 0..<regularCount { thetaJ[k] = rj[k] }
            for column in columns {
                let zeta = simplexes + column.simplexScratch
                let scale = rj[column.effect] * Double(column.categoryCount)
                for i in 0..<column.categoryCount { thetaJ[column.dataColumn + i] = scale * zeta[i] }
            }
        }
    }

    /// The chain rule of `expand`: from ∂/∂θ of the Z columns, ∂/∂r_k = D Σ_i ζ_i ∂/∂θ_i into
    /// `effectGradient` (assigned), and Σ_j r_jk · D · ∂/∂θ_ji added to each simplex's ∂/∂ζ_i
    /// (`simplexAdjoints`, at the same offsets as the simplexes).
    @inline(__always)
    static func pullBack(thetaGradient: UnsafePointer<Double>, effects r: UnsafePointer<Double>, levelCount: Int,
                         q: Int, regularCount: Int, dataWidth: Int, columns: [Column], simplexes: UnsafePointer<Double>,
                         effectGradient: UnsafeMutablePointer<Double>, simplexAdjoints: UnsafeMutablePointer<Double>) {
        for j in 0..<levelCount {
            let rj = r + j * q, gj = effectGradient + j * q, thetaJ = thetaGradient + j * dataWidth
            for k in 0..<regularCount { gj[k] = thetaJ[k] }
            for column in columns {
                let zeta = simplexes + column.simplexScratch
                let adjoint = simplexAdjoints + column.simplexScratch
                let d = Double(column.categoryCount)
                let scale = rj[column.effect] * d
                var sum = 0.0
                for i in 0..<column.categoryCount {
                    let g = thetaJ[column.dataColumn + i]
                    sum += g * zeta[i]
                    adjoint[i] += scale * g
                }
                gj[column.effect] = sum * d
            }
        }
    }
}
