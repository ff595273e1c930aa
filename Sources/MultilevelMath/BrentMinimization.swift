import Foundation

/// Minimisation of a function of one variable on [a, b] without derivatives: Brent's method
/// (Brent 1973, *Algorithms for Minimization without Derivatives*, ch. 5), golden-section steps
/// combined with successive parabolic interpolation — the algorithm of R's `optimize`. Stops when
/// the bracket around the best point x has half-width below 2(ε|x| + tol/3), ε = √(machine ε).
public enum BrentMinimization {
    public struct Result: Sendable {
        public var x: Double
        public var value: Double
        public var evaluations: Int
    }

    public static func minimize(in lowerBound: Double, _ upperBound: Double, tolerance: Double,
                                maxEvaluations: Int = 500, _ f: (Double) -> Double) -> Result {
        let golden = (3 - 5.0.squareRoot()) / 2
        let eps = Double.ulpOfOne.squareRoot()
        var a = lowerBound, b = upperBound
        var x = a + golden * (b - a)
        var w = x, v = x
        var fx = f(x)
        var fw = fx, fv = fx
        var evaluations = 1
        var d = 0.0, e = 0.0
        while evaluations < maxEvaluations {
            let middle = (a + b) / 2
            let tol1 = eps * abs(x) + tolerance / 3
            let tol2 = 2 * tol1
            if abs(x - middle) <= tol2 - (b - a) / 2 { break }
            var useGolden = true
            if abs(e) > tol1 {
                // Parabola through (v, fv), (w, fw), (x, fx).
                var r = (x - w) * (fx - fv)
                var q = (x - v) * (fx - fw)
                var p = (x - v) * q - (x - w) * r
                q = 2 * (q - r)
                if q > 0 { p = -p } else { q = -q }
                r = e
                e = d
                if abs(p) < abs(q * r / 2), p > q * (a - x), p < q * (b - x) {
                    d = p / q
                    let u = x + d
                    if u - a < tol2 || b - u < tol2 { d = x < middle ? tol1 : -tol1 }
                    useGolden = false
                }
            }
            if useGolden {
                e = x < middle ? b - x : a - x
                d = golden * e
            }
            let u = abs(d) >= tol1 ? x + d : x + (d > 0 ? tol1 : -tol1)
            let fu = f(u)
            evaluations += 1
            if fu <= fx {
                if u < x { b = x } else { a = x }
                v = w; fv = fw
                w = x; fw = fx
                x = u; fx = fu
            } else {
                if u < x { a = u } else { b = u }
                if fu <= fw || w == x {
                    v = w; fv = fw
                    w = u; fw = fu
                } else if fu <= fv || v == x || v == w {
                    v = u; fv = fu
                }
            }
        }
        return Result(x: x, value: fx, evaluations: evaluations)
    }
}
