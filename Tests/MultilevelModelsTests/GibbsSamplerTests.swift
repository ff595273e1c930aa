import Foundation
import XCTest
import MultilevelData
import MultilevelSampling
@testable import MultilevelModels

/// The Gibbs kernel's contract: output names and lp__ as the NUTS path, reproducibility across
/// cores and chain subsets, and one-line errors for models it cannot sample.
final class GibbsSamplerTests: XCTestCase {
    func model(_ design: ModelDesign, _ covariance: CovariancePriors? = nil) throws -> GibbsModel {
        try GibbsModel(design: design, priors: GibbsTestSupport.priors(design), covariancePriors: covariance)
    }

    func testDrawsHaveTheNUTSNamesAndLpIsTheLogPosteriorAtTheDraw() throws {
        let design = try PosteriorTestData.built("nested", "y ~ z + (1 | batch/cask)")
        let gibbs = try model(design)
        let settings = SamplerSettings(iterations: 30, warmup: 10, chains: 2, seed: 3)
        let collector = DrawsCollector(settings: settings, parameterCount: gibbs.layout.dimension)
        _ = try ChainRunner.run(settings: settings, observer: collector, progress: nil) { _ in GibbsSampler(model: gibbs) }
        let unconstrained = collector.draws(parameterNames: gibbs.layout.unconstrainedNames)
        let draws = logPosteriorAndConstrained(unconstrained, layout: gibbs.layout, columnMeans: gibbs.columnMeans)
        let constrained = ConstrainedParameters(layout: gibbs.layout, columnMeans: gibbs.columnMeans)
        XCTAssertEqual(draws.variableNames, ["lp__"] + constrained.names)
        XCTAssertTrue(draws.variableNames.contains("r_batch:cask[A_a,Intercept]"))
        XCTAssertEqual(draws.drawsPerChain, 20)
        // lp__ is the brms log posterior (GLMMPosterior with the default priors) at the draw.
        var posterior = try GLMMPosterior(design: design, family: .gaussian, priors: GibbsTestSupport.priors(design))
        let width = unconstrained.variableCount
        let offset = TransitionStatistics.columnNames.count
        for chain in unconstrained.chains {
            for row in 0..<20 {
                let x = Array(chain[(row * width + offset)..<((row + 1) * width)])
                XCTAssertEqual(chain[row * width], posterior.logDensityAndGradient(at: x).value, accuracy: 1e-9)
                XCTAssertEqual(chain[row * width + 1], 1)   // accept_stat__
            }
        }
        // The sd and group effects are consistent with the position: r = sd · z.
        let sd = draws.values(of: "sd_batch__Intercept")!, r = draws.values(of: "r_batch[A,Intercept]")!
        XCTAssertTrue(sd.joined().allSatisfy { $0 > 0 })
        XCTAssertEqual(Set(r.joined()).count, 40, "the effects move every iteration")
    }

    func testSameSeedGivesIdenticalDrawsOnAnyNumberOfCoresAndChainSubsets() throws {
        let gibbs = try model(try PosteriorTestData.sleepstudy(slopes: false))
        let parallel = SamplerSettings(iterations: 200, warmup: 50, chains: 3, seed: 99, parallel: true)
        var sequential = parallel
        sequential.parallel = false
        let a = try GibbsSampler.sample(model: gibbs, settings: parallel).draws
        let b = try GibbsSampler.sample(model: gibbs, settings: sequential).draws
        XCTAssertEqual(a, b)
        var alone = parallel
        alone.chains = 1
        alone.firstChain = 2
        let c = try GibbsSampler.sample(model: gibbs, settings: alone).draws
        XCTAssertEqual(c.chains[0], a.chains[2])
        var other = parallel
        other.seed = 100
        XCTAssertNotEqual(try GibbsSampler.sample(model: gibbs, settings: other).draws.chains[0], a.chains[0])
    }

