#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelAVX2
import MultilevelMath

/// brms' `poisson()`: counts with rate μ = e^η.
enum PoissonFamily: ResponseFamily {
    typealias Rows = PoissonRows
    static var link: Link { .log }
    static var links: [Link] { [.log, .identity, .sqrt] }
    static var auxiliaryParameters: [AuxiliaryParameter] { [] }
    static var mergesRows: Bool { true }

    static func supportViolation(response y: Double, trials: Double) -> String? {
        countViolation(y)
    }

    /// Why y is not a count (a non-negative integer), nil when it is.
    static func countViolation(_ y: Double) -> String? {
        y < 0 || y != y.rounded() ? "count \(formatPriorNumber(y)) is not a non-negative integer" : nil
    }

    /// −Σ log y!.
    static func dataConstant(response: [Double], trials: [Double]) -> Double {
        response.reduce(0) { $0 - logGamma($1 + 1) }
    }

    /// y η − e^η − log y!.
    static func logLikelihood(response y: Double, trials: Double, eta: Double, auxiliary: [Double]) -> Double {
        y * eta - exp(eta) - logGamma(y + 1)
    }

    /// log(y + ½), the start of the log-link families.
    static func pilotInitialLinearPredictor(response y: Double, trials: Double) -> Double {
        log(max(y, 0) + 0.5)
    }

    static func pilotWorkingWeightAndResidual(response y: Double, trials: Double, eta: Double,
                                              dispersion: Double) -> (weight: Double, residual: Double) {
        logLinkWorkingWeightAndResidual(response: y, eta: eta) { mu in mu }
    }

    /// The log link's working weight μ²/Var(y) and residual (y − μ)/μ, μ = e^η bounded to
    /// [10⁻¹⁰, e⁷⁰⁰].
    @inline(__always)
    static func logLinkWorkingWeightAndResidual(response y: Double, eta: Double,
                                                variance: (Double) -> Double) -> (weight: Double, residual: Double) {
        let mu = max(exp(min(eta, 700)), 1e-10)
        return (mu * mu / variance(mu), (y - mu) / mu)
    }

    static func meanAndDraw(eta: Double, trials: Double, auxiliary: [Double],
                            rng: inout Xoshiro256PlusPlus) -> (mean: Double, draw: Double) {
        let mu = link.inverse(eta)
        return (mu, Double(rng.nextPoisson(mean: mu)))
    }
}

/// Poisson with log link: log p = y η − e^η − log y! (`trials` counts merged rows: Σy η − m e^η),
/// two rows at a time with `posteriorExp(_:table:)` (η clamped to [−708, 709] inside the
/// exponential).
struct PoissonRows: RowLikelihood {
    /// `poissonBlockAVX2` (four rows at a time) where the processor has AVX2 and FMA.
    var kernels = VectorKernels.selected
    init(auxiliary: UnsafePointer<Double>, rowCount: Int, sumLogResponse: Double) {}
    mutating func useKernels(_ kernels: VectorKernels) { self.kernels = kernels }
    @inline(__always)
    mutating func add(response y: Double, trials: Double, eta: Double) -> (value: Double, etaDerivative: Double) {
        let mu = exp(eta)
        return (y * eta - trials * mu, y - trials * mu)
    }
    @inline(__always)
    mutating func addBlock(count: Int, response: UnsafePointer<Double>, trials: UnsafePointer<Double>,
                           eta: UnsafeMutablePointer<Double>, work: UnsafeMutablePointer<Double>) -> Double {
        if kernels == .avx2 { return poissonBlockAVX2(eta: eta, response: response, trials: trials, count: count) }
        let table = PosteriorExponentialTable.shared.bits
        var sum = SIMD2<Double>()
        var i = 0
        while i &+ 2 <= count {
            let x = loadPair(eta, i), n = loadPair(trials, i), y = loadPair(response, i)
            let mean = n * posteriorExp(x, table: table)
            sum += y * x - mean
            storePair(y - mean, eta, i)
            i &+= 2
        }
        var value = sum.sum()
        if i < count { value += addRow(i, response: response, trials: trials, eta: eta) }
        return value
    }
    func finish(auxiliaryGradient: UnsafeMutablePointer<Double>) -> Double { 0 }
}
