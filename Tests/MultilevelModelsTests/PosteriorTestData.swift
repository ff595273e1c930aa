import Foundation
import XCTest
import MultilevelMath
import MultilevelData
@testable import MultilevelModels

/// Test data: fixture designs built by the data layer, and hand-built simulated designs.
enum PosteriorTestData {
    static func fixtureURL(_ name: String, _ ext: String) -> URL {
        Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Fixtures")!
    }

    /// A grouping factor with levels sorted as R sorts these (numeric-looking labels of equal
    /// width, or letters).
    static func grouping(_ name: String, _ labels: [String]) -> GroupingFactor {
        let levels = Array(Set(labels)).sorted { a, b in
            if let x = Int(a), let y = Int(b) { return x < y }
            return a < b
        }
        let index = Dictionary(uniqueKeysWithValues: levels.enumerated().map { ($1, $0) })
        return GroupingFactor(name: name, levels: levels, levelIndex: labels.map { index[$0]! })
    }

    static func design(formula: String, response: String, y: [Double], trials: [Double]? = nil,
                       x: [[Double]], names: [String], terms: [RandomEffectTerm]) -> ModelDesign {
        ModelDesign(formulaText: formula, responseName: response, response: y, trials: trials,
                    responseLevels: nil, fixedEffects: DenseMatrix(rowMajor: x), fixedEffectNames: names,
                    droppedFixedEffectNames: [], randomTerms: terms,
                    sourceLines: Array(2..<(y.count + 2)), droppedRowCount: 0)
    }

    /// A design built by the data layer from a fixture CSV and a formula.
    static func built(_ csv: String, _ formula: String) throws -> ModelDesign {
        let table = try DataTable.read(contentsOf: fixtureURL(csv, "csv"))
        return try ModelDesign.build(formula: Formula.parse(formula), table: table)
    }

    /// sleepstudy `Reaction ~ Days + (Days | Subject)` (or `(1 | Subject)` when `slopes` is false).
    static func sleepstudy(slopes: Bool = true) throws -> ModelDesign {
        try built("sleepstudy", slopes ? "Reaction ~ Days + (Days | Subject)" : "Reaction ~ Days + (1 | Subject)")
    }

    /// Dyestuff `Yield ~ 1 + (1 | Batch)`.
    static func dyestuff() throws -> ModelDesign {
        try built("Dyestuff", "Yield ~ 1 + (1 | Batch)")
    }

    /// cbpp `incidence | trials(size) ~ period + (1 | herd)`.
    static func cbpp() throws -> ModelDesign {
        try built("cbpp", "incidence | trials(size) ~ period + (1 | herd)")
    }

