import Dispatch
import Foundation
import MultilevelData
import MultilevelMath

/// A replicate whose refit produced no estimates.
public struct BootstrapFailure: Sendable, Equatable {
    /// 0-based replicate index.
    public var replicate: Int
    public var reason: RefitFailure
}

/// The replicates of a bootstrap of a linear mixed model: one row of population-level statistics
/// per replicate (NaN for a failed refit), with the estimates on the original data.
public struct BootstrapResult: Sendable {
    public var scheme: BootstrapScheme
    /// REML or ML, as the original fit and every refit.
    public var method: EstimationMethod
    public var seed: UInt64
    /// brms names of the statistics (`frequentistParameters` order) and their original values t₀.
    public var parameterNames: [String]
    public var estimates: [Double]
    /// replicateCount × parameterCount values, replicate-major.
    public var values: [Double]
    public var replicateCount: Int
    /// The failed replicates, in replicate order.
    public var failures: [BootstrapFailure]
    /// Criterion evaluations summed over the successful refits.
    public var evaluations: Int
    /// With `recordFittedValues` on a parametric bootstrap: each replicate's conditional fitted
    /// values Xβ̂* + Zb̂* at the original rows, replicateCount × n, replicate-major (NaN where the
    /// refit failed); empty otherwise.
    public var conditionalFittedValues: [Double] = []
    /// With a `ReplicateStatistic` on a parametric bootstrap: its values, replicateCount ×
    /// statisticCount, replicate-major (NaN where the refit failed); empty otherwise.
    public var statisticValues: [Double] = []
    public var statisticCount: Int = 0
    /// What the parametric bootstrap simulates besides new group-level effects: "residuals" for a
    /// linear mixed model, "responses" (zero inflation and counts) for the Laplace fits of
    /// non-gaussian families.
    public var simulatedData = "residuals"

    public var parameterCount: Int { parameterNames.count }
    public var failedCount: Int { failures.count }

    /// The replicate values of statistic `parameter` (NaN where the refit failed).
    public func replicateValues(ofParameter parameter: Int) -> [Double] {
        (0..<replicateCount).map { values[$0 * parameterCount + parameter] }
    }

    /// The replicate values of the statistic called `name`.
    public func replicateValues(of name: String) -> [Double]? {
        parameterNames.firstIndex(of: name).map { replicateValues(ofParameter: $0) }
    }

    /// Percentile, basic and normal intervals and the bootstrap SE of every statistic.
    public func summaries(level: Double = 0.95) -> [BootstrapParameterSummary] {
        parameterNames.indices.map {
            bootstrapSummary(name: parameterNames[$0], estimate: estimates[$0],
                             replicates: replicateValues(ofParameter: $0), level: level)
        }
    }
}

/// The bootstrap of a fitted linear mixed model (lme4's `bootMer`, MixedModels.jl's
/// `parametricbootstrap`): replicate data sets by a `BootstrapScheme`, each refitted by the same
/// criterion warm-started from θ̂, recording every population-level parameter. Replicates run in
/// parallel with `DispatchQueue.concurrentPerform`; replicate r draws from its own random stream
/// (`replicateRandomStream(seed:replicate:)`) and writes its own row, so the result is identical
/// for a given seed whatever the number of threads.
public struct MixedModelBootstrap {
    /// The model (aliased columns dropped) and its fit.
    public let model: LinearMixedModel
    public let fit: LinearMixedModelFit
    /// The optimiser of every refit (projected quasi-Newton with a BOBYQA fallback by default).
    public var optimizer: RefitOptimizer
    /// BOBYQA's settings where it runs. They start at radius 0.1 around θ̂ and stop at resolution
    /// 1e-5 in θ (lme4's fits use 1e-7): the statistics then carry errors of order 1e-5 relative,
    /// three orders below the Monte-Carlo error of 2,000 replicates.
    public var bobyqaOptions: BOBYQA.Options

    public init(model: LinearMixedModel, fit: LinearMixedModelFit, optimizer: RefitOptimizer = .quasiNewton,
                bobyqaOptions: BOBYQA.Options = BOBYQA.Options(initialRadius: 0.1, finalRadius: 1e-5)) {
        self.optimizer = optimizer
        self.bobyqaOptions = bobyqaOptions
        self.model = model
        self.fit = fit
    }

