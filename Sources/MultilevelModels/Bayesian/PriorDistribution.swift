#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelData
import MultilevelMath

/// A prior distribution as brms writes it (`normal(0, 10)`, `student_t(3, 0, 59.3)`, `lkj(2)`),
/// with its log density and derivative (Stan's parameterisations, Stan Functions Reference
/// "Continuous distributions"), normalising constants included as in brms' `*_lpdf` calls.
///
/// The Gibbs sampler reads the cases directly (a half-`studentT` is conditionally conjugate after
/// parameter expansion, an `inverseGamma` directly), so the cases carry named parameters.
public enum PriorDistribution: Equatable, Sendable, CustomStringConvertible {
    /// The improper flat prior (brms' default for `b`); log density 0.
    case flat
    /// normal(μ, σ).
    case normal(mean: Double, sd: Double)
    /// student_t(ν, μ, σ).
    case studentT(degreesOfFreedom: Double, location: Double, scale: Double)
    /// cauchy(μ, σ).
    case cauchy(location: Double, scale: Double)
    /// exponential(λ), λ the rate.
    case exponential(rate: Double)
    /// gamma(α, β), α the shape and β the rate.
    case gamma(shape: Double, rate: Double)
    /// inv_gamma(α, β), α the shape and β the scale.
    case inverseGamma(shape: Double, scale: Double)
    /// lognormal(μ, σ) on log x.
    case lognormal(meanLog: Double, sdLog: Double)
    /// uniform(a, b).
    case uniform(lower: Double, upper: Double)
    /// beta(a, b).
    case beta(alpha: Double, beta: Double)
    /// logistic(μ, s): density e^(−z) / (s (1 + e^(−z))²), z = (x − μ)/s (Stan's `logistic_lpdf`);
    /// brms' default prior on the intercept of a predicted zi or hu (`logistic(0, 1)`).
    case logistic(location: Double, scale: Double)
    /// LKJ(η) on a correlation matrix, applied to its Cholesky factor (`lkj_corr_cholesky`).
    case lkj(eta: Double)
    /// Huang & Wand (2013)'s prior on a covariance matrix Σ = diag(sd) · C · diag(sd) (an extension
    /// of brms, for comparing NUTS with the Gibbs sampler): Σ | a ~ IW(ν + q − 1, 2ν diag(1/a)),
    /// a_k ~ IG(½, 1/A_k²); each sd_k is marginally half-t(ν, A_k) and ν = 2 makes the correlations
    /// marginally uniform. One scale A for all coefficients, or one per coefficient.
    case huangWand(degreesOfFreedom: Double, scales: [Double])
    /// Dirichlet(α) on a monotonic effect's simplex (brms' class `simo`; Stan's `dirichlet_lpdf`,
    /// evaluated by `GLMMPosterior` on the simplex itself). One concentration is brms' shorthand
    /// for the same value in every category (`dirichlet(1)`, the default).
    case dirichlet(concentration: [Double])

    /// The distribution names accepted in prior statements.
    public static let knownNames = ["normal", "student_t", "cauchy", "exponential", "gamma",
                                    "inv_gamma", "lognormal", "uniform", "beta", "logistic", "lkj",
                                    "lkj_corr_cholesky", "huang_wand", "dirichlet", "flat"]

