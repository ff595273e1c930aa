import Foundation
import XCTest
import MultilevelData
import MultilevelMath
@testable import MultilevelModels

/// Test-only helpers for the frequentist tests: a tiny CSV reader for the fixture files (quoted
/// fields without embedded commas), a hand-built `ModelDesign` for simple lme4 formulas, and the
/// lme4 reference JSON.
enum RemlFixtures {
    static func url(_ name: String, _ ext: String) throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Fixtures"), "fixture \(name).\(ext)")
    }

    /// Columns of a fixture CSV by header name (quotes stripped).
    static func table(_ name: String) throws -> [String: [String]] {
        let text = try String(contentsOf: url(name, "csv"), encoding: .utf8)
        var lines = text.split(whereSeparator: \.isNewline).map(String.init)
        let header = lines.removeFirst().split(separator: ",").map { $0.replacingOccurrences(of: "\"", with: "") }
        var columns = [String: [String]]()
        for line in lines {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.replacingOccurrences(of: "\"", with: "") }
            for (k, name) in header.enumerated() { columns[name, default: []].append(fields[k]) }
        }
        return columns
    }

    /// A grouping factor from string labels, levels sorted as R sorts them (ASCII here).
    static func grouping(_ name: String, labels: [String]) -> GroupingFactor {
        let levels = Array(Set(labels)).sorted()
        let index = Dictionary(uniqueKeysWithValues: levels.enumerated().map { ($1, $0) })
        return GroupingFactor(name: name, levels: levels, levelIndex: labels.map { index[$0]! })
    }

    /// A random-effect term over `grouping` with columns "(Intercept)" and/or numeric predictors.
    static func term(_ grouping: GroupingFactor, columns: [String], data: [String: [Double]], text: String) -> RandomEffectTerm {
        let n = grouping.levelIndex.count
        var values = [Double]()
        for r in 0..<n { for c in columns { values.append(c == "(Intercept)" ? 1 : data[c]![r]) } }
        return RandomEffectTerm(grouping: grouping, columnNames: columns, values: values, text: text)
    }

    /// A design `response ~ 1 + fixed + terms` from numeric columns.
    static func design(response: [Double], fixed: [String], data: [String: [Double]], terms: [RandomEffectTerm],
                       formula: String, intercept: Bool = true) -> ModelDesign {
        let n = response.count
        let names = (intercept ? ["(Intercept)"] : []) + fixed
        var x = DenseMatrix(rows: n, columns: names.count)
        for (j, name) in names.enumerated() { for i in 0..<n { x[i, j] = name == "(Intercept)" ? 1 : data[name]![i] } }
        return ModelDesign(formulaText: formula, responseName: "y", response: response, trials: nil, responseLevels: nil,
                           fixedEffects: x, fixedEffectNames: names, droppedFixedEffectNames: [], randomTerms: terms,
                           sourceLines: Array(2..<(n + 2)), droppedRowCount: 0)
    }

    static func numeric(_ column: [String]) -> [Double] { column.map { Double($0)! } }

    /// Sleepstudy designs: "intercepts", "slopes", "uncorrelated".
    static func sleepstudy(_ kind: String) throws -> ModelDesign {
        let table = try table("sleepstudy")
        let days = numeric(table["Days"]!)
        let data = ["Days": days, "I(Days^2)": days.map { $0 * $0 }, "I(Days^3)": days.map { $0 * $0 * $0 }]
        let subject = grouping("Subject", labels: table["Subject"]!)
        let terms: [RandomEffectTerm]
        switch kind {
        case "intercepts": terms = [term(subject, columns: ["(Intercept)"], data: data, text: "(1 | Subject)")]
        case "slopes": terms = [term(subject, columns: ["(Intercept)", "Days"], data: data, text: "(Days | Subject)")]
        case "quadratic": terms = [term(subject, columns: ["(Intercept)", "Days", "I(Days^2)"], data: data,
                                        text: "(Days + I(Days^2) | Subject)")]
        case "cubic": terms = [term(subject, columns: ["(Intercept)", "Days", "I(Days^2)", "I(Days^3)"], data: data,
                                    text: "(Days + I(Days^2) + I(Days^3) | Subject)")]
        default: terms = [term(subject, columns: ["(Intercept)"], data: data, text: "(1 | Subject)"),
                          term(subject, columns: ["Days"], data: data, text: "(0 + Days | Subject)")]
        }
        return design(response: numeric(table["Reaction"]!), fixed: ["Days"], data: data, terms: terms,
                      formula: "Reaction ~ Days + (Days | Subject)")
    }

    /// The nested designs of scripts/references/lmer_crossed_nested.R ("nested", "singular"):
    /// y ~ z + (1 | batch/cask).
    static func nested(_ name: String) throws -> ModelDesign {
        let table = try table(name)
        let data = ["z": numeric(table["z"]!)]
        let batch = grouping("batch", labels: table["batch"]!)
        let cask = grouping("batch:cask", labels: zip(table["batch"]!, table["cask"]!).map { "\($0)_\($1)" })
        return design(response: numeric(table["y"]!), fixed: ["z"], data: data,
                      terms: [term(batch, columns: ["(Intercept)"], data: data, text: "(1 | batch)"),
                              term(cask, columns: ["(Intercept)"], data: data, text: "(1 | batch:cask)")],
                      formula: "y ~ z + (1 | batch/cask)")
    }

    static func dyestuff() throws -> ModelDesign {
        let table = try table("dyestuff")
        let batch = grouping("Batch", labels: table["Batch"]!)
        return design(response: numeric(table["Yield"]!), fixed: [], data: [:],
                      terms: [term(batch, columns: ["(Intercept)"], data: [:], text: "(1 | Batch)")], formula: "Yield ~ 1 + (1 | Batch)")
    }

    static func radon(uranium: Bool) throws -> ModelDesign {
        let table = try table("radon")
        let data = ["floor": numeric(table["floor"]!), "log_uranium": numeric(table["log_uranium"]!)]
        let county = grouping("county", labels: table["county"]!)
        return design(response: numeric(table["log_radon"]!), fixed: uranium ? ["floor", "log_uranium"] : ["floor"], data: data,
                      terms: [term(county, columns: ["(Intercept)"], data: data, text: "(1 | county)")],
                      formula: "log_radon ~ floor + (1 | county)")
    }

    /// The crossed design of scripts/references/lmer_crossed_nested.R: y ~ x + (1 | g1) + (x | g2).
    static func crossed() throws -> ModelDesign {
        let table = try table("crossed")
        let data = ["x": numeric(table["x"]!)]
        let g1 = grouping("g1", labels: table["g1"]!)
        let g2 = grouping("g2", labels: table["g2"]!)
        return design(response: numeric(table["y"]!), fixed: ["x"], data: data,
                      terms: [term(g1, columns: ["(Intercept)"], data: data, text: "(1 | g1)"),
                              term(g2, columns: ["(Intercept)", "x"], data: data, text: "(x | g2)")],
                      formula: "y ~ x + (1 | g1) + (x | g2)")
    }

    /// A reference JSON object.
    static func reference(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: url(name, "json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func numbers(_ value: Any?) -> [Double] {
        if let array = value as? [Double] { return array }
        if let number = value as? Double { return [number] }
        return []
    }
}

