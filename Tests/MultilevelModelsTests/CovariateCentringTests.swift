import Foundation
import XCTest
import MultilevelData
import MultilevelMath
import MultilevelSampling
@testable import MultilevelModels

/// Hierarchical centring on covariates constant within levels (`CovariateCentring`), on a small
/// grouseticks: broods nested in locations, YEAR (two dummies) constant within brood, HEIGHT
/// constant within location, x varying by row. The detector attaches HEIGHT to the coarser term
/// and YEAR to the brood term; the analytic gradient matches finite differences; at the
/// corresponding point γ_j = r_j + γ_parent + Σ_k b_k c_jk the log density and the constrained
/// draws equal the plain centred ones (the map has unit Jacobian).
final class CovariateCentringTests: XCTestCase {
    /// y ~ year1 + year2 + height + x + (1 | location) + (1 | brood): 12 locations, 36 broods
    /// (brood b in location b mod 12, year ⌊b / 12⌋), 3 rows per brood.
    static func miniGrouseticks(family: Family, seed: UInt64 = 11) -> ModelDesign {
        var rng = Xoshiro256PlusPlus(seed: seed)
        let height = (0..<12).map { _ in rng.nextNormal() }
        let location = (0..<12).map { _ in 0.5 * rng.nextNormal() }
        let brood = (0..<36).map { _ in 0.8 * rng.nextNormal() }
        var y: [Double] = [], x: [[Double]] = [], li: [String] = [], bi: [String] = []
        for i in 0..<108 {
            let b = i / 3, l = b % 12, year = b / 12
            let covariate = rng.nextNormal()
            let year1 = year == 1 ? 1.0 : 0, year2 = year == 2 ? 1.0 : 0
            let eta = 0.5 + 0.4 * year1 - 0.6 * year2 - 0.3 * height[l] + 0.2 * covariate + location[l] + brood[b]
            y.append(family == .poisson ? Double(rng.nextPoisson(mean: exp(eta))) : eta + 0.5 * rng.nextNormal())
            x.append([1, year1, year2, height[l], covariate])
            li.append("l\(l < 10 ? "0" : "")\(l)"); bi.append("b\(b < 10 ? "0" : "")\(b)")
        }
        let ones = [Double](repeating: 1, count: y.count)
        func term(_ name: String, _ labels: [String]) -> RandomEffectTerm {
            RandomEffectTerm(grouping: PosteriorTestData.grouping(name, labels), columnNames: ["(Intercept)"],
                             values: ones, text: "(1 | \(name))")
        }
        return PosteriorTestData.design(formula: "y ~ year1 + year2 + height + x + (1 | location) + (1 | brood)",
                                        response: "y", y: y, x: x,
                                        names: ["(Intercept)", "year1", "year2", "height", "x"],
                                        terms: [term("location", li), term("brood", bi)])
    }

    static func posteriors(_ design: ModelDesign, family: Family) throws -> (plain: GLMMPosterior, sheared: GLMMPosterior) {
        let layout = ParameterLayout(design: design, family: family)
        let priors = GradientTests.testPriors(layout, family: family, scale: 2.5, location: 0.3)
        let centred = design.randomTerms.map { _ in true }
        let parents = HierarchicalCentring.parents(design: design, centred: centred)
        return (try GLMMPosterior(design: design, family: family, priors: priors, centred: centred),
                try GLMMPosterior(design: design, family: family, priors: priors, centred: centred, centringParents: parents))
    }

    func testCovariatesAttachToTheCoarsestTermTheyAreConstantIn() throws {
        let design = Self.miniGrouseticks(family: .poisson)
        let (_, sheared) = try Self.posteriors(design, family: .poisson)
        let layout = sheared.layout
        XCTAssertEqual(layout.hierarchicalCentring.map(\.parent), ["Intercept", "location"])
        // b = (year1, year2, height, x): height on location, the year dummies on brood, x on none.
        XCTAssertEqual(layout.terms[0].centringCovariates.map(\.coefficient), [2])
        XCTAssertEqual(layout.terms[1].centringCovariates.map(\.coefficient), [0, 1])
        let heightMean = (0..<design.rowCount).map { design.fixedEffects[$0, 3] }.reduce(0, +) / Double(design.rowCount)
        let row = design.randomTerms[0].grouping.levelIndex.firstIndex(of: 4)!
        XCTAssertEqual(layout.terms[0].centringCovariates[0].values[4], design.fixedEffects[row, 3] - heightMean, accuracy: 1e-15)
        // Without hierarchical centring nothing is attached.
        XCTAssertTrue(ParameterLayout(design: design, family: .poisson, centred: [true, true]).terms
            .allSatisfy { $0.centringCovariates.isEmpty })
    }

    func testGradientMatchesFiniteDifferences() throws {
        for family in [Family.poisson, .gaussian] {
            let (_, sheared) = try Self.posteriors(Self.miniGrouseticks(family: family), family: family)
            for seed in [1, 2] as [UInt64] {
                let x = PosteriorTestData.point(for: sheared, seed: seed, interceptGuess: 0.5, logScaleGuess: log(0.5))
                let (error, name) = GradientTests.gradientError(sheared, at: HierarchicalCentringTests.shearedPoint(x, layout: sheared.layout))
                XCTAssertLessThanOrEqual(error, 1e-6, "\(family) seed \(seed): \(name)")
            }
        }
    }

    func testDensityAndDrawsEqualThePlainCentredOnes() throws {
        for family in [Family.poisson, .gaussian] {
            var (plain, sheared) = try Self.posteriors(Self.miniGrouseticks(family: family), family: family)
            var plainMap = ConstrainedParameters(posterior: plain)
            var shearedMap = ConstrainedParameters(posterior: sheared)
            for seed in [5, 6] as [UInt64] {
                let x = PosteriorTestData.point(for: plain, seed: seed, interceptGuess: 0.5, logScaleGuess: log(0.5))
                let y = HierarchicalCentringTests.shearedPoint(x, layout: sheared.layout)
                XCTAssertNotEqual(x, y)
                let a = plain.logDensityAndGradient(at: x), b = sheared.logDensityAndGradient(at: y)
                XCTAssertEqual(b.value, a.value, accuracy: 1e-10 * max(1, abs(a.value)), "\(family) seed \(seed)")
                let u = plainMap.constrained(x), v = shearedMap.constrained(y)
                for i in u.indices { XCTAssertEqual(v[i], u[i], accuracy: 1e-10 * max(1, abs(u[i])), plainMap.names[i]) }
            }
        }
    }
}
