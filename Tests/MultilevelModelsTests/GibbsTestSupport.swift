import Foundation
import XCTest
import MultilevelData
import MultilevelMath
@testable import MultilevelSampling
@testable import MultilevelModels

/// Comparisons of posterior draws within Monte Carlo error, for the Gibbs tests.
enum GibbsTestSupport {
    /// One variable's summary in a brms fixture (`parameters` object).
    struct ReferenceSummary {
        var mean: Double, q025: Double, q975: Double, mcseMean: Double, essTail: Double
    }

    /// A brms fixture's summaries, and the variables whose summary has an R `NA` (JSON null)
    /// where a number is needed, with the fields that are missing.
    struct ReferenceTable {
        var summaries: [String: ReferenceSummary]
        var incomplete: [String: [String]]

        /// The summary of `name`, or a test failure saying which of brms' entries are NA.
        func summary(_ name: String, fixture: String, file: StaticString = #filePath, line: UInt = #line) -> ReferenceSummary? {
            if let summary = summaries[name] { return summary }
            if let fields = incomplete[name] {
                XCTFail("\(fixture): brms' summary of \(name) has NA for \(fields.joined(separator: ", "))", file: file, line: line)
            } else {
                XCTFail("\(fixture): \(name) missing from brms' summary", file: file, line: line)
            }
            return nil
        }
    }

    /// Reads `parameters` of a brms fixture without trapping on R's `NA` (written as null).
    static func brmsReferenceTable(_ fixture: String) throws -> ReferenceTable {
        let data = try Data(contentsOf: PosteriorTestData.fixtureURL(fixture, "json"))
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(fixture): not a JSON object")
        let parameters = try XCTUnwrap(object["parameters"] as? [String: [String: Any]], "\(fixture): no 'parameters' object")
        var table = ReferenceTable(summaries: [:], incomplete: [:])
        let fields = ["mean", "q2.5", "q97.5", "mcse_mean", "ess_tail"]
        for (name, entries) in parameters {
            let values = fields.map { entries[$0] as? Double }
            let missing = fields.indices.filter { values[$0] == nil }.map { fields[$0] }
            if missing.isEmpty {
                table.summaries[name] = ReferenceSummary(mean: values[0]!, q025: values[1]!, q975: values[2]!,
                                                         mcseMean: values[3]!, essTail: values[4]!)
            } else {
                table.incomplete[name] = missing
            }
        }
        return table
    }

    /// The complete summaries of a brms fixture (variables with an NA entry left out).
    static func brmsReference(_ fixture: String) throws -> [String: ReferenceSummary] {
        try brmsReferenceTable(fixture).summaries
    }

    static func priors(_ design: ModelDesign) -> PosteriorPriors {
        PriorSet.defaults(for: design, family: .gaussian).resolved(for: ParameterLayout(design: design, family: .gaussian))
    }

    /// brms' default priors updated by `text` (brms statements, Huang–Wand `cov` statements), and
    /// the MCMCglmm-style covariance priors in `text`.
    static func priors(_ design: ModelDesign, _ text: String) throws -> (PosteriorPriors, CovariancePriors) {
        let layout = ParameterLayout(design: design, family: .gaussian)
        let parsed = try CovariancePriorStatement.parseAll(text)
        var set = PriorSet.defaults(for: design, family: .gaussian)
        try set.apply(parsed.statements)
        return (set.resolved(for: layout), try CovariancePriors.resolve(parsed.covariance, layout: layout))
    }

    struct Comparison: CustomStringConvertible {
        var name: String
        var what: String
        var ours: Double, theirs: Double, combinedMCSE: Double
        var zScore: Double { (ours - theirs) / combinedMCSE }
        var description: String {
            "\(name) \(what): \(ours) vs \(theirs), combined MCSE \(combinedMCSE), z = \(String(format: "%.2f", zScore))"
        }
    }

    static func sequences(_ draws: Draws, _ name: String) -> ChainSequences {
        ChainSequences(chains: draws.values(of: name)!)
    }

