import Foundation
import XCTest
import MultilevelData
import MultilevelMath
import MultilevelSampling
@testable import MultilevelModels

/// Hierarchical centring of nested intercept-only terms (`HierarchicalCentring`): the nesting
/// detector, analytic gradients through the shear against finite differences, the density and the
/// constrained draws unchanged from the plain centred parameterisation at the corresponding point
/// (unit Jacobian), and NUTS with the shear against the Gibbs sampler on a nested design.
final class HierarchicalCentringTests: XCTestCase {
    /// A small InstEval: y ~ x + (1 | s) + (1 | d) + (1 | dept), 48 instructors d in 6
    /// departments (instructor i in department i mod 6), 30 students s crossed with both, 10 rows
    /// per instructor; sd_s 0.4, sd_d 0.6, sd_dept 0.8, intercept 0.3, slope 0.5.
    static func miniInstEval(family: Family, seed: UInt64 = 3) -> ModelDesign {
        var rng = Xoshiro256PlusPlus(seed: seed)
        let s = (0..<30).map { _ in 0.4 * rng.nextNormal() }
        let d = (0..<48).map { _ in 0.6 * rng.nextNormal() }
        let dept = (0..<6).map { _ in 0.8 * rng.nextNormal() }
        var y: [Double] = [], x: [[Double]] = [], si: [String] = [], di: [String] = [], depti: [String] = []
        for i in 0..<480 {
            let instructor = i % 48, student = (i / 16) % 30
            let covariate = rng.nextNormal()
            let eta = 0.3 + 0.5 * covariate + s[student] + d[instructor] + dept[instructor % 6]
            switch family {
            case .bernoulli: y.append(rng.nextUniform() < 1 / (1 + exp(-eta)) ? 1 : 0)
            case .poisson: y.append(Double(rng.nextPoisson(mean: exp(eta))))
            default: y.append(eta + rng.nextNormal())
            }
            x.append([1, covariate])
            si.append("s\(student)"); di.append("d\(instructor)"); depti.append("dept\(instructor % 6)")
        }
        let ones = [Double](repeating: 1, count: y.count)
        func term(_ name: String, _ labels: [String]) -> RandomEffectTerm {
            RandomEffectTerm(grouping: PosteriorTestData.grouping(name, labels), columnNames: ["(Intercept)"],
                             values: ones, text: "(1 | \(name))")
        }
        return PosteriorTestData.design(formula: "y ~ x + (1 | s) + (1 | d) + (1 | dept)", response: "y", y: y, x: x,
                                        names: ["(Intercept)", "x"],
                                        terms: [term("s", si), term("d", di), term("dept", depti)])
    }

    /// The hierarchically centred point γ for the plain centred point `x` (same values elsewhere):
    /// γ_j = r_j + γ_parent[g(j)] + Σ_k b_k c_jk, parents first.
    static func shearedPoint(_ x: [Double], layout: ParameterLayout) -> [Double] {
        var y = x
        for t in HierarchicalCentring.topDownOrder(layout.terms.map(\.centringParent)) {
            let term = layout.terms[t]
            for j in 0..<term.levelCount {
                switch term.centringParent {
                case .intercept?: y[term.zOffset + j] += y[layout.interceptOffset]
                case let .term(u, parentLevel)?: y[term.zOffset + j] += y[layout.terms[u].zOffset + parentLevel[j]]
                case nil: break
                }
                // Covariates constant within the term's levels (`CovariateCentring`).
                for covariate in term.centringCovariates { y[term.zOffset + j] += x[covariate.coefficient] * covariate.values[j] }
            }
        }
        return y
    }

    static func posteriors(_ design: ModelDesign, family: Family, centreOnIntercept: Bool = true,
                           sufficient: Bool = true) throws -> (plain: GLMMPosterior, sheared: GLMMPosterior) {
        let layout = ParameterLayout(design: design, family: family)
        let priors = GradientTests.testPriors(layout, family: family, scale: 2.5, location: 0.3)
        let centred = design.randomTerms.map { _ in true }
        let parents = HierarchicalCentring.parents(design: design, centred: centred, centreOnIntercept: centreOnIntercept)
        XCTAssertTrue(parents.contains { $0 != nil })
        return (try GLMMPosterior(design: design, family: family, priors: priors, useSufficientStatistics: sufficient,
                                  centred: centred),
                try GLMMPosterior(design: design, family: family, priors: priors, useSufficientStatistics: sufficient,
                                  centred: centred, centringParents: parents))
    }

    // MARK: Nesting detector