    /// Runs `replicates` replicates under `seed` on `threads` threads (all processors when nil).
    /// `progress` is called with the number of finished replicates after each one, serialised.
    /// With `recordFittedValues` (parametric scheme only, where every replicate keeps the original
    /// rows and groups), each replicate's conditional fitted values Xβ̂* + Zb̂* are kept too, for
    /// the bands of the groups' fitted lines (`BootstrapFittedBands`). A `statistic` (parametric
    /// scheme only: it reads b̂* by the original levels) is evaluated on every successful refit,
    /// bootMer's `FUN` (`BootstrapPrediction`).
    public func run(scheme: BootstrapScheme, replicates: Int, seed: UInt64, threads: Int? = nil,
                    recordFittedValues: Bool = false, statistic: ReplicateStatistic? = nil,
                    progress: ((Int) -> Void)? = nil) throws -> BootstrapResult {
        guard replicates > 0 else { throw MixedModelError("the number of bootstrap replicates must be positive, not \(replicates)") }
        if statistic != nil && scheme != .parametric {
            throw MixedModelError("a statistic of the refits' group-level effects needs the parametric bootstrap (the resampling schemes change the groups)")
        }
        let original = fit.populationParameterValues
        let names = original.map(\.name)
        let position = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        let p = names.count
        let design = model.design
        let method = fit.method
        let start = fit.theta
        let optimizer = self.optimizer
        let bobyqaOptions = self.bobyqaOptions
        let makeData: (inout Xoshiro256PlusPlus) -> Result<(ModelDesign?, BlockedMixedModelEquations), RefitFailure>
        switch scheme {
        case .parametric:
            let simulator = ParametricResponseSimulator(fit: fit, design: design)
            makeData = { generator in
                var response = [Double](repeating: 0, count: design.rowCount)
                simulator.simulate(into: &response, using: &generator)
                return .success((nil, BlockedMixedModelEquations(response: response, fixedEffects: design.fixedEffects,
                                                                 randomTerms: design.randomTerms)))
            }
        case .groups:
            let resampler = try GroupResampler(design: design)
            makeData = { generator in Self.prepare(resampler.resample(using: &generator)) }
        case .rows(let fraction):
            let resampler = try RowResampler(design: design, fraction: fraction)
            makeData = { generator in Self.prepare(resampler.resample(using: &generator)) }
        }

        let storage = UnsafeMutableBufferPointer<Double>.allocate(capacity: replicates * p)
        storage.initialize(repeating: .nan)
        defer { storage.deallocate() }
        let n = design.rowCount
        let recordFitted = recordFittedValues && scheme == .parametric
        let fittedStorage = UnsafeMutableBufferPointer<Double>.allocate(capacity: recordFitted ? replicates * n : 0)
        fittedStorage.initialize(repeating: .nan)
        defer { fittedStorage.deallocate() }
        let statisticCount = statistic?.count ?? 0
        let statisticStorage = UnsafeMutableBufferPointer<Double>.allocate(capacity: replicates * statisticCount)
        statisticStorage.initialize(repeating: .nan)
        defer { statisticStorage.deallocate() }
        let outcomes = UnsafeMutableBufferPointer<(failure: RefitFailure?, evaluations: Int)>.allocate(capacity: replicates)
        outcomes.initialize(repeating: (nil, 0))
        defer { outcomes.deallocate() }

        func runReplicate(_ r: Int) {
            var generator = replicateRandomStream(seed: seed, replicate: r)
            let equations: BlockedMixedModelEquations
            let fixedNames: [String]
            switch makeData(&generator) {
            case .failure(let failure):
                outcomes[r] = (failure, 0)
                return
            case .success(let (resampled, prepared)):
                equations = prepared
                fixedNames = resampled?.fixedEffectNames ?? design.fixedEffectNames
            }
            switch equations.refit(method: method, start: start, optimizer: optimizer, options: bobyqaOptions) {
            case .failure(let failure):
                outcomes[r] = (failure, 0)
            case .success(let refit):
                let values = populationParameterValues(
                    fixedEffectNames: fixedNames, fixedEffects: refit.fixedEffects, terms: equations.terms,
                    covarianceFactor: equations.covarianceFactor, theta: refit.theta, sigma: refit.sigma)
                var row = [Double](repeating: .nan, count: p)
                var seen = 0
                for (name, value) in values {
                    if let k = position[name] { row[k] = value; seen += 1 }
                }
                guard seen == p else {
                    outcomes[r] = (.unusableData("not every parameter of the original fit is estimable"), 0)
                    return
                }
                for k in 0..<p { storage[r * p + k] = row[k] }
                if recordFitted || statistic != nil {
                    // The refit leaves the equations factored at θ̂*: b̂* = Λθ̂* û*.
                    let modes = equations.solution().conditionalModes
                    if recordFitted {
                        let fitted = conditionalFittedValues(design: design, fixedEffects: refit.fixedEffects,
                                                             terms: equations.terms, modes: modes)
                        for i in 0..<n { fittedStorage[r * n + i] = fitted[i] }
                    }
                    if let statistic {
                        var values = [Double](repeating: .nan, count: statisticCount)
                        statistic.evaluate(refit.fixedEffects, modes, &values)
                        for k in 0..<statisticCount { statisticStorage[r * statisticCount + k] = values[k] }
                    }
                }
                outcomes[r] = (nil, refit.evaluations)
            }
        }

        let workerCount = max(1, min(threads ?? ProcessInfo.processInfo.activeProcessorCount, replicates))
        let scheduler = ReplicateScheduler(total: replicates, chunk: max(1, min(16, replicates / (8 * workerCount))))
        scheduler.run(workers: workerCount, progress: progress, runReplicate)
        var failures: [BootstrapFailure] = []
        var evaluations = 0
        for r in 0..<replicates {
            if let failure = outcomes[r].failure { failures.append(BootstrapFailure(replicate: r, reason: failure)) }
            evaluations += outcomes[r].evaluations
        }
        return BootstrapResult(scheme: scheme, method: method, seed: seed, parameterNames: names,
                               estimates: original.map(\.value), values: Array(storage), replicateCount: replicates,
                               failures: failures, evaluations: evaluations,
                               conditionalFittedValues: Array(fittedStorage),
                               statisticValues: Array(statisticStorage), statisticCount: statisticCount)
    }

