import MultilevelMath

/// The Hessian of f at x by central differences with step h — (f(x + heᵢ) − 2f(x) + f(x − heᵢ))/h²
/// on the diagonal, the four-point cross difference off it — with x moved up to lower + h in a
/// coordinate whose lower neighbour would leave the box: the scheme of lme4's `deriv12`, which
/// glmer's `vcov(use.hessian = TRUE)` uses; 2d² + 1 evaluations in d coordinates.
///
/// With `crossDifferences: .alongDiagonals` each off-diagonal entry takes two evaluations instead
/// of four, f(x ± h(eᵢ + eⱼ)), and reuses the diagonal's: (f(x + h(eᵢ + eⱼ)) + f(x − h(eᵢ + eⱼ))
/// − f(x + heᵢ) − f(x − heᵢ) − f(x + heⱼ) − f(x − heⱼ) + 2f(x))/2h², also exact for quadratics with
/// an O(h²) truncation error (Abramowitz & Stegun 25.3.27's two-point form): d² + d + 1 evaluations.
func centralDifferenceHessian(_ f: ([Double]) -> Double, at x: [Double], lower: [Double], step h: Double,
                              crossDifferences: CrossDifferences = .fourPoint) -> DenseMatrix {
    let d = x.count
    let centre = (0..<d).map { x[$0] - h < lower[$0] ? lower[$0] + h : x[$0] }
    func value(_ steps: [(Int, Double)]) -> Double {
        var point = centre
        for (i, s) in steps { point[i] += s * h }
        return f(point)
    }
    let f0 = value([])
    var hessian = DenseMatrix(rows: d, columns: d)
    if crossDifferences == .alongDiagonals {
        let plus = (0..<d).map { value([($0, 1)]) }, minus = (0..<d).map { value([($0, -1)]) }
        for i in 0..<d {
            hessian[i, i] = (plus[i] - 2 * f0 + minus[i]) / (h * h)
            for j in 0..<i {
                let cross = (value([(i, 1), (j, 1)]) + value([(i, -1), (j, -1)])
                             - plus[i] - minus[i] - plus[j] - minus[j] + 2 * f0) / (2 * h * h)
                hessian[i, j] = cross
                hessian[j, i] = cross
            }
        }
        return hessian
    }
    for i in 0..<d {
        hessian[i, i] = (value([(i, 1)]) - 2 * f0 + value([(i, -1)])) / (h * h)
        for j in 0..<i {
            let cross = (value([(i, 1), (j, 1)]) - value([(i, 1), (j, -1)])
                         - value([(i, -1), (j, 1)]) + value([(i, -1), (j, -1)])) / (4 * h * h)
            hessian[i, j] = cross
            hessian[j, i] = cross
        }
    }
    return hessian
}

/// How `centralDifferenceHessian` takes the off-diagonal entries.
enum CrossDifferences: Sendable {
    /// f(x ± heᵢ ± heⱼ), four evaluations per pair (lme4's `deriv12`).
    case fourPoint
    /// f(x ± h(eᵢ + eⱼ)) with the diagonal's f(x ± heᵢ), two evaluations per pair.
    case alongDiagonals
}