    /// A simulated model with crossed terms: y ~ x1 + x2 + (1 + x1 + x2 | g1) + (1 | g2) + (x1 | g3),
    /// response drawn for `family` (counts, 0/1, positive values as the family needs).
    static func crossed(family: Family, rows: Int = 240, seed: UInt64 = 7) -> ModelDesign {
        var rng = Xoshiro256PlusPlus(seed: seed)
        var x: [[Double]] = [], y: [Double] = [], trials: [Double] = []
        var g1: [String] = [], g2: [String] = [], g3: [String] = []
        var v1: [Double] = [], v2: [Double] = [], v3: [Double] = []
        for i in 0..<rows {
            let x1 = rng.nextNormal(), x2 = rng.nextUniform(-1, 1)
            x.append([1, x1, x2])
            g1.append("a\(i % 7)"); g2.append("b\((i / 3) % 5)"); g3.append("c\((i * 7 + 3) % 6)")
            v1 += [1, x1, x2]; v2 += [1]; v3 += [1, x1]
            let eta = 0.3 + 0.5 * x1 - 0.4 * x2 + 0.3 * rng.nextNormal()
            let n = Double(3 + i % 5)
            trials.append(n)
            switch family.kind {
            case .gaussian, .student: y.append(eta + 0.5 * rng.nextNormal())
            case .bernoulli: y.append(rng.nextUniform() < 1 / (1 + exp(-eta)) ? 1 : 0)
            case .binomial: y.append(Double((0..<Int(n)).filter { _ in rng.nextUniform() < 1 / (1 + exp(-eta)) }.count))
            case .poisson, .negativeBinomial, .zeroInflatedPoisson, .zeroInflatedNegativeBinomial, .hurdlePoisson,
                 .hurdleNegativeBinomial:
                y.append(Double(Int(exp(eta) * 2 * rng.nextUniform())))
            case .lognormal, .gamma, .exponential, .weibull: y.append(exp(eta + 0.4 * rng.nextNormal()))
            case .beta: y.append(1 / (1 + exp(-(eta + 0.4 * rng.nextNormal()))))
            case .cumulative:
                // A logistic latent variable cut at −0.5, 0.7 and 1.8: ratings 1 … 4.
                let u = rng.nextUniform(), latent = eta + log(u / (1 - u))
                y.append(1 + Double([-0.5, 0.7, 1.8].filter { latent > $0 }.count))
            case .skewNormal: y.append(eta + 0.3 * rng.nextNormal() + 0.4 * abs(rng.nextNormal()))
            case .hurdleLognormal: y.append(rng.nextUniform() < 0.3 ? 0 : exp(eta + 0.4 * rng.nextNormal()))
            }
        }
        let terms = [
            RandomEffectTerm(grouping: grouping("g1", g1), columnNames: ["(Intercept)", "x1", "x2"], values: v1,
                             text: "(1 + x1 + x2 | g1)"),
            RandomEffectTerm(grouping: grouping("g2", g2), columnNames: ["(Intercept)"], values: v2, text: "(1 | g2)"),
            RandomEffectTerm(grouping: grouping("g3", g3), columnNames: ["(Intercept)", "x1"], values: v3,
                             text: "(x1 | g3)"),
        ]
        return design(formula: "y ~ x1 + x2 + (1 + x1 + x2 | g1) + (1 | g2) + (x1 | g3)", response: "y", y: y,
                      trials: family == .binomial ? trials : nil, x: x, names: ["(Intercept)", "x1", "x2"],
                      terms: terms)
    }

    /// Reads the `priors` rows of a brms fixture as (prior, class, coef, group).
    static func brmsPriorRows(_ fixture: String) throws -> [[String]] {
        let data = try Data(contentsOf: fixtureURL(fixture, "json"))
        let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let rows = object["priors"] as! [[String: String]]
        return rows.map { [$0["prior"]!, $0["class"]!, $0["coef"]!, $0["group"]!] }
    }

    /// A deterministic "typical" unconstrained point: values scaled to the data near plausible
    /// posterior values, with spread so every parameter kind is exercised.
    static func point(for posterior: GLMMPosterior, seed: UInt64, interceptGuess: Double,
                      logScaleGuess: Double) -> [Double] {
        var rng = Xoshiro256PlusPlus(seed: seed)
        let layout = posterior.layout
        var x = [Double](repeating: 0, count: layout.dimension)
        for k in layout.coefficientNames.indices { x[k] = rng.nextNormal() * 0.5 }
        if layout.hasIntercept { x[layout.interceptOffset] = interceptGuess + rng.nextNormal() * 0.1 }
        for a in layout.auxiliaryParameters.indices {
            x[layout.auxiliaryOffset + a] = layout.auxiliaryParameters[a] == .sigma ? logScaleGuess + 0.2 * rng.nextNormal()
                                                                                  : rng.nextUniform(0, 1.5)
        }
        for term in layout.terms {
            for k in 0..<term.columnCount { x[term.sdOffset + k] = logScaleGuess - 0.5 + 0.3 * rng.nextNormal() }
            for i in 0..<(term.levelCount * term.columnCount) { x[term.zOffset + i] = rng.nextNormal() }
            for i in 0..<term.correlationCount { x[term.correlationOffset + i] = rng.nextUniform(-1, 1) }
        }
        for effect in layout.monotonic {
            x[effect.coefficientOffset] = rng.nextNormal()
            for i in 0..<(effect.categoryCount - 1) { x[effect.simplexOffset + i] = rng.nextNormal() }
        }
        return x
    }
}
