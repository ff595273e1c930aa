import Foundation
import MultilevelMath

/// The inner problem of a profile (Bates et al. 2015 §5.1): the ML deviance minimised over the
/// coordinates left free (θ entries, bounded below) with the profiled parameter held. By
/// `BoundedQuasiNewton` on the analytic gradient in units of `scales` (so that a θ row of entries
/// near 1e-3 moves as freely as one near 1), from the previous profile point's minimiser. Where
/// the analytic gradient is unavailable (a template diagonal on its bound 0) the search takes
/// differences of the values; only when it cannot start (a non-finite value) or stops without
/// a gradient does BOBYQA on the values finish from the best point found.
enum ProfileInnerMinimum {
    /// The minimiser and the minimum.
    static func minimize(start: [Double], lower: [Double], scales: [Double], maxEvaluations: Int = 500,
                         _ evaluate: ([Double]) -> (value: Double, gradient: [Double]?)) -> (x: [Double], value: Double) {
        let n = start.count
        let scaledLower = (0..<n).map { lower[$0] / scales[$0] }
        let scaledStart = (0..<n).map { Swift.max(start[$0], lower[$0]) / scales[$0] }
        func unscaled(_ s: [Double]) -> [Double] { (0..<n).map { s[$0] * scales[$0] } }
        let search = BoundedQuasiNewton.minimize(
            start: scaledStart, lower: scaledLower,
            options: .init(initialStep: 0.02, stepTolerance: 1e-10, functionTolerance: 1e-15,
                           maxEvaluations: maxEvaluations)) { s in
            let (value, gradient) = evaluate(unscaled(s))
            if let gradient { return (value, (0..<n).map { gradient[$0] * scales[$0] }) }
            guard value.isFinite else { return (value, nil) }
            // Far out in a profile the minimum often lies on the boundary (a template diagonal at
            // 0, a singular block), where the analytic formula divides by that diagonal: central
            // differences there, forward ones for a coordinate on its bound.
            var differences = [Double](repeating: 0, count: n)
            for i in 0..<n {
                let h = 1e-6 * Swift.max(1, abs(s[i]))
                var up = s
                up[i] += h
                let above = evaluate(unscaled(up)).value
                if s[i] - h >= scaledLower[i] {
                    var down = s
                    down[i] -= h
                    differences[i] = (above - evaluate(unscaled(down)).value) / (2 * h)
                } else {
                    differences[i] = (above - value) / h
                }
            }
            return (value, differences.allSatisfy(\.isFinite) ? differences : nil)
        }
        if search.value.isFinite && !search.gradientUnavailable && search.gradient != nil {
            return (unscaled(search.x), search.value)
        }
        let from = search.value.isFinite ? search.x : scaledStart
        let fallback = BOBYQA.minimize(start: from, lower: scaledLower,
                                       upper: [Double](repeating: .infinity, count: n),
                                       options: .init(initialRadius: 0.02, finalRadius: 1e-9, maxEvaluations: 4 * maxEvaluations)) {
            evaluate(unscaled($0)).value
        }
        if fallback.value < search.value || !search.value.isFinite { return (unscaled(fallback.x), fallback.value) }
        return (unscaled(search.x), search.value)
    }
}
