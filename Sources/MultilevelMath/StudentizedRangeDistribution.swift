import Foundation

/// The studentized range distribution: Q = (max − min of k independent N(0, 1)) / s with ν s² ~ χ²_ν
/// independent of them — the reference distribution of Tukey's honest significant difference
/// (Tukey 1953; R's `ptukey`/`qtukey`, which emmeans uses for `adjust = "tukey"` with
/// |t|·√2 and the quantile divided by √2).
///
/// With W(w) = P(range of k normals ≤ w) = k ∫ φ(z) [Φ(z) − Φ(z − w)]^(k−1) dz (Hartley 1942) and
/// the density of s, P(Q ≤ q) = ∫₀^∞ f_ν(s) W(q s) ds (Copenhaver & Holland 1988, J. Statist.
/// Comput. Simul. 30, 1–15). Both integrals are evaluated here by composite Gauss–Legendre rules:
/// the outer one in u = log s, where f_ν(eᵘ)eᵘ ∝ exp(ν(u − (e²ᵘ − 1)/2)) is smooth and bounded, over
/// the range where that exponent is above −45; the inner one over z ∈ [−9, max(9, w/2 + 8)]. The
/// upper tail is integrated directly, as k ∫ φ(z) Φ(z)^(k−1) · (1 − (1 − Φ(z − w)/Φ(z))^(k−1)) dz
/// with expm1/log1p, so small p-values keep their relative accuracy. ν = ∞ is W itself.
public struct StudentizedRangeDistribution: Sendable {
    /// k, the number of means compared (≥ 2).
    public var groups: Int
    /// ν, the degrees of freedom of s (> 0, or +∞).
    public var degreesOfFreedom: Double

    public init(groups: Int, degreesOfFreedom: Double) {
        precondition(groups >= 2, "the studentized range needs at least two groups")
        self.groups = groups
        self.degreesOfFreedom = degreesOfFreedom
    }

    /// P(Q ≤ q).
    public func cdf(_ q: Double) -> Double { tails(q).lower }

    /// P(Q > q), accurate when small.
    public func complementaryCDF(_ q: Double) -> Double { tails(q).upper }

    /// The q with P(Q ≤ q) = p, 0 < p < 1, by Newton's method inside a bracket, stopped when a
    /// step moves q by less than 1e-12 of it (the quadrature's noise of ~1e-15 in the cdf kept a
    /// 4-ulp criterion bisecting for 30–60 evaluations). For finite ν the search starts from the
    /// ν = ∞ quantile q∞ (cheap: one inner integral per evaluation) inflated as a t quantile is,
    /// q∞ (1 + (q∞²/2 + 1)/(4ν)) (Cornish–Fisher's first term with Q/√2 in the place of z),
    /// within a few percent for ν ≥ 5.
    public func quantile(_ p: Double) -> Double {
        guard p > 0 else { return 0 }
        guard p < 1 else { return .infinity }
        var initial = 3.0
        if degreesOfFreedom.isFinite {
            let infinite = StudentizedRangeDistribution(groups: groups, degreesOfFreedom: .infinity).quantile(p)
            initial = infinite * (1 + (infinite * infinite / 2 + 1) / (4 * degreesOfFreedom))
            if !(initial.isFinite && initial > 0) { initial = 3 }
        }
        return safeguardedNewtonRoot(initial: initial, lower: 0, upper: .infinity, increasing: true,
                                     relativeTolerance: 1e-12) { q in
            let t = tails(q)
            return (p <= 0.5 ? t.lower - p : (1 - p) - t.upper, t.density)
        }
    }

    /// Both tails and the density dP/dq at q.
    public func tails(_ q: Double) -> (lower: Double, upper: Double, density: Double) {
        guard q > 0 else { return (0, 1, 0) }
        guard q.isFinite else { return (1, 0, 0) }
        let nu = degreesOfFreedom
        if nu == .infinity {
            let r = rangeTails(q)
            return (r.lower, r.upper, r.density)
        }
        // Outer integral over u = log s: weight exp(c + ν(u − (e²ᵘ − 1)/2)), c = log 2 + (ν/2) log(ν/2) − log Γ(ν/2) − ν/2 + … .
        let logConstant = log(2.0) + 0.5 * nu * log(0.5 * nu) - logGamma(0.5 * nu) - 0.5 * nu
        func exponent(_ u: Double) -> Double { nu * (u - 0.5 * expm1(2 * u)) }
        let left = Self.bisect(low: -(45 / nu) - 2, high: 0) { exponent($0) > -45 }
        let right = Self.bisect(low: 0, high: (45 / nu).squareRoot() + 1e-3) { exponent($0) < -45 }
        let width = 0.75 * min(1, 1 / nu.squareRoot())
        let pieces = max(8, Int(((right - left) / width).rounded(.up)))
        // The inner nodes, φ(z), Φ(z) and Φ(z)^(k−1) are shared by every outer node.
        let inner = InnerNodes(groups: groups, end: max(9, 0.5 * q * exp(right) + 8))
        var lower = 0.0, upper = 0.0, density = 0.0
        Self.integrate(from: left, to: right, pieces: pieces) { u, weight in
            let s = exp(u)
            let w = weight * exp(logConstant + exponent(u))
            let r = inner.rangeTails(q * s)
            lower += w * r.lower
            upper += w * r.upper
            density += w * s * r.density
        }
        return (min(max(lower, 0), 1), min(max(upper, 0), 1), density)
    }