    func testModelsOutsideTheConjugateClassAreRefusedWithOneLine() throws {
        let slopes = try PosteriorTestData.sleepstudy(slopes: true)
        func message(_ body: () throws -> Any) -> String {
            do { _ = try body(); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(message { try self.model(slopes) },
                       "the group-level term of Subject with columns Intercept, Days has correlated effects: the Gibbs sampler needs a "
                       + "covariance prior such as 'cov:Subject ~ huang_wand(2, 25)' or 'cov:Subject ~ inv_wishart(3, 1)' "
                       + "(brms' sd and lkj priors are not conditionally conjugate), or use --sampler nuts")
        let cbpp = try PosteriorTestData.cbpp()
        let layout = ParameterLayout(design: cbpp, family: .binomial)
        let binomialPriors = PriorSet.defaults(for: cbpp, family: .binomial).resolved(for: layout)
        XCTAssertEqual(message { try GibbsModel(design: cbpp, family: .binomial, priors: binomialPriors) },
                       "the Gibbs sampler handles the gaussian family only, not binomial; use --sampler nuts")
        let intercepts = try PosteriorTestData.sleepstudy(slopes: false)
        var priors = GibbsTestSupport.priors(intercepts)
        priors.auxiliary = [.exponential(rate: 0.1)]
        XCTAssertEqual(message { try GibbsModel(design: intercepts, priors: priors) },
                       "the Gibbs sampler takes a half student_t(ν, 0, A) or cauchy(0, A) prior on sigma, not exponential(0.1); "
                       + "write a covariance prior (cov/sigma2 ~ inv_gamma(a, b)) or use --sampler nuts")
        priors = GibbsTestSupport.priors(intercepts)
        priors.standardDeviations = [[.studentT(degreesOfFreedom: 3, location: 5, scale: 10)]]
        XCTAssertEqual(message { try GibbsModel(design: intercepts, priors: priors) },
                       "the Gibbs sampler takes a half student_t(ν, 0, A) or cauchy(0, A) prior on sd_Subject__Intercept, "
                       + "not student_t(3, 5, 10); write a covariance prior (cov/sigma2 ~ inv_gamma(a, b)) or use --sampler nuts")
        priors = GibbsTestSupport.priors(intercepts)
        priors.coefficients = [.uniform(lower: -1, upper: 30)]
        XCTAssertEqual(message { try GibbsModel(design: intercepts, priors: priors) },
                       "the Gibbs sampler takes flat, normal, student_t or cauchy priors on b_Days, not uniform(-1, 30); use --sampler nuts")
        var noTerms = intercepts
        noTerms.randomTerms = []
        XCTAssertEqual(message { try GibbsModel(design: noTerms, priors: PriorSet.defaults(for: noTerms, family: .gaussian)
                                                    .resolved(for: ParameterLayout(design: noTerms, family: .gaussian))) },
                       "the Gibbs sampler needs at least one group-level term; use --sampler nuts")
    }

    /// The fit command's entry point: brms' priors with the user's statements, covariance statements,
    /// draws in `BayesianFit`'s layout (the CmdStan sampler columns, then brms' names) as NUTS gives.
    func testFitEntryPointReturnsABayesianFitLikeNUTS() throws {
        let design = try PosteriorTestData.sleepstudy(slopes: true)
        let parsed = try CovariancePriorStatement.parseAll("b ~ normal(0, 50)\ncov:Subject ~ huang_wand(2, 30)\nsigma2 ~ inv_gamma(1, 100)")
        let settings = SamplerSettings(iterations: 300, warmup: 100, chains: 2, seed: 5)
        let fit = try GibbsSampler.fit(design: design, family: .gaussian, priors: parsed.statements,
                                       covariance: parsed.covariance, settings: settings)
        let map = ConstrainedParameters(layout: ParameterLayout(design: design, family: .gaussian),
                                        columnMeans: fit.posterior.columnMeans)
        XCTAssertEqual(fit.draws.variableNames, TransitionStatistics.columnNames + map.names)
        XCTAssertEqual(fit.draws.drawsPerChain, 200)
        XCTAssertEqual(fit.cmdStanParameterNames, map.cmdStanNames)
        XCTAssertEqual(fit.chainSummaries.map(\.completedIterations), [300, 300])
        XCTAssertEqual(fit.priors.effectivePrior(.b, coefficient: "Days"), .normal(mean: 0, sd: 50))
        XCTAssertTrue(fit.draws.values(of: "lp__")!.joined().allSatisfy(\.isFinite))
        XCTAssertThrowsError(try GibbsSampler.fit(design: design, family: .gaussian, settings: settings)) { error in
            XCTAssertTrue("\(error)".contains("has correlated effects"), "\(error)")
        }
    }
}
