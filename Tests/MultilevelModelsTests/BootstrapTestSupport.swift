import Foundation
import XCTest
import MultilevelData
import MultilevelMath
@testable import MultilevelModels

/// Checks shared by the Laplace bootstraps' tests (`GeneralizedBootstrapTests`,
/// `ZeroInflatedBootstrapTests`).
enum BootstrapTestSupport {
    /// A simulated count data set for `y ~ x + (1 | g)`: η = `intercept` + `slope`·x + u_g with
    /// u_g ~ N(0, `groupSD`²), x ~ N(0, 1), row i in group i mod `groups`; the count is Poisson(e^η),
    /// or with `shape` a negative binomial (a Poisson of a Gamma(shape, rate shape/e^η) mean); with
    /// `zeroInflation` a structural zero replaces it with that probability.
    static func countDesign(seed: UInt64, rows: Int, groups: Int, groupSD: Double, intercept: Double, slope: Double,
                            shape: Double? = nil, zeroInflation: Double? = nil) throws -> ModelDesign {
        var rng = Xoshiro256PlusPlus(seed: seed)
        let effects = (0..<groups).map { _ in groupSD * rng.nextNormal() }
        var lines = ["y,x,g"]
        for i in 0..<rows {
            let x = rng.nextNormal(), g = i % groups
            let mean = exp(intercept + slope * x + effects[g])
            let count = shape.map { rng.nextPoisson(mean: rng.nextGamma(shape: $0, rate: $0 / mean)) } ?? rng.nextPoisson(mean: mean)
            let zero = zeroInflation.map { rng.nextUniform() < $0 } ?? false
            lines.append("\(zero ? 0 : count),\(x),g\(g)")
        }
        let table = try DataTable.read(data: Data((lines.joined(separator: "\n") + "\n").utf8), fileName: "counts.csv")
        return try ModelDesign.build(formula: try Formula.parse("y ~ x + (1 | g)"), table: table)
    }

    /// The replicates depend on the seed only: `run(replicates, seed, threads)` gives bit-identical
    /// values on one thread and on two, and other values under another seed.
    static func assertReplicatesDependOnTheSeedOnly(_ run: (Int, UInt64, Int) throws -> BootstrapResult,
                                                    file: StaticString = #filePath, line: UInt = #line) throws {
        let one = try run(6, 99, 1)
        let two = try run(6, 99, 2)
        let other = try run(6, 100, 2)
        XCTAssertEqual(one.values.map(\.bitPattern), two.values.map(\.bitPattern), file: file, line: line)
        XCTAssertNotEqual(one.values, other.values, file: file, line: line)
    }
}
