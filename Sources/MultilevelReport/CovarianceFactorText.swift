import Foundation
import MultilevelData
import MultilevelModels

extension LmerSummary {
    /// `lmer --varcorr full`: the matrices the lme4 paper (Bates et al. 2015, §2–3) builds the fit
    /// from, as a course reads them off lme4: θ named as `getME(fit, "theta")` names it
    /// (`Subject.(Intercept)`, `Subject.Days.(Intercept)`, `Subject.Days`), then for each term its
    /// template T (Λθ is T repeated over the term's levels, `getME(fit, "Lambda")`), the covariance
    /// Σ = σ²TTᵀ and its correlations (`VarCorr(fit)` and its `attr(, "correlation")`). Seven
    /// significant digits, as R prints a matrix.
    public static func covarianceFactorText(_ fit: LinearMixedModelFit) -> String {
        let factor = fit.covarianceFactor
        var names: [String] = []
        for term in fit.terms {
            let columns = term.columnNames
            for j in columns.indices { for i in j..<columns.count {
                names.append(i == j ? "\(term.grouping.name).\(columns[i])" : "\(term.grouping.name).\(columns[i]).\(columns[j])")
            } }
        }
        var out = "theta (getME(fit, \"theta\")):\n"
            + coefficientTable(rowNames: names, columns: [("theta", rFormat(fit.theta, digits: 7))])
        let sigma2 = fit.sigma * fit.sigma
        for (k, term) in fit.terms.enumerated() {
            let q = term.columnCount
            let t = factor.template(ofTerm: k, theta: fit.theta)   // column-major
            var covariance = [Double](repeating: 0, count: q * q)  // row-major
            for r in 0..<q { for c in 0..<q {
                var sum = 0.0
                for m in 0..<q { sum += t[r + m * q] * t[c + m * q] }
                covariance[r * q + c] = sigma2 * sum
            } }
            let correlations = (0..<(q * q)).map { index -> Double in
                let r = index / q, c = index % q
                return r == c ? 1 : covariance[index] / (covariance[r * q + r] * covariance[c * q + c]).squareRoot()
            }
            out += "\n\(term.text): Lambda repeats T over the \(term.grouping.levelCount) levels of \(term.grouping.name)\n"
            out += "T (relative covariance factor template):\n"
                + matrixTable(names: term.columnNames, values: (0..<(q * q)).map { t[($0 / q) + ($0 % q) * q] })
            out += "Sigma = sigma^2 T T' (covariance of the \(term.grouping.name) effects):\n"
                + matrixTable(names: term.columnNames, values: covariance)
            out += "Correlations:\n" + matrixTable(names: term.columnNames, values: correlations)
        }
        out += "\nResidual: sigma = \(rFormat([fit.sigma], digits: 7)[0]), sigma^2 = \(rFormat([sigma2], digits: 7)[0])\n"
        return out
    }

    /// A q × q row-major matrix with row and column names, each column formatted as R does.
    private static func matrixTable(names: [String], values: [Double]) -> String {
        let q = names.count
        let columns = (0..<q).map { c in (names[c], rFormat((0..<q).map { values[$0 * q + c] }, digits: 7)) }
        return coefficientTable(rowNames: names, columns: columns)
    }
}
