import MultilevelData
import MultilevelSampling

/// Receives every draw of a Bayesian run already mapped to brms' quantities: the seven CmdStan
/// sampler columns followed by `ConstrainedParameters.names`. Called on the chain's own thread
/// (one chain never calls from two threads; different chains call concurrently), e.g. to stream
/// each chain to its CmdStan CSV file as it is drawn.
public protocol ConstrainedDrawSink: AnyObject {
    /// Called once, before any chain starts, with the brms names of the constrained parameters
    /// (the columns after the sampler statistics).
    func prepare(parameterNames: [String]) throws
    func chainStarted(chain: Int) throws
    func draw(chain: Int, iteration: Int, isWarmup: Bool, row: UnsafeBufferPointer<Double>) throws
    func adaptationFinished(chain: Int, adaptation: AdaptationSummary) throws
    func chainFinished(chain: Int, summary: ChainSummary) throws
}

/// A `ChainObserver` that maps each unconstrained draw to brms' constrained quantities (one
/// `ConstrainedParameters` map and one row buffer per chain, so nothing is allocated per draw),
/// keeps the rows for the summary, and forwards them to an optional sink. The first error a sink
/// throws for a chain is kept (`firstError`) and that chain's later rows are not forwarded.
public final class ConstrainedDrawsRecorder: ChainObserver, @unchecked Sendable {
    private let firstChain: Int
    private let statisticCount = TransitionStatistics.columnNames.count
    private let collector: DrawsCollector
    private let sink: ConstrainedDrawSink?
    private let names: [String]
    private var maps: [ConstrainedParameters]
    private var rows: [[Double]]
    private var errors: [Error?]

    /// - Parameters:
    ///   - map: the posterior's constrained-parameter map (copied per chain).
    ///   - settings: the run's settings (chains, draws per chain, saved warm-up).
    public init(map: ConstrainedParameters, settings: SamplerSettings, sink: ConstrainedDrawSink? = nil) {
        firstChain = settings.firstChain
        collector = DrawsCollector(settings: settings, parameterCount: map.count)
        self.sink = sink
        names = map.names
        maps = Array(repeating: map, count: settings.chains)
        rows = Array(repeating: [Double](repeating: 0, count: TransitionStatistics.columnNames.count + map.count),
                     count: settings.chains)
        errors = Array(repeating: nil, count: settings.chains)
    }

    /// The first error a sink threw, by chain order.
    public var firstError: Error? { errors.compactMap { $0 }.first }

    /// The recorded rows as `Draws`: sampler columns, then the constrained parameters.
    public var draws: Draws { collector.draws(parameterNames: names) }

    private func forward(_ index: Int, _ body: (ConstrainedDrawSink) throws -> Void) {
        guard let sink, errors[index] == nil else { return }
        do { try body(sink) } catch { errors[index] = error }
    }

    public func chainStarted(chain: Int) {
        forward(chain - firstChain) { try $0.chainStarted(chain: chain) }
    }

    public func chainIteration(chain: Int, iteration: Int, isWarmup: Bool, statistics: TransitionStatistics,
                               position: UnsafeBufferPointer<Double>) {
        let index = chain - firstChain
        let statisticCount = self.statisticCount
        rows[index].withUnsafeMutableBufferPointer { row in
            statistics.write(into: row.baseAddress!)
            maps[index].write(unconstrained: position,
                              into: UnsafeMutableBufferPointer(rebasing: row[statisticCount...]))
            let parameters = UnsafeBufferPointer(rebasing: row[statisticCount...])
            collector.chainIteration(chain: chain, iteration: iteration, isWarmup: isWarmup,
                                     statistics: statistics, position: parameters)
            let whole = UnsafeBufferPointer(row)
            forward(index) { try $0.draw(chain: chain, iteration: iteration, isWarmup: isWarmup, row: whole) }
        }
    }

    public func adaptationFinished(chain: Int, adaptation: AdaptationSummary) {
        forward(chain - firstChain) { try $0.adaptationFinished(chain: chain, adaptation: adaptation) }
    }

    public func chainFinished(chain: Int, summary: ChainSummary) {
        forward(chain - firstChain) { try $0.chainFinished(chain: chain, summary: summary) }
    }
}

extension BayesianFit {
    /// Builds the brms posterior for `design`, `family` and the user's prior statements (over brms'
    /// defaults) and runs NUTS, streaming every constrained draw to `sink` as it is made (for
    /// CmdStan CSV output) and keeping it for the summary. `stopFlag` ends the chains early (SIGINT);
    /// the draws made until then are kept. `parameterisation` says which group-level terms are
    /// sampled centred (`ParameterisationChoice`; the draws' columns are the same either way,
    /// `posterior.layout.centredGroupNames` tells which were, `posterior.layout.hierarchicalCentring`
    /// which of them were hierarchically centred and on what).
    public static func run(design: ModelDesign, family: Family, priors statements: [PriorStatement] = [],
                           settings: SamplerSettings, parameterisation: ParameterisationChoice = .automatic,
                           sink: ConstrainedDrawSink? = nil,
                           progress: ChainProgress? = nil, stopFlag: StopFlag? = nil) throws -> BayesianFit {
        try settings.validate()
        var priorSet = PriorSet.defaults(for: design, family: family)
        try priorSet.apply(statements)
        let layout = ParameterLayout(design: design, family: family)
        let (centred, parents, weights, followSD) = try parameterisation.parameterisationWithWeights(design: design, family: family)
        let posterior = try GLMMPosterior(design: design, family: family, priors: priorSet.resolved(for: layout),
                                          centred: centred, centringParents: parents, centringWeights: weights,
                                          centringWeightsFollowSD: followSD)
        let map = ConstrainedParameters(posterior: posterior)
        try sink?.prepare(parameterNames: map.names)
        let recorder = ConstrainedDrawsRecorder(map: map, settings: settings, sink: sink)
        let summaries = try ChainRunner.run(settings: settings, observer: recorder, progress: progress,
                                            stopFlag: stopFlag) { _ in
            NUTSSampler(density: posterior, maxTreeDepth: settings.maxTreeDepth)
        }
        if let error = recorder.firstError { throw error }
        return BayesianFit(posterior: posterior, priors: priorSet, settings: settings, chainSummaries: summaries,
                           draws: recorder.draws,
                           cmdStanParameterNames: map.cmdStanNames, groupIndexLabels: map.groupIndexLabels)
    }
}
