import Dispatch
import Foundation
import MultilevelData
import MultilevelMath

/// Runs the replicates of a parametric bootstrap whose refits report brms-named estimates (the
/// Laplace fits: glmer's families, the zero-inflated counts): replicate r draws from
/// `replicateRandomStream(seed:replicate:)`, `refit` simulates a response with it and refits, and
/// the replicate writes its own row of `values`, so a seed gives the same result on any number of
/// threads (`threads`; all processors when nil). A refit that throws, or that lacks one of `names`,
/// is a failed replicate with the reason. `progress` gets the number of finished replicates,
/// serialised.
func runNamedRefitReplicates(names: [String], estimates: [Double], replicates: Int, seed: UInt64, threads: Int?,
                             progress: ((Int) -> Void)?,
                             refit: (inout Xoshiro256PlusPlus) throws -> (estimates: [NamedEstimate], evaluations: Int))
    throws -> BootstrapResult {
    guard replicates > 0 else { throw MixedModelError("the number of bootstrap replicates must be positive, not \(replicates)") }
    let position = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
    let p = names.count
    let storage = UnsafeMutableBufferPointer<Double>.allocate(capacity: replicates * p)
    storage.initialize(repeating: .nan)
    defer { storage.deallocate() }
    let outcomes = UnsafeMutableBufferPointer<(failure: RefitFailure?, evaluations: Int)>.allocate(capacity: replicates)
    outcomes.initialize(repeating: (nil, 0))
    defer { outcomes.deallocate() }

    func runReplicate(_ r: Int) {
        var generator = replicateRandomStream(seed: seed, replicate: r)
        do {
            let result = try refit(&generator)
            var seen = 0
            var row = [Double](repeating: .nan, count: p)
            for estimate in result.estimates {
                if let k = position[estimate.name] { row[k] = estimate.estimate; seen += 1 }
            }
            guard seen == p else {
                outcomes[r] = (.unusableData("not every parameter of the original fit is estimable"), 0)
                return
            }
            for k in 0..<p { storage[r * p + k] = row[k] }
            outcomes[r] = (nil, result.evaluations)
        } catch let failure as RefitFailure {
            outcomes[r] = (failure, 0)
        } catch {
            outcomes[r] = (.unusableData((error as CustomStringConvertible).description), 0)
        }
    }

    let workerCount = max(1, min(threads ?? ProcessInfo.processInfo.activeProcessorCount, replicates))
    ReplicateScheduler(total: replicates, chunk: 1).run(workers: workerCount, progress: progress, runReplicate)
    var failures: [BootstrapFailure] = []
    var evaluations = 0
    for r in 0..<replicates {
        if let failure = outcomes[r].failure { failures.append(BootstrapFailure(replicate: r, reason: failure)) }
        evaluations += outcomes[r].evaluations
    }
    var result = BootstrapResult(scheme: .parametric, method: .ml, seed: seed, parameterNames: names, estimates: estimates,
                                 values: Array(storage), replicateCount: replicates, failures: failures,
                                 evaluations: evaluations)
    result.simulatedData = "responses"
    return result
}