    func testParentLevelsOfNestedCrossedAndPartiallyNestedFactors() {
        let fine = PosteriorTestData.grouping("d", ["a", "b", "c", "a", "d", "b"])
        let coarse = PosteriorTestData.grouping("dept", ["x", "y", "y", "x", "x", "y"])
        // Levels sorted: a b c d → x y y x.
        XCTAssertEqual(HierarchicalCentring.parentLevels(of: fine, in: coarse), [0, 1, 1, 0])
        // Crossed: every student meets both departments.
        let crossed = PosteriorTestData.grouping("s", ["p", "q", "q", "p", "q", "p"])
        XCTAssertNil(HierarchicalCentring.parentLevels(of: crossed, in: coarse))
        // Partially nested: all instructors but d lie in one department; d teaches in both.
        let partial = PosteriorTestData.grouping("d", ["a", "b", "c", "a", "d", "d"])
        XCTAssertNil(HierarchicalCentring.parentLevels(of: partial, in: coarse))
    }

    func testParentsOfMiniInstEval() {
        let design = Self.miniInstEval(family: .gaussian)
        let all = [true, true, true]
        let parents = HierarchicalCentring.parents(design: design, centred: all)
        XCTAssertNil(parents[0], "students are crossed with instructors and departments")
        guard case let .term(u, parentLevel)? = parents[1] else { return XCTFail("d not centred on dept: \(parents)") }
        XCTAssertEqual(u, 2)
        let d = design.randomTerms[1].grouping, dept = design.randomTerms[2].grouping
        for j in 0..<d.levelCount {
            XCTAssertEqual(dept.levels[parentLevel[j]], "dept\(Int(d.levels[j].dropFirst())! % 6)")
        }
        XCTAssertEqual(parents[2], .intercept, "the coarsest root term (6 levels, s has 30)")
        XCTAssertEqual(HierarchicalCentring.parents(design: design, centred: all, centreOnIntercept: false)[2], nil)
        // Only centred terms: with dept non-centred d has no parent, and of the roots s (30
        // levels) and d (48) the coarser, s, is centred on the Intercept.
        XCTAssertEqual(HierarchicalCentring.parents(design: design, centred: [true, true, false]), [.intercept, nil, nil])
        XCTAssertEqual(HierarchicalCentring.parents(design: design, centred: [false, false, false]), [nil, nil, nil])
        // The rule's notice names them.
        let layout = ParameterLayout(design: design, family: .gaussian, centred: all, centringParents: parents)
        XCTAssertEqual(layout.hierarchicalCentring.map { "\($0.group) on \($0.parent)" }, ["d on dept", "dept on Intercept"])
        XCTAssertTrue(layout.unconstrainedNames.contains("gamma_2[1,48]"))
        XCTAssertTrue(layout.unconstrainedNames.contains("r_1[1,30]"))
    }

    func testSlopeTermsAreNotHierarchicallyCentred() throws {
        let design = try PosteriorTestData.sleepstudy(slopes: true)
        XCTAssertEqual(HierarchicalCentring.parents(design: design, centred: [true]), [nil])
        XCTAssertEqual(try ParameterisationChoice.automatic.parameterisation(design: design, family: .gaussian)
                           .centringParents, [nil])
    }

    func testTopDownOrderPutsParentsFirst() {
        let parents: [CentringParent?] = [.term(2, parentLevel: []), nil, .term(3, parentLevel: []), .intercept]
        XCTAssertEqual(HierarchicalCentring.topDownOrder(parents), [3, 2, 0])
    }

    // MARK: Gradient and density

    func testGradientThroughTheShear() throws {
        for family in [Family.gaussian, .bernoulli, .poisson] {
            for onIntercept in [true, false] {
                let (_, sheared) = try Self.posteriors(Self.miniInstEval(family: family), family: family,
                                                       centreOnIntercept: onIntercept)
                for seed in [1, 2] as [UInt64] {
                    let x = PosteriorTestData.point(for: sheared, seed: seed, interceptGuess: 0.3, logScaleGuess: log(0.5))
                    let (error, name) = GradientTests.gradientError(sheared, at: Self.shearedPoint(x, layout: sheared.layout))
                    XCTAssertLessThanOrEqual(error, 1e-6, "\(family) on intercept \(onIntercept) seed \(seed): \(name)")
                }
            }
        }
        let (_, rows) = try Self.posteriors(Self.miniInstEval(family: .gaussian), family: .gaussian, sufficient: false)
        let x = PosteriorTestData.point(for: rows, seed: 3, interceptGuess: 0.3, logScaleGuess: log(0.5))
        XCTAssertLessThanOrEqual(GradientTests.gradientError(rows, at: Self.shearedPoint(x, layout: rows.layout)).error, 1e-6)
        let nested = try PosteriorTestData.built("nested", "y ~ z + (1 | batch/cask)")
        let (_, batches) = try Self.posteriors(nested, family: .gaussian)
        let y = PosteriorTestData.point(for: batches, seed: 4, interceptGuess: 9.9, logScaleGuess: log(1))
        let (error, name) = GradientTests.gradientError(batches, at: Self.shearedPoint(y, layout: batches.layout))
        XCTAssertLessThanOrEqual(error, 1e-6, name)
    }

