/// Estimation of the diagonal inverse metric M⁻¹ during warm-up (Stan's `var_adaptation`):
/// Welford's running variance of the draws of each slow window (`WindowedAdaptation`),
/// regularised towards 10⁻³ as
///   M⁻¹ = (n / (n + 5)) · var + 10⁻³ · 5 / (n + 5),
/// where var is the sample variance (divisor n − 1) of the n draws of the window.
public struct DiagonalMetricAdaptation: Sendable, Equatable {
    @usableFromInline var windows: WindowedAdaptation
    /// Draws in the current window.
    @usableFromInline var sampleCount: Int = 0
    @usableFromInline var mean: [Double]
    @usableFromInline var sumOfSquares: [Double]

    /// The window schedule.
    public var schedule: WindowedAdaptation { windows }

    public init(dimension: Int, windows: WindowedAdaptation) {
        self.windows = windows
        mean = [Double](repeating: 0, count: dimension)
        sumOfSquares = [Double](repeating: 0, count: dimension)
    }

    /// Records the draw `position` of the current warm-up iteration. At the end of a slow window
    /// writes the regularised variance estimate into `inverseMetric`, starts a new window, and
    /// returns true (the caller then re-initialises the step size).
    @inlinable
    public mutating func learn(position: UnsafePointer<Double>,
                               inverseMetric: UnsafeMutablePointer<Double>) -> Bool {
        if windows.inSlowWindow { addSample(position) }
        if windows.atEndOfSlowWindow {
            windows.computeNextWindow()
            let n = Double(sampleCount)
            let shrink = n / (n + 5)
            let prior = 1e-3 * 5 / (n + 5)
            for i in 0..<mean.count {
                let variance = sampleCount > 1 ? sumOfSquares[i] / (n - 1) : inverseMetric[i]
                inverseMetric[i] = shrink * variance + prior
            }
            resetEstimator()
            windows.advance()
            return true
        }
        windows.advance()
        return false
    }

    /// Welford's update of the running mean and sum of squared deviations.
    @inlinable
    mutating func addSample(_ position: UnsafePointer<Double>) {
        sampleCount += 1
        let n = Double(sampleCount)
        mean.withUnsafeMutableBufferPointer { m in
            sumOfSquares.withUnsafeMutableBufferPointer { s in
                for i in 0..<m.count {
                    let delta = position[i] - m[i]
                    m[i] += delta / n
                    s[i] += delta * (position[i] - m[i])
                }
            }
        }
    }

    @inlinable
    mutating func resetEstimator() {
        sampleCount = 0
        for i in 0..<mean.count {
            mean[i] = 0
            sumOfSquares[i] = 0
        }
    }
}
