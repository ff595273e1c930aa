#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelMath

/// brms' `student()`: y ~ Student-t(ν, μ, σ), identity link, auxiliary `sigma` and `nu` (ν > 1).
enum StudentFamily: GaussianPilot {
    typealias Rows = StudentRows
    static var link: Link { .identity }
    static var auxiliaryParameters: [AuxiliaryParameter] { [.sigma, .nu] }
    static var needsVaryingResponse: Bool { true }

    static func supportViolation(response y: Double, trials: Double) -> String? { nil }

    static func dataConstant(response: [Double], trials: [Double]) -> Double { 0 }

    /// log Γ((ν+1)/2) − log Γ(ν/2) − ½ log(νπ) − log σ − (ν+1)/2 · log(1 + z²/ν), z = (y − η)/σ.
    static func logLikelihood(response y: Double, trials: Double, eta: Double, auxiliary: [Double]) -> Double {
        let sigma = auxiliary[0], nu = auxiliary[1], z = (y - eta) / sigma
        return logGamma((nu + 1) / 2) - logGamma(nu / 2) - 0.5 * log(nu * Double.pi)
            - log(sigma) - (nu + 1) / 2 * log1p(z * z / nu)
    }

    static func meanAndDraw(eta: Double, trials: Double, auxiliary: [Double],
                            rng: inout Xoshiro256PlusPlus) -> (mean: Double, draw: Double) {
        let mu = link.inverse(eta)
        return (mu, mu + auxiliary[0] * rng.nextStudentT(degreesOfFreedom: auxiliary[1]))
    }
}

/// Student-t(ν, η, σ): log p = log Γ((ν+1)/2) − log Γ(ν/2) − ½ log(νπ) − log σ
/// − (ν+1)/2 · log(1 + z²/ν), z = (y − η)/σ.
struct StudentRows: RowLikelihood {
    let sigma: Double, nu: Double, rowCount: Int
    var sumLogTerm = 0.0, sumRatio = 0.0
    init(auxiliary: UnsafePointer<Double>, rowCount: Int, sumLogResponse: Double) {
        sigma = auxiliary[0]; nu = auxiliary[1]; self.rowCount = rowCount
    }
    @inline(__always)
    mutating func add(response y: Double, trials: Double, eta: Double) -> (value: Double, etaDerivative: Double) {
        let r = y - eta
        let z2 = r * r / (sigma * sigma)
        let logTerm = log1p(z2 / nu)
        sumLogTerm += logTerm
        sumRatio += z2 / (nu + z2)
        return (-(nu + 1) / 2 * logTerm, (nu + 1) * r / (nu * sigma * sigma + r * r))
    }
    func finish(auxiliaryGradient: UnsafeMutablePointer<Double>) -> Double {
        let n = Double(rowCount)
        auxiliaryGradient[0] = -n / sigma + (nu + 1) / sigma * sumRatio
        auxiliaryGradient[1] = n * (0.5 * posteriorDigamma((nu + 1) / 2) - 0.5 * posteriorDigamma(nu / 2)
            - 0.5 / nu) - 0.5 * sumLogTerm + (nu + 1) / (2 * nu) * sumRatio
        return n * (logGamma((nu + 1) / 2) - logGamma(nu / 2)
            - 0.5 * log(nu * Double.pi) - log(sigma))
    }
}
