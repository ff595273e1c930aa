import Foundation

/// Estimation of the diagonal inverse metric M⁻¹ during warm-up.
///
/// Over each window of the schedule (`WindowedAdaptation`) it keeps Welford running variances of
/// the draws xᵢ and of the gradients gᵢ = ∂ᵢ log p at the draws. When a window closes:
/// - a slow window sets Stan's estimate (`var_adaptation`), the sample variance of its draws
///   regularised towards 10⁻³:  M⁻¹ᵢ = (n / (n + 5)) · Var(xᵢ) + 10⁻³ · 5 / (n + 5);
/// - an early window of the initial buffer (5–20 draws) uses, in place of Var(xᵢ),
///   σ̂ᵢ² = √(Var(xᵢ) / Var(gᵢ)), the diagonal scaling that minimises the sample Fisher divergence
///   between the rescaled posterior and a standard normal (Seyboldt, Carlson & Carpenter 2026,
///   "Preconditioning Hamiltonian Monte Carlo by minimizing Fisher divergence", arXiv:2603.18845;
///   nutpie's diagonal estimator). For a normal coordinate gᵢ is affine in xᵢ with slope −1/σᵢ²,
///   so σ̂ᵢ² = σᵢ² from any two distinct draws, where Var(xᵢ) of a handful of draws is off by a
///   large factor; with correlated coordinates σ̂ᵢ² lies between the conditional and the marginal
///   variance. When Var(gᵢ) is zero or not finite the draw variance is used.
/// The metric the sampling phase uses is therefore Stan's estimate from the last slow window; the
/// early windows only spare the initial buffer the cost of a badly scaled metric.
public struct DiagonalMetricAdaptation: Sendable, Equatable {
    @usableFromInline var windows: WindowedAdaptation
    /// Draws in the current window.
    @usableFromInline var sampleCount: Int = 0
    @usableFromInline var mean: [Double]
    @usableFromInline var sumOfSquares: [Double]
    @usableFromInline var gradientMean: [Double]
    @usableFromInline var gradientSumOfSquares: [Double]

    /// The window schedule.
    public var schedule: WindowedAdaptation { windows }

    public init(dimension: Int, windows: WindowedAdaptation) {
        self.windows = windows
        mean = [Double](repeating: 0, count: dimension)
        sumOfSquares = [Double](repeating: 0, count: dimension)
        gradientMean = [Double](repeating: 0, count: dimension)
        gradientSumOfSquares = [Double](repeating: 0, count: dimension)
    }

    /// Bounds of the initial inverse metric 1 / |∂ᵢ log p|: the upper one keeps it no wider than
    /// Stan's unit metric (a coordinate whose gradient happens to vanish at the initial point
    /// would otherwise get an unbounded variance); the lower one only guards against underflow.
    public static let initialMetricBounds: ClosedRange<Double> = 1e-20...1

    /// The initial inverse metric from the gradient at the initial point (nutpie's start):
    /// M⁻¹ᵢ = 1 / |∂ᵢ log p(q₀)| clipped to `initialMetricBounds`, 1 where that is not finite.
    /// For a normal coordinate N(μ, σ²) this is σ² / |q₀ − μ|: the right order of magnitude from
    /// an initial point a few units from the mode, where the unit metric can be off by the
    /// posterior's whole range of scales. Used only when the metric is adapted.
    @inlinable
    public func setInitialMetric(gradient: UnsafePointer<Double>, inverseMetric: UnsafeMutablePointer<Double>) {
        guard windows.warmupIterations > 0 else { return }
        let bounds = Self.initialMetricBounds
        for i in 0..<mean.count {
            let variance = 1 / abs(gradient[i])
            inverseMetric[i] = variance.isFinite ? min(max(variance, bounds.lowerBound), bounds.upperBound) : 1
        }
    }

    /// Records the draw `position` (and the gradient of log p there) of the current warm-up
    /// iteration (the gradients are accumulated in slow windows too, unused there, so that one
    /// update serves both kinds of window). When an early or a slow window closes, writes the
    /// regularised estimate into `inverseMetric`, starts a new window, and returns true (the
    /// caller then re-initialises the step size).
    @inlinable
    public mutating func learn(position: UnsafePointer<Double>, gradient: UnsafePointer<Double>,
                               inverseMetric: UnsafeMutablePointer<Double>) -> Bool {
        if windows.inSlowWindow || windows.inInitialBuffer { addSample(position, gradient) }
        var windowClosed = false
        if windows.atEndOfEarlyWindow {
            windowClosed = true
        } else if windows.inInitialBuffer && windows.counter + 1 == windows.initialBuffer {
            // The buffer's last draws (after its last early window) stay out of the slow windows.
            resetEstimator()
        } else if windows.atEndOfSlowWindow {
            windows.computeNextWindow()
            windowClosed = true
        }
        if windowClosed {
            writeEstimate(into: inverseMetric, early: windows.inInitialBuffer)
            resetEstimator()
        }
        windows.advance()
        return windowClosed
    }

    /// M⁻¹ᵢ = (n/(n + 5)) σ̂ᵢ² + 10⁻³ · 5/(n + 5) with σ̂ᵢ² = Var(xᵢ) for a slow window and
    /// √(Var(xᵢ)/Var(gᵢ)) for an early one (see the type).
    @inlinable
    func writeEstimate(into inverseMetric: UnsafeMutablePointer<Double>, early: Bool) {
        let n = Double(sampleCount)
        let shrink = n / (n + 5)
        let prior = 1e-3 * 5 / (n + 5)
        for i in 0..<mean.count {
            let drawVariance = sampleCount > 1 ? sumOfSquares[i] / (n - 1) : inverseMetric[i]
            var variance = drawVariance
            if early && sampleCount > 1 {
                let ratio = (drawVariance / (gradientSumOfSquares[i] / (n - 1))).squareRoot()
                if ratio.isFinite && ratio > 0 { variance = ratio }
            }
            inverseMetric[i] = shrink * variance + prior
        }
    }

    /// Welford's update of the running means and sums of squared deviations of the draw and of
    /// the gradient.
    @inlinable
    mutating func addSample(_ position: UnsafePointer<Double>, _ gradient: UnsafePointer<Double>) {
        sampleCount += 1
        let n = Double(sampleCount)
        for i in 0..<mean.count {
            let delta = position[i] - mean[i]
            mean[i] += delta / n
            sumOfSquares[i] += delta * (position[i] - mean[i])
            let gradientDelta = gradient[i] - gradientMean[i]
            gradientMean[i] += gradientDelta / n
            gradientSumOfSquares[i] += gradientDelta * (gradient[i] - gradientMean[i])
        }
    }

    @inlinable
    mutating func resetEstimator() {
        sampleCount = 0
        for i in 0..<mean.count {
            mean[i] = 0
            sumOfSquares[i] = 0
            gradientMean[i] = 0
            gradientSumOfSquares[i] = 0
        }
    }
}