    /// The mixed-model equations of a resampled design, after lme4's checks; a design whose X lost
    /// rank (a factor level no row kept) cannot give every b_ and fails.
    static func prepare(_ design: ModelDesign) -> Result<(ModelDesign?, BlockedMixedModelEquations), RefitFailure> {
        do {
            let model = try LinearMixedModel(design: design)
            guard model.aliasedColumns.isEmpty else {
                return .failure(.unusableData("fixed-effect column(s) \(model.aliasedColumns.joined(separator: ", ")) aliased in the resample"))
            }
            return .success((model.design, model.equations))
        } catch {
            return .failure(.unusableData((error as CustomStringConvertible).description))
        }
    }
}

/// Hands out replicate indices in chunks to the workers of a parallel bootstrap and counts finished
/// replicates for the progress callback.
final class ReplicateScheduler: @unchecked Sendable {
    private let lock = NSLock()
    private let total: Int
    private let chunk: Int
    private var next = 0
    private var done = 0

    init(total: Int, chunk: Int) {
        self.total = total
        self.chunk = chunk
    }

    /// The next range of replicates to run, or nil when all are taken.
    func nextChunk() -> Range<Int>? {
        lock.lock()
        defer { lock.unlock() }
        guard next < total else { return nil }
        let range = next..<min(next + chunk, total)
        next = range.upperBound
        return range
    }

    /// Records `count` finished replicates and reports the running total.
    func finished(_ count: Int, progress: ((Int) -> Void)?) {
        lock.lock()
        defer { lock.unlock() }
        done += count
        progress?(done)
    }

    /// Runs `replicate(r)` for every replicate: in order on the calling thread when `workers` is 1,
    /// otherwise on `workers` threads taking chunks from this scheduler; `progress` gets the number
    /// finished so far.
    func run(workers: Int, progress: ((Int) -> Void)?, _ replicate: (Int) -> Void) {
        if workers == 1 {
            for r in 0..<total {
                replicate(r)
                progress?(r + 1)
            }
            return
        }
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let range = nextChunk() {
                for r in range { replicate(r) }
                finished(range.count, progress: progress)
            }
        }
    }
}
