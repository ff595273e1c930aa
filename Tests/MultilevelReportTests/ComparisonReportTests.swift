import XCTest
import Foundation
import MultilevelData
import MultilevelModels
import MultilevelSampling
@testable import MultilevelReport

/// The comparison's text, JSON and plots on sleepstudy (small bootstrap and chains): every
/// section and JSON key present, every SVG well-formed XML with the Bayesian curves added.
final class ComparisonReportTests: XCTestCase {
    static let comparison: ModelComparison? = {
        guard let design = try? PlotTests.design("plot_sleepstudy", "Reaction ~ Days + (Days | Subject)") else { return nil }
        var sampler = SamplerSettings(iterations: 200, warmup: 100, chains: 2)
        sampler.seed = 3
        return try? ModelComparison.run(design: design, settings: ComparisonSettings(replicates: 20, bootstrapSeed: 4, sampler: sampler))
    }()

    func testJSONHasEveryKey() throws {
        let c = try XCTUnwrap(Self.comparison)
        let text = ComparisonJSON.json(c).serialized()
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let parameters = try XCTUnwrap(root["parameters"] as? [String: [String: Any]])
        XCTAssertEqual(Set(parameters.keys), ["b_Intercept", "b_Days", "sd_Subject__Intercept", "sd_Subject__Days",
                                              "cor_Subject__Intercept__Days", "sigma"])
        for (name, methods) in parameters {
            let expected: Set<String> = name.hasPrefix("b_") ? ["ols", "lmer", "bootstrap", "bayes"] : ["lmer", "bootstrap", "bayes"]
            XCTAssertEqual(Set(methods.keys), expected, name)
            for method in expected.subtracting(["bayes"]) {
                XCTAssertEqual(Set((methods[method] as? [String: Double])?.keys ?? [:].keys), ["estimate", "lower", "upper"], "\(name) \(method)")
            }
            XCTAssertEqual(Set((methods["bayes"] as? [String: Double])?.keys ?? [:].keys),
                           ["median", "lower", "upper", "hdi_lower", "hdi_upper"], name)
        }
        let groups = try XCTUnwrap(root["groups"] as? [String: [String: [String: [String: Any]]]])
        let subject = try XCTUnwrap(groups["Subject"])
        XCTAssertEqual(subject.count, 18)
        for (level, terms) in subject {
            XCTAssertEqual(Set(terms.keys), ["Intercept", "Days"], level)
            for (term, entry) in terms {
                XCTAssertEqual(Set(entry.keys), ["n", "no_pooling", "partial_pooling", "bayes"], "\(level) \(term)")
                XCTAssertEqual(Set((entry["no_pooling"] as? [String: Double])?.keys ?? [:].keys), ["estimate", "se"])
                XCTAssertEqual(Set((entry["partial_pooling"] as? [String: Double])?.keys ?? [:].keys),
                               ["estimate", "conditional_mode", "conditional_sd"])
                XCTAssertEqual(Set((entry["bayes"] as? [String: Double])?.keys ?? [:].keys), ["mean", "lower", "upper"])
            }
        }
        let models = try XCTUnwrap(root["models"] as? [String: Any])
        XCTAssertEqual(Set(models.keys), ["fits", "likelihood_ratio_test", "loo", "waic"])
        let fits = try XCTUnwrap(models["fits"] as? [[String: Any]])
        XCTAssertEqual(fits.count, 2)
        for fit in fits { XCTAssertEqual(Set(fit.keys), ["model", "parameters", "logLik", "AIC", "BIC"]) }
        let test = try XCTUnwrap(models["likelihood_ratio_test"] as? [String: Any])
        XCTAssertEqual(Set(test.keys), ["statistic", "df", "p_value", "reference"])
    }

    func testTextHasTheThreeSections() throws {
        let c = try XCTUnwrap(Self.comparison)
        let text = ComparisonReport.text(c)
        for needle in ["1. Population-level parameters", "2. Group-level coefficients", "3. Models",
                       "cor_Subject__Intercept__Days", "Subject 372", "Likelihood-ratio test", "df = 3", "PSIS-LOO"] {
            XCTAssertTrue(text.contains(needle), needle)
        }
        // One row per parameter and per level × term.
        XCTAssertEqual(text.split(separator: "\n").filter { $0.hasPrefix("Subject ") }.count, 36)
    }

    func testEveryPlotIsWellFormedSVG() throws {
        let c = try XCTUnwrap(Self.comparison)
        let files = try ComparisonPlots.all(c)
        XCTAssertTrue(files.skipped.isEmpty, "\(files.skipped)")
        let plots = files.plots
        XCTAssertEqual(plots.map(\.file), ["population_fit.svg", "group_lattice.svg", "shrinkage.svg", "estimates_by_size.svg",
                                           "interval_forest.svg", "trace.svg", "density.svg"])
        for plot in plots {
            let elements = assertWellFormedSVG(plot.svg)
            XCTAssertEqual(elements.first, "svg", plot.file)
        }
        let population = assertWellFormedSVG(plots[0].svg)
        XCTAssertEqual(population.filter { $0 == "polygon" }.count, 3, "OLS, bootstrap and credible bands")
        let lattice = assertWellFormedSVG(plots[1].svg)
        XCTAssertEqual(lattice.filter { $0 == "polyline" }.count, 54, "no, partial and Bayesian lines in 18 panels")
    }
}