/// Compares one fit with an lme4 reference file at the tolerances.
func assertMatchesReference(_ fit: LinearMixedModelFit, _ reference: [String: Any], file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(fit.criterion, reference["criterion"] as! Double, accuracy: 1e-3, "criterion", file: file, line: line)
    XCTAssertEqual(fit.logLikelihood, reference["logLik"] as! Double, accuracy: 1e-3, "logLik", file: file, line: line)
    XCTAssertEqual(fit.akaikeInformationCriterion, reference["AIC"] as! Double, accuracy: 1e-3, "AIC", file: file, line: line)
    XCTAssertEqual(fit.bayesianInformationCriterion, reference["BIC"] as! Double, accuracy: 1e-3, "BIC", file: file, line: line)
    XCTAssertEqual(fit.isSingular, reference["singular"] as! Bool, file: file, line: line)
    let theta = RemlFixtures.numbers(reference["theta"])
    XCTAssertEqual(fit.theta.count, theta.count, file: file, line: line)
    for (a, b) in zip(fit.theta, theta) { XCTAssertEqual(a, b, accuracy: 1e-4, "theta", file: file, line: line) }
    let parameters = reference["parameters"] as! [String: [String: Double]]
    let ours = Dictionary(uniqueKeysWithValues: frequentistParameters(fit).map { ($0.name, $0) })
    XCTAssertEqual(Set(ours.keys), Set(parameters.keys), file: file, line: line)
    for (name, expected) in parameters {
        guard let mine = ours[name] else { continue }
        let tolerance = name.hasPrefix("b_") ? 1e-4 : 2e-4
        let estimate = expected["estimate"]!
        XCTAssertEqual(mine.estimate, estimate, accuracy: tolerance * max(abs(estimate), 1e-3), name, file: file, line: line)
        if let se = expected["se"] {
            XCTAssertEqual(mine.standardError ?? .nan, se, accuracy: 1e-4 * se, "\(name) se", file: file, line: line)
        }
    }
    let ranef = reference["ranef"] as! [String: [String: [String: [String: Double]]]]
    let table = conditionalModeTable(fit)
    var compared = 0
    for (group, levels) in ranef {
        for (level, terms) in levels {
            for (termName, values) in terms {
                guard let mine = table[group]?[level]?[termName] else {
                    XCTFail("missing ranef \(group)/\(level)/\(termName)", file: file, line: line); continue
                }
                XCTAssertEqual(mine.mode, values["mode"]!, accuracy: 1e-3, "mode \(group)/\(level)/\(termName)", file: file, line: line)
                XCTAssertEqual(mine.conditionalSD ?? .nan, values["condsd"]!, accuracy: 1e-3, "condsd \(group)/\(level)/\(termName)", file: file, line: line)
                compared += 1
            }
        }
    }
    XCTAssertGreaterThan(compared, 0, file: file, line: line)
}

/// The conditional modes as group → level → term.
func conditionalModeTable(_ fit: LinearMixedModelFit) -> [String: [String: [String: ConditionalMode]]] {
    var table = [String: [String: [String: ConditionalMode]]]()
    for entry in conditionalModes(of: fit) { table[entry.group, default: [:]][entry.level, default: [:]][entry.term] = entry }
    return table
}