    /// The shear has unit Jacobian: at γ = A⁻¹ r the log density equals the plain centred one at
    /// r, the constrained draws are the same, and the gradients are related by ∂/∂γ = Aᵀ ∂/∂r.
    func testDensityAndDrawsEqualThePlainCentredOnes() throws {
        for family in [Family.gaussian, .bernoulli] {
            var (plain, sheared) = try Self.posteriors(Self.miniInstEval(family: family), family: family)
            var plainMap = ConstrainedParameters(posterior: plain)
            var shearedMap = ConstrainedParameters(posterior: sheared)
            XCTAssertEqual(plainMap.names, shearedMap.names)
            let layout = sheared.layout
            for seed in [5, 6] as [UInt64] {
                let x = PosteriorTestData.point(for: plain, seed: seed, interceptGuess: 0.3, logScaleGuess: log(0.5))
                let y = Self.shearedPoint(x, layout: layout)
                let a = plain.logDensityAndGradient(at: x), b = sheared.logDensityAndGradient(at: y)
                XCTAssertEqual(b.value, a.value, accuracy: 1e-10 * max(1, abs(a.value)), "\(family) seed \(seed)")
                let u = plainMap.constrained(x), v = shearedMap.constrained(y)
                for i in u.indices { XCTAssertEqual(v[i], u[i], accuracy: 1e-12 * max(1, abs(u[i])), plainMap.names[i]) }
                // Aᵀ: ∂/∂γ_dept,k = ∂/∂r_dept,k − Σ_{d in k} ∂/∂r_d; ∂/∂Intercept loses Σ_k ∂/∂r_dept,k.
                var expected = a.gradient
                let d = layout.terms[1], dept = layout.terms[2]
                guard case let .term(_, parentLevel)? = d.centringParent else { return XCTFail("d not centred on dept") }
                for j in 0..<d.levelCount { expected[dept.zOffset + parentLevel[j]] -= a.gradient[d.zOffset + j] }
                for k in 0..<dept.levelCount { expected[layout.interceptOffset] -= a.gradient[dept.zOffset + k] }
                for i in expected.indices {
                    XCTAssertEqual(b.gradient[i], expected[i], accuracy: 1e-9 * max(1, abs(expected[i])),
                                   layout.unconstrainedNames[i])
                }
            }
        }
    }

    // MARK: Sampling

    /// NUTS with batch:cask centred on batch and batch on the Intercept samples the posterior the
    /// Gibbs sampler does (brms' default priors): every b_, sd_, sigma and r_ mean and 2.5% /
    /// 97.5% quantile within 4 combined MCSE, R-hat < 1.01 on both sides.
    func testNestedFitAgreesWithGibbs() throws {
        let design = try PosteriorTestData.built("nested", "y ~ z + (1 | batch/cask)")
        let choice = ParameterisationChoice.hierarchicallyCentred(centreOnIntercept: true)
        let parents = try choice.parameterisation(design: design, family: .gaussian).centringParents
        XCTAssertEqual(parents.compactMap { $0 }.count, 2, "batch:cask on batch, batch on the Intercept")
        let (priors, covariance) = try GibbsTestSupport.priors(design, "")
        let model = try GibbsModel(design: design, priors: priors, covariancePriors: covariance)
        let gibbs = try GibbsSampler.sample(model: model, settings: SamplerSettings(iterations: 3000, warmup: 500, seed: 21)).draws
        let fit = try BayesianFit.run(design: design, family: .gaussian,
                                      settings: SamplerSettings(iterations: 2000, warmup: 1000, seed: 22),
                                      parameterisation: choice)
        XCTAssertEqual(fit.posterior.layout.hierarchicalCentring.map(\.parent), ["Intercept", "batch"])
        let names = gibbs.variableNames.filter { !$0.hasSuffix("__") }
        XCTAssertTrue(names.contains("sd_batch:cask__Intercept") && names.contains("r_batch:cask[A_a,Intercept]"), "\(names)")
        let comparisons = GibbsTestSupport.assertAgrees(gibbs, fit.draws, names: names)
        XCTAssertEqual(comparisons.count, 3 * names.count)
    }
}
