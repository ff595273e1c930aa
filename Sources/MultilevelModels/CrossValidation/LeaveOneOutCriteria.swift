import Foundation
import Dispatch

/// PSIS-LOO and WAIC of a fit from its pointwise log-likelihood (loo's `loo()` and `waic()` on
/// brms' `log_lik`, with `r_eff = relative_eff(exp(log_lik), chain_id)`), computed block by block
/// of rows — each block S × rows, in parallel — so the n × S matrix is never held whole.
public struct LeaveOneOutCriteria: Sendable {
    public var leaveOneOut: PSISLeaveOneOut
    public var waic: WAIC

    /// - Parameters:
    ///   - logLikelihood: the fit's pointwise log-likelihood.
    ///   - relativeEfficiency: compute r_eff from the chains (loo's `relative_eff`); false: r_eff = 1.
    public init(_ logLikelihood: some PointwiseLogLikelihoodBlocks, relativeEfficiency: Bool = true) throws {
        let n = logLikelihood.observationCount, s = logLikelihood.drawCount
        guard s >= 2, n >= 1 else { throw InformationCriterionError.emptyLogLikelihood }
        let chains = logLikelihood.chainLengths.count
        let equalChains = Set(logLikelihood.chainLengths).count == 1
        let blockRows = logLikelihood.blockRows(targetValues: 4_000_000)
        let blocks = (n + blockRows - 1) / blockRows
        var loo = [LeaveOneOutPoint](repeating: LeaveOneOutPoint(elpd: 0, effectiveParameters: 0, paretoK: 0,
                                                                   monteCarloError: 0, lpd: 0), count: n)
        var waic = [(elpd: Double, effectiveParameters: Double)](repeating: (0, 0), count: n)
        var efficiency = [Double](repeating: 1, count: n)
        var firstBad = [(draw: Int, observation: Int)?](repeating: nil, count: blocks)
        loo.withUnsafeMutableBufferPointer { looOut in
            waic.withUnsafeMutableBufferPointer { waicOut in
                efficiency.withUnsafeMutableBufferPointer { rOut in
                    firstBad.withUnsafeMutableBufferPointer { badOut in
                        DispatchQueue.concurrentPerform(iterations: blocks) { b in
                            let rows = (b * blockRows)..<min(n, (b + 1) * blockRows)
                            var buffer = [Double](repeating: 0, count: rows.count * s)
                            var scratch = [Double](repeating: 0, count: s)
                            buffer.withUnsafeMutableBufferPointer { values in
                                logLikelihood.block(rows: rows, into: values)
                                for (j, i) in rows.enumerated() {
                                    let column = UnsafeBufferPointer(rebasing: values[(j * s)..<((j + 1) * s)])
                                    if let bad = column.firstIndex(where: { !$0.isFinite }) {
                                        badOut[b] = (bad, i)
                                        return
                                    }
                                    let point = PSISLeaveOneOut.pointWithWAIC(
                                        logLikelihood: column, chains: relativeEfficiency && equalChains ? chains : nil,
                                        scratch: &scratch)
                                    rOut[i] = point.relativeEfficiency
                                    looOut[i] = point.loo
                                    waicOut[i] = point.waic
                                }
                            }
                        }
                    }
                }
            }
        }
        if let bad = firstBad.compactMap({ $0 }).first {
            throw InformationCriterionError.nonFiniteLogLikelihood(draw: bad.draw, observation: bad.observation)
        }
        leaveOneOut = PSISLeaveOneOut(points: loo, relativeEfficiency: efficiency, draws: s)
        self.waic = WAIC(points: waic)
    }
}
