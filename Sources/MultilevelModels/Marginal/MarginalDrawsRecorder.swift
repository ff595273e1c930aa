import MultilevelMath
import MultilevelSampling

/// A posterior with group-level effects integrated out that can complete a reduced draw with
/// effects drawn exactly from their conditional distribution (`MarginalPosterior` for one term,
/// `CollapsedGaussianPosterior` for any number).
public protocol StandardisedEffectsDrawing {
    var layout: ParameterLayout { get }
    /// Scratch values `drawStandardisedEffects` needs.
    var conditionalScratchCount: Int { get }
    /// Writes the reduced draw `x` and standardised effects z drawn given it into `joint`.
    mutating func drawStandardisedEffects(_ x: UnsafePointer<Double>, into joint: UnsafeMutablePointer<Double>,
                                          scratch: UnsafeMutablePointer<Double>,
                                          using generator: inout Xoshiro256PlusPlus)
}

extension MarginalPosterior: StandardisedEffectsDrawing {}

/// A `ChainObserver` for the marginal sampler: completes each reduced draw with group-level
/// effects drawn exactly from their conditional distribution (`drawStandardisedEffects`) and
/// hands the joint vector to a `ConstrainedDrawsRecorder`, so the output has the joint sampler's
/// columns (`r_Subject[308,Days]` included). Chain k draws its effects from its own stream
/// (`Xoshiro256PlusPlus.stream(seed: effectsSeed, index: k)`), so draws depend only on (seed, k).
public final class MarginalDrawsRecorder<Posterior: StandardisedEffectsDrawing>: ChainObserver, @unchecked Sendable {
    /// Seed of the effects streams derived from the run's seed (distinct from the NUTS streams).
    public static func effectsSeed(_ seed: UInt64) -> UInt64 { seed ^ 0x6A09_E667_F3BC_C908 }

    public let recorder: ConstrainedDrawsRecorder
    private var posteriors: [Posterior]
    private let firstChain: Int
    private let seed: UInt64
    private var joints: [[Double]]
    private var scratches: [[Double]]
    private var generators: [Xoshiro256PlusPlus?]

    public init(posterior: Posterior, recorder: ConstrainedDrawsRecorder, settings: SamplerSettings) {
        posteriors = Array(repeating: posterior, count: settings.chains)
        self.recorder = recorder
        firstChain = settings.firstChain
        seed = Self.effectsSeed(settings.seed)
        joints = Array(repeating: [Double](repeating: 0, count: posterior.layout.dimension), count: settings.chains)
        scratches = Array(repeating: [Double](repeating: 0, count: posterior.conditionalScratchCount), count: settings.chains)
        generators = Array(repeating: nil, count: settings.chains)
    }

    public func chainStarted(chain: Int) {
        generators[chain - firstChain] = Xoshiro256PlusPlus.stream(seed: seed, index: chain)
        recorder.chainStarted(chain: chain)
    }

    public func chainIteration(chain: Int, iteration: Int, isWarmup: Bool, statistics: TransitionStatistics,
                               position: UnsafeBufferPointer<Double>) {
        let index = chain - firstChain
        var generator = generators[index] ?? Xoshiro256PlusPlus.stream(seed: seed, index: chain)
        joints[index].withUnsafeMutableBufferPointer { joint in
            scratches[index].withUnsafeMutableBufferPointer { scratch in
                posteriors[index].drawStandardisedEffects(position.baseAddress!, into: joint.baseAddress!,
                                                  scratch: scratch.baseAddress!, using: &generator)
            }
            recorder.chainIteration(chain: chain, iteration: iteration, isWarmup: isWarmup, statistics: statistics,
                                    position: UnsafeBufferPointer(joint))
        }
        generators[index] = generator
    }

    public func adaptationFinished(chain: Int, adaptation: AdaptationSummary) {
        recorder.adaptationFinished(chain: chain, adaptation: adaptation)
    }

    public func chainFinished(chain: Int, summary: ChainSummary) {
        recorder.chainFinished(chain: chain, summary: summary)
    }
}