    /// Mean and 2.5% / 97.5% quantiles of `draws` against a brms fixture, with brms' mean MCSE and,
    /// as the fixture has no quantile MCSE, brms' quantile MCSE approximated by posterior's beta
    /// interval (`quantileMonteCarloStandardError`) on our sorted draws with brms' tail-ESS.
    /// Asserts |z| < `MonteCarloTolerance.familyWiseMCSEBound` of the number of comparisons (5.97
    /// for the 66 of sleepstudy) and R-hat within `MonteCarloTolerance.rhatBound`.
    static func assertAgrees(_ draws: Draws, brms reference: [String: ReferenceSummary], names: [String],
                             label: String = #function,
                             file: StaticString = #filePath, line: UInt = #line) -> [Comparison] {
        var comparisons: [Comparison] = []
        for name in names {
            guard let theirs = reference[name], let _ = draws.index(of: name) else {
                XCTFail("\(name) missing", file: file, line: line)
                continue
            }
            let x = sequences(draws, name)
            let mean = x.values.reduce(0, +) / Double(x.values.count)
            comparisons.append(Comparison(name: name, what: "mean", ours: mean, theirs: theirs.mean,
                                          combinedMCSE: hypot(meanMonteCarloStandardError(x), theirs.mcseMean)))
            let sorted = x.values.sorted()
            for (p, value) in [(0.025, theirs.q025), (0.975, theirs.q975)] {
                let ours = quantileType7(sorted, probability: p)
                let brmsMCSE = sorted.withUnsafeBufferPointer {
                    quantileMonteCarloStandardError(sorted: $0, probability: p, effectiveSampleSize: theirs.essTail)
                }
                comparisons.append(Comparison(name: name, what: "q\(p * 100)", ours: ours, theirs: value,
                                              combinedMCSE: hypot(quantileMonteCarloStandardError(x, probability: p), brmsMCSE)))
            }
            MonteCarloTolerance.assertConverged(x, name, checks: names.count, label: label, file: file, line: line)
        }
        assertWithinFamilyBound(comparisons, label: label, file: file, line: line)
        return comparisons
    }

    /// |z| of every comparison below the family-wise bound for their number.
    static func assertWithinFamilyBound(_ comparisons: [Comparison], label: String,
                                        file: StaticString = #filePath, line: UInt = #line) {
        let bound = MonteCarloTolerance.familyWiseMCSEBound(checks: comparisons.count)
        for c in comparisons {
            MonteCarloTolerance.log(label, c.name, c.what, c.zScore)
            XCTAssertLessThan(abs(c.zScore), bound, c.description + " (bound \(String(format: "%.2f", bound)))",
                              file: file, line: line)
        }
    }

    /// The same comparison between two runs of ours (both MCSEs from the diagnostics module), for
    /// every variable present in both (or `names`).
    static func assertAgrees(_ a: Draws, _ b: Draws, names: [String]? = nil, label: String = #function,
                             file: StaticString = #filePath, line: UInt = #line) -> [Comparison] {
        let common = names ?? a.variableNames.filter { b.index(of: $0) != nil }
        var comparisons: [Comparison] = []
        for name in common {
            let x = sequences(a, name), y = sequences(b, name)
            let meanX = x.values.reduce(0, +) / Double(x.values.count)
            let meanY = y.values.reduce(0, +) / Double(y.values.count)
            comparisons.append(Comparison(name: name, what: "mean", ours: meanX, theirs: meanY,
                                          combinedMCSE: hypot(meanMonteCarloStandardError(x), meanMonteCarloStandardError(y))))
            let sortedX = x.values.sorted(), sortedY = y.values.sorted()
            for p in [0.025, 0.975] {
                comparisons.append(Comparison(name: name, what: "q\(p * 100)", ours: quantileType7(sortedX, probability: p),
                                              theirs: quantileType7(sortedY, probability: p),
                                              combinedMCSE: hypot(quantileMonteCarloStandardError(x, probability: p),
                                                                  quantileMonteCarloStandardError(y, probability: p))))
            }
            for (run, s) in [("first", x), ("second", y)] {
                MonteCarloTolerance.assertConverged(s, "\(name) (\(run) run)", checks: 2 * common.count, label: label,
                                                    file: file, line: line)
            }
        }
        assertWithinFamilyBound(comparisons, label: label, file: file, line: line)
        return comparisons
    }
}
