import MultilevelMath

/// The Hessian of f at x by central differences with step h — (f(x + heᵢ) − 2f(x) + f(x − heᵢ))/h²
/// on the diagonal, the four-point cross difference off it — with x moved up to lower + h in a
/// coordinate whose lower neighbour would leave the box: the scheme of lme4's `deriv12`, which
/// glmer's `vcov(use.hessian = TRUE)` uses.
func centralDifferenceHessian(_ f: ([Double]) -> Double, at x: [Double], lower: [Double], step h: Double) -> DenseMatrix {
    let d = x.count
    let centre = (0..<d).map { x[$0] - h < lower[$0] ? lower[$0] + h : x[$0] }
    func value(_ steps: [(Int, Double)]) -> Double {
        var point = centre
        for (i, s) in steps { point[i] += s * h }
        return f(point)
    }
    let f0 = value([])
    var hessian = DenseMatrix(rows: d, columns: d)
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
