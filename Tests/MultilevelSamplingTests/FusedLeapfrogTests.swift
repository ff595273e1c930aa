import MultilevelMath
@testable import MultilevelSampling
import XCTest

/// `DiagonalEuclideanHamiltonian.leapfrog(_:stepSize:density:leaf:)`, the fused step NUTS takes
/// at each leaf, against the separate passes it replaces (`leapfrog`, `energy(_:velocity:)`, the
/// point copy and the vector copies): the same bits for the point, the energy, the velocities,
/// the momenta and the momentum sum, for a finite and for a rejected (non-finite) step.
final class FusedLeapfrogTests: XCTestCase {
    /// Independent normals whose gradient's first coordinate is NaN once `poisoned`.
    struct Density: LogDensity {
        var scales: [Double]
        var poisoned = false
        var dimension: Int { scales.count }
        mutating func logDensity(at position: UnsafeBufferPointer<Double>,
                                 gradient: UnsafeMutableBufferPointer<Double>) -> Double {
            var value = 0.0
            for i in 0..<scales.count {
                let u = (position[i] - 0.3) / scales[i]
                value -= 0.5 * u * u + log(scales[i])
                gradient[i] = -u / scales[i]
            }
            if poisoned { gradient[0] = .nan }
            return value
        }
    }

    func assertFusedMatchesSeparate(poisoned: Bool, file: StaticString = #filePath, line: UInt = #line) {
        let d = 9
        let point = PhaseSpacePoint.storageSize(dimension: d)
        // [M⁻¹ | start | separate | fused | fused's copy | 5 separate vectors | 5 fused vectors]
        var storage = [Double](repeating: -7, count: d + 4 * point + 10 * d)
        storage.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            let inverseMetric = base
            let start = PhaseSpacePoint(base: base + d, dimension: d)
            let separate = PhaseSpacePoint(base: base + d + point, dimension: d)
            let fused = PhaseSpacePoint(base: base + d + 2 * point, dimension: d)
            let copy = PhaseSpacePoint(base: base + d + 3 * point, dimension: d)
            let vectors = base + d + 4 * point
            var rng = Xoshiro256PlusPlus(seed: 11)
            for i in 0..<d {
                inverseMetric[i] = 0.1 + rng.nextUniform()
                start.position[i] = rng.nextNormal()
                start.momentum[i] = rng.nextNormal()
            }
            var density = Density(scales: (0..<d).map { 0.2 + 0.3 * Double($0) })
            let h = DiagonalEuclideanHamiltonian(inverseMetric: inverseMetric, dimension: d)
            XCTAssertTrue(h.evaluate(start, density: &density), file: file, line: line)
            density.poisoned = poisoned
            separate.assign(from: start)
            fused.assign(from: start)
            let stepSize = -0.37

            let separateFinite = h.leapfrog(separate, stepSize: stepSize, density: &density)
            let separateEnergy = h.energy(separate, velocity: vectors)
            for i in 0..<d {
                vectors[d + i] = vectors[i]                   // velocity at the end
                vectors[2 * d + i] = 0.0 + separate.momentum[i]  // ρ accumulated into zeros
                vectors[3 * d + i] = separate.momentum[i]
                vectors[4 * d + i] = separate.momentum[i]
            }
            let f = vectors + 5 * d
            let step = h.leapfrog(fused, stepSize: stepSize, density: &density,
                                  leaf: TrajectoryLeaf(velocity: f, velocityCopy: f + d, momentumBegin: f + 3 * d,
                                                       momentumEnd: f + 4 * d, momentumSum: f + 2 * d, point: copy))

            XCTAssertEqual(step.finite, separateFinite, file: file, line: line)
            XCTAssertEqual(step.finite, !poisoned, file: file, line: line)
            if !poisoned {
                for k in 0..<point { XCTAssertFalse(separate.base[k].isNaN, file: file, line: line) }
            }
            XCTAssertEqual(step.energy.bitPattern, separateEnergy.bitPattern, file: file, line: line)
            for k in 0..<point {
                XCTAssertTrue(same(fused.base[k], separate.base[k]), "point value \(k)", file: file, line: line)
                XCTAssertTrue(same(copy.base[k], separate.base[k]), "copy value \(k)", file: file, line: line)
            }
            for k in 0..<(5 * d) {
                XCTAssertTrue(same(f[k], vectors[k]), "vector value \(k)", file: file, line: line)
            }
        }
    }

    /// The same bits, or both NaN: the sign of a NaN made from a NaN operand depends on the
    /// order the compiler gives a commutative addition's operands, and a rejected point's NaN
    /// momenta are never read (its sub-tree is invalid and ends the trajectory).
    func same(_ a: Double, _ b: Double) -> Bool {
        a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN)
    }

    func testFusedLeapfrogIsBitIdenticalToTheSeparatePasses() {
        assertFusedMatchesSeparate(poisoned: false)
    }

    func testFusedLeapfrogRejectsANonFiniteGradientAsTheSeparatePassesDo() {
        assertFusedMatchesSeparate(poisoned: true)
    }
}
