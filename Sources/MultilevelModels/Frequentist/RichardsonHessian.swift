import MultilevelMath

/// The Hessian of f at x by Richardson extrapolation of central differences: with D(h) the
/// central-difference Hessian of step h (`centralDifferenceHessian`), whose error is
/// h²/12 · f⁗ + O(h⁴), (4 D(h/2) − D(h)) / 3 cancels the h² term (Richardson 1911; the first step of
/// numDeriv's `hessian`, Gilbert & Varadhan). A coordinate whose lower neighbour would leave the box
/// is moved up to lower + h for both steps, so the two differences are taken at the same point.
/// Used where glmmTMB's standard errors (TMB's `sdreport`: the inverse Hessian of the Laplace
/// objective in every outer parameter) are to be matched to 1e-4 and a single step cannot reach
/// both a small truncation error and a small rounding error.
func richardsonHessian(_ f: ([Double]) -> Double, at x: [Double], lower: [Double], step h: Double) -> DenseMatrix {
    let centre = zip(x, lower).map { $0 - h < $1 ? $1 + h : $0 }
    let coarse = centralDifferenceHessian(f, at: centre, lower: lower, step: h)
    let fine = centralDifferenceHessian(f, at: centre, lower: lower, step: h / 2)
    var hessian = DenseMatrix(rows: x.count, columns: x.count)
    for i in 0..<x.count {
        for j in 0..<x.count { hessian[i, j] = (4 * fine[i, j] - coarse[i, j]) / 3 }
    }
    return hessian
}
