import MultilevelMath
@testable import MultilevelSampling
import XCTest

/// The point slots of the NUTS workspace (`NUTSWorkspace.exchange`): copies whose source is dead
/// are swaps of storage. After every transition the slots still own distinct storage (a
/// permutation of the initial blocks), and the current slot's cached log density and gradient are
/// those of its position, bit for bit, as they would be if every point had been copied.
final class NUTSWorkspaceSlotTests: XCTestCase {
    func testSlotsStayAPermutationAndTheCurrentPointStaysConsistent() throws {
        var sampler = NUTSSampler(density: NonCentredFunnel(latentCount: 6), maxTreeDepth: 6)
        var rng = Xoshiro256PlusPlus(seed: 21)
        try sampler.initialize(settings: SamplerSettings(iterations: 300, warmup: 150, maxTreeDepth: 6),
                               chain: 0, rng: &rng)
        let blocks = Set(sampler.layout.initialPointOffsets)
        XCTAssertEqual(blocks.count, 5 + 6)
        var moved = false
        var deepest = 0
        for iteration in 0..<300 {
            let statistics = try sampler.transition(adapt: iteration < 150, rng: &rng)
            if iteration == 149 { _ = sampler.finishWarmup() }
            deepest = max(deepest, statistics.treeDepth)
            XCTAssertEqual(Set(sampler.pointOffsets), blocks, "iteration \(iteration)")
            XCTAssertEqual(sampler.pointOffsets.count, blocks.count)
            moved = moved || sampler.pointOffsets != sampler.layout.initialPointOffsets

            let position = sampler.withPosition { Array($0) }
            var density = sampler.density
            var gradient = [Double](repeating: 0, count: position.count)
            let value = position.withUnsafeBufferPointer { q in
                gradient.withUnsafeMutableBufferPointer { density.logDensity(at: q, gradient: $0) }
            }
            XCTAssertEqual(statistics.logDensity.bitPattern, value.bitPattern, "iteration \(iteration)")
            let cached = sampler.workspace.withUnsafeBufferPointer { buffer in
                Array(buffer[(sampler.pointOffsets[0] + 2 * position.count)..<(sampler.pointOffsets[0] + 3 * position.count)])
            }
            XCTAssertEqual(cached.map(\.bitPattern), gradient.map(\.bitPattern), "iteration \(iteration)")
        }
        XCTAssertTrue(moved, "no transition exchanged slots")
        XCTAssertGreaterThanOrEqual(deepest, 2)
    }
}