    /// Builds and validates a distribution from its brms name and numeric arguments, as Stan
    /// validates them: scales, rates, shapes and η positive; degrees of freedom positive;
    /// uniform bounds ordered. Throws `PriorDistributionError` with a one-line message.
    public static func make(name: String, arguments a: [Double]) throws -> PriorDistribution {
        func expect(_ count: Int, _ signature: String) throws {
            guard a.count == count else {
                throw PriorDistributionError(message:
                    "\(name) takes \(count) argument\(count == 1 ? "" : "s") (\(signature)), got \(a.count)")
            }
            if let bad = a.first(where: { !$0.isFinite }) {
                throw PriorDistributionError(message: "\(name)(\(signature)): argument \(bad) is not finite")
            }
        }
        func positive(_ value: Double, _ what: String) throws {
            guard value > 0 else {
                throw PriorDistributionError(message:
                    "\(name)(\(a.map(formatPriorNumber).joined(separator: ", "))): the \(what) must be positive, got \(formatPriorNumber(value))")
            }
        }
        switch name {
        case "flat":
            try expect(0, "")
            return .flat
        case "normal":
            try expect(2, "mean, sd")
            try positive(a[1], "standard deviation")
            return .normal(mean: a[0], sd: a[1])
        case "student_t":
            try expect(3, "df, location, scale")
            try positive(a[0], "degrees of freedom")
            try positive(a[2], "scale")
            return .studentT(degreesOfFreedom: a[0], location: a[1], scale: a[2])
        case "cauchy":
            try expect(2, "location, scale")
            try positive(a[1], "scale")
            return .cauchy(location: a[0], scale: a[1])
        case "exponential":
            try expect(1, "rate")
            try positive(a[0], "rate")
            return .exponential(rate: a[0])
        case "gamma":
            try expect(2, "shape, rate")
            try positive(a[0], "shape")
            try positive(a[1], "rate")
            return .gamma(shape: a[0], rate: a[1])
        case "inv_gamma":
            try expect(2, "shape, scale")
            try positive(a[0], "shape")
            try positive(a[1], "scale")
            return .inverseGamma(shape: a[0], scale: a[1])
        case "lognormal":
            try expect(2, "meanlog, sdlog")
            try positive(a[1], "scale (sdlog)")
            return .lognormal(meanLog: a[0], sdLog: a[1])
        case "uniform":
            try expect(2, "lower, upper")
            guard a[0] < a[1] else {
                throw PriorDistributionError(message:
                    "uniform(\(formatPriorNumber(a[0])), \(formatPriorNumber(a[1]))): the lower bound must be below the upper bound")
            }
            return .uniform(lower: a[0], upper: a[1])
        case "beta":
            try expect(2, "a, b")
            try positive(a[0], "first shape")
            try positive(a[1], "second shape")
            return .beta(alpha: a[0], beta: a[1])
        case "logistic":
            try expect(2, "location, scale")
            try positive(a[1], "scale")
            return .logistic(location: a[0], scale: a[1])
        case "lkj", "lkj_corr_cholesky":
            try expect(1, "eta")
            try positive(a[0], "shape eta")
            return .lkj(eta: a[0])
        case "huang_wand":
            guard a.count >= 2, a.allSatisfy(\.isFinite) else {
                throw PriorDistributionError(message:
                    "huang_wand takes the degrees of freedom and one or more scales (nu, A, ...), got \(a.count) argument\(a.count == 1 ? "" : "s")")
            }
            try positive(a[0], "degrees of freedom")
            for scale in a.dropFirst() { try positive(scale, "scale") }
            return .huangWand(degreesOfFreedom: a[0], scales: Array(a.dropFirst()))
        case "dirichlet":
            guard !a.isEmpty, a.allSatisfy(\.isFinite) else {
                throw PriorDistributionError(message: "dirichlet takes one concentration per category of the simplex (alpha1, alpha2, ...), got \(a.count) arguments")
            }
            for alpha in a { try positive(alpha, "concentration") }
            return .dirichlet(concentration: a)
        default:
            throw PriorDistributionError(message:
                "unknown prior distribution '\(name)' (known: \(knownNames.filter { $0 != "lkj_corr_cholesky" }.joined(separator: ", ")))")
        }
    }

    /// Whether this is the LKJ prior (valid only for correlation matrices).
    public var isLKJ: Bool { if case .lkj = self { return true } else { return false } }

    /// Whether this is the Huang–Wand covariance prior (valid only for class `cov`).
    public var isHuangWand: Bool { if case .huangWand = self { return true } else { return false } }

    /// Whether this is a Dirichlet prior (valid only for class `simo`).
    public var isDirichlet: Bool { if case .dirichlet = self { return true } else { return false } }

    /// The brms spelling: `student_t(3, 288.7, 59.3)`, `lkj_corr_cholesky(1)` (as brms prints
    /// class `L` priors); the flat prior is the empty string, as in `prior_summary`'s data frame.
    public var description: String {
        func call(_ name: String, _ values: Double...) -> String {
            "\(name)(\(values.map(formatPriorNumber).joined(separator: ", ")))"
        }
        switch self {
        case .flat: return ""
        case let .normal(m, s): return call("normal", m, s)
        case let .studentT(nu, m, s): return call("student_t", nu, m, s)
        case let .cauchy(m, s): return call("cauchy", m, s)
        case let .exponential(r): return call("exponential", r)
        case let .gamma(a, b): return call("gamma", a, b)
        case let .inverseGamma(a, b): return call("inv_gamma", a, b)
        case let .lognormal(m, s): return call("lognormal", m, s)
        case let .uniform(l, u): return call("uniform", l, u)
        case let .beta(a, b): return call("beta", a, b)
        case let .logistic(m, s): return call("logistic", m, s)
        case let .lkj(eta): return "lkj_corr_cholesky(\(formatPriorNumber(eta)))"
        case let .huangWand(nu, scales):
            return "huang_wand(\(([nu] + scales).map(formatPriorNumber).joined(separator: ", ")))"
        case let .dirichlet(alpha):
            // As brms' prior_summary prints the R call: `dirichlet(1)`, `dirichlet(c(1, 2, 3))`.
            let values = alpha.map(formatPriorNumber).joined(separator: ", ")
            return alpha.count == 1 ? "dirichlet(\(values))" : "dirichlet(c(\(values)))"
        }
    }