    /// W(w), 1 − W(w) and W′(w) for the range of k standard normals.
    func rangeTails(_ w: Double) -> (lower: Double, upper: Double, density: Double) {
        InnerNodes(groups: groups, end: max(9, 0.5 * w + 8)).rangeTails(w)
    }

    /// The inner rule over z ∈ [−9, end] (pieces of width ≤ 1) with φ(z), Φ(z) and Φ(z)^(k−1) at
    /// its nodes.
    struct InnerNodes {
        let groups: Int
        let z: [Double], weight: [Double], phi: [Double], cdf: [Double], cdfPower: [Double]

        init(groups: Int, end: Double) {
            self.groups = groups
            let m = Double(groups - 1)
            var z: [Double] = [], weight: [Double] = [], phi: [Double] = [], cdf: [Double] = [], cdfPower: [Double] = []
            StudentizedRangeDistribution.integrate(from: -9, to: end, pieces: Int((end + 9).rounded(.up))) { node, w in
                let a = NormalDistribution.cdf(node)
                z.append(node); weight.append(w); phi.append(NormalDistribution.density(node)); cdf.append(a); cdfPower.append(pow(a, m))
            }
            (self.z, self.weight, self.phi, self.cdf, self.cdfPower) = (z, weight, phi, cdf, cdfPower)
        }

        func rangeTails(_ w: Double) -> (lower: Double, upper: Double, density: Double) {
            guard w > 0 else { return (0, 1, 0) }
            let m = Double(groups - 1)
            var lower = 0.0, upper = 0.0, density = 0.0
            for i in z.indices {
                let a = cdf[i]
                let d = NormalDistribution.cdf(z[i] - w)
                let inside = max(a - d, 0)
                let power = groups == 2 ? 1 : pow(inside, m - 1)
                let f = weight[i] * phi[i]
                lower += f * power * inside
                if a > 0 { upper += f * cdfPower[i] * -expm1(m * log1p(-min(d / a, 1))) }
                density += f * power * NormalDistribution.density(z[i] - w)
            }
            let k = Double(groups)
            return (min(k * lower, 1), min(k * upper, 1), k * m * density)
        }
    }

    /// Σ over `pieces` equal subintervals of [a, b] of the 12-point Gauss–Legendre rule: calls
    /// `body(node, weight)`.
    static func integrate(from a: Double, to b: Double, pieces: Int, _ body: (Double, Double) -> Void) {
        let h = (b - a) / Double(pieces)
        for piece in 0..<pieces {
            let middle = a + (Double(piece) + 0.5) * h
            for (x, w) in zip(GaussLegendre12.nodes, GaussLegendre12.weights) {
                body(middle + 0.5 * h * x, 0.5 * h * w)
            }
        }
    }

    /// The boundary between `inside(low) == true` and `inside(high) == false` by bisection.
    static func bisect(low: Double, high: Double, _ inside: (Double) -> Bool) -> Double {
        var a = low, b = high
        for _ in 0..<80 {
            let middle = 0.5 * (a + b)
            if inside(middle) == inside(a) { a = middle } else { b = middle }
        }
        return 0.5 * (a + b)
    }
}

/// The 12-point Gauss–Legendre rule on [−1, 1]: nodes (roots of P₁₂) by Newton's method on the
/// three-term recurrence, weights 2 / ((1 − x²) P₁₂′(x)²) (Abramowitz & Stegun 25.4.29).
enum GaussLegendre12 {
    static let (nodes, weights): ([Double], [Double]) = {
        let n = 12
        var nodes: [Double] = [], weights: [Double] = []
        for i in 1...n {
            var x = cos(Double.pi * (Double(i) - 0.25) / (Double(n) + 0.5))
            var derivative = 0.0
            for _ in 0..<100 {
                var p0 = 1.0, p1 = x
                for j in 2...n {
                    let p2 = ((2 * Double(j) - 1) * x * p1 - (Double(j) - 1) * p0) / Double(j)
                    p0 = p1
                    p1 = p2
                }
                derivative = Double(n) * (x * p1 - p0) / (x * x - 1)
                let step = p1 / derivative
                x -= step
                if abs(step) < 1e-16 { break }
            }
            nodes.append(x)
            weights.append(2 / ((1 - x * x) * derivative * derivative))
        }
        return (nodes, weights)
    }()
}