    /// log p(x) and d log p(x) / dx; −∞ (derivative 0) outside the support. Not defined for
    /// `lkj` (see `CholeskyCorrelationTransform.lkjLogDensity`) or `dirichlet` (see
    /// `GLMMPosterior`), which return (0, 0) here.
    @inline(__always)
    public func logDensityAndDerivative(_ x: Double) -> (value: Double, derivative: Double) {
        let halfLogTwoPi = 0.918_938_533_204_672_7
        switch self {
        case .flat, .lkj, .huangWand, .dirichlet:
            return (0, 0)
        case let .normal(m, s):
            let z = (x - m) / s
            return (-halfLogTwoPi - log(s) - 0.5 * z * z, -z / s)
        case let .studentT(nu, m, s):
            let z = (x - m) / s
            let value = logGamma((nu + 1) / 2) - logGamma(nu / 2)
                - 0.5 * log(nu * Double.pi) - log(s) - (nu + 1) / 2 * log1p(z * z / nu)
            return (value, -(nu + 1) * z / (s * (nu + z * z)))
        case let .cauchy(m, s):
            let z = (x - m) / s
            return (-log(Double.pi) - log(s) - log1p(z * z), -2 * z / (s * (1 + z * z)))
        case let .exponential(rate):
            guard x >= 0 else { return (-.infinity, 0) }
            return (log(rate) - rate * x, -rate)
        case let .gamma(a, b):
            guard x > 0 else { return (-.infinity, 0) }
            return (a * log(b) - logGamma(a) + (a - 1) * log(x) - b * x, (a - 1) / x - b)
        case let .inverseGamma(a, b):
            guard x > 0 else { return (-.infinity, 0) }
            return (a * log(b) - logGamma(a) - (a + 1) * log(x) - b / x,
                    -(a + 1) / x + b / (x * x))
        case let .lognormal(m, s):
            guard x > 0 else { return (-.infinity, 0) }
            let lx = log(x)
            let z = (lx - m) / s
            return (-halfLogTwoPi - log(s) - lx - 0.5 * z * z, -(1 + z / s) / x)
        case let .uniform(l, u):
            guard x >= l, x <= u else { return (-.infinity, 0) }
            return (-log(u - l), 0)
        case let .beta(a, b):
            guard x > 0, x < 1 else { return (-.infinity, 0) }
            let value = logGamma(a + b) - logGamma(a) - logGamma(b)
                + (a - 1) * log(x) + (b - 1) * log1p(-x)
            return (value, (a - 1) / x - (b - 1) / (1 - x))
        case let .logistic(m, s):
            // log p = −log s − z − 2 log(1 + e^(−z)); d/dx = (1 − 2 F(z))/s, F the logistic CDF.
            let z = (x - m) / s
            return (-log(s) - z - 2 * log1pexp(-z), (1 - 2 * inverseLogit(z)) / s)
        }
    }

    /// log p(x) (see `logDensityAndDerivative`).
    public func logDensity(_ x: Double) -> Double { logDensityAndDerivative(x).value }

    /// log(1 − F(bound)), the log probability above a lower bound: brms subtracts it once per
    /// parameter whose prior is truncated at the parameter's bound (`- student_t_lccdf(0 | ...)`
    /// for a half-Student-t on an sd). 0 when the whole support lies above the bound.
    public func logProbabilityAbove(_ bound: Double) -> Double {
        switch self {
        case .flat, .lkj, .huangWand, .dirichlet:
            return 0
        case let .normal(m, s):
            return log(NormalDistribution.complementaryCDF((bound - m) / s))
        case let .studentT(nu, m, s):
            let z = (bound - m) / s
            // 1 − F(z) = F(−z) by symmetry, which keeps precision in the upper tail.
            return StudentTDistribution(degreesOfFreedom: nu).logCDF(-z)
        case let .cauchy(m, s):
            return log(0.5 - atan((bound - m) / s) / Double.pi)
        case let .exponential(rate):
            return bound <= 0 ? 0 : -rate * bound
        case let .gamma(a, b):
            return bound <= 0 ? 0 : log1p(-posteriorRegularizedLowerGamma(a, b * bound))
        case let .inverseGamma(a, b):
            return bound <= 0 ? 0 : log(posteriorRegularizedLowerGamma(a, b / bound))
        case let .lognormal(m, s):
            return bound <= 0 ? 0 : log(NormalDistribution.complementaryCDF((log(bound) - m) / s))
        case let .uniform(l, u):
            if bound <= l { return 0 }
            if bound >= u { return -.infinity }
            return log((u - bound) / (u - l))
        case let .beta(a, b):
            if bound <= 0 { return 0 }
            if bound >= 1 { return -.infinity }
            return log1p(-regularizedIncompleteBeta(a, b, bound))
        case let .logistic(m, s):
            // 1 − F(z) = 1/(1 + e^z).
            return -log1pexp((bound - m) / s)
        }
    }
}

/// An invalid prior distribution (unknown name, wrong number of arguments, a non-positive scale).
public struct PriorDistributionError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public var description: String { message }
}

/// A number as R's `as.character` prints it in brms' prior strings (`1530`, `288.7`, `0.01`, `1e-04`).
public func formatPriorNumber(_ x: Double) -> String {
    RCollation.label(of: x)
}
