import Foundation
import XCTest
import MultilevelData
import MultilevelMath
import MultilevelSampling
@testable import MultilevelModels

/// The pointwise log-likelihood of rows with brms' addition terms (`PointwiseAdditionTerms`)
/// against brms' `log_lik` written out with the normal distribution functions: a censored row's
/// log CDF / CCDF / interval probability, `trunc()`'s normaliser, `weights()` times the density,
/// `se()`'s known SD (with and without σ). Hand-made draws, gaussian family, 1e-10.
final class PointwiseAdditionTermsTests: XCTestCase {
    /// Draws of `b_Intercept`, `b_x` (when present), `sigma` (when `withSigma`) and `r_g[level,Intercept]`.
    private func draws(_ design: ModelDesign, withSigma: Bool = true, seed: UInt64) -> Draws {
        var names = design.fixedEffectNames.map { "b_" + brmsName(ofColumn: $0) }
        if withSigma { names.append("sigma") }
        for term in design.randomTerms {
            for level in term.grouping.levels { names.append("r_\(term.grouping.name)[\(level),Intercept]") }
        }
        let sigmaIndex = withSigma ? design.fixedEffectCount : -1
        var rng = Xoshiro256PlusPlus(seed: seed)
        let chains = (0..<2).map { _ in
            (0..<(5 * names.count)).map { k in k % names.count == sigmaIndex ? 0.6 + rng.nextUniform() : rng.nextNormal() * 0.4 + (k % names.count == 0 ? 1 : 0) }
        }
        return Draws(variableNames: names, chains: chains)
    }

    /// η of row i under draw (chain c, draw d), from the draws' b and r.
    private func eta(_ design: ModelDesign, _ draws: Draws, chain c: Int, draw d: Int, row i: Int) -> Double {
        let values = draws.chains[c], base = d * draws.variableCount
        var sum = 0.0
        for (k, name) in design.fixedEffectNames.enumerated() {
            sum += design.fixedEffects[i, k] * values[base + draws.index(of: "b_" + brmsName(ofColumn: name))!]
        }
        for term in design.randomTerms {
            let level = term.grouping.levels[term.grouping.levelIndex[i]]
            sum += term.values[i] * values[base + draws.index(of: "r_\(term.grouping.name)[\(level),Intercept]")!]
        }
        return sum
    }

    private func normalLogDensity(_ y: Double, _ mu: Double, _ sd: Double) -> Double {
        -log(sd) - 0.5 * log(2 * Double.pi) - 0.5 * (y - mu) * (y - mu) / (sd * sd)
    }

    /// Every row and draw of `formula` on `csv` against `expected(row, η, σ)`.
    private func check(_ csv: String, _ formula: String, withSigma: Bool = true,
                       expected: (ModelDesign, Int, Double, Double) -> Double, file: StaticString = #filePath, line: UInt = #line) throws {
        let design = try PosteriorTestData.built(csv, formula)
        let draws = self.draws(design, withSigma: withSigma, seed: 7)
        let ll = try PointwiseLogLikelihood(design: design, family: .gaussian, draws: draws)
        let matrix = ll.matrix()
        var s = 0
        for c in 0..<2 {
            for d in 0..<5 {
                let sigma = withSigma ? draws.chains[c][d * draws.variableCount + draws.index(of: "sigma")!] : .nan
                for i in 0..<design.rowCount {
                    let value = expected(design, i, eta(design, draws, chain: c, draw: d, row: i), sigma)
                    XCTAssertEqual(matrix[s, i], value, accuracy: 1e-10 * max(1, abs(value)), "\(formula) row \(i) draw \(s)", file: file, line: line)
                }
                s += 1
            }
        }
    }

    func testCensoredRows() throws {
        var codes: [RowAdditions.Censoring: Int] = [:]
        try check("censored_gaussian", "y | cens(cens, y2) ~ x + (1 | g)") { design, i, eta, sigma in
            let additions = design.additions!, y = design.response[i]
            let code = additions.censoring![i]
            codes[code, default: 0] += 1
            let z = (y - eta) / sigma
            switch code {
            case .none: return self.normalLogDensity(y, eta, sigma)
            case .left: return log(NormalDistribution.cdf(z))
            case .right: return log(NormalDistribution.cdf(-z))
            case .interval: return log(NormalDistribution.cdf((additions.censoringUpper![i] - eta) / sigma) - NormalDistribution.cdf(z))
            }
        }
        XCTAssertEqual(Set(codes.keys), [.none, .left, .right, .interval], "every kind of row checked")
    }

    func testWeightedRows() throws {
        try check("weights", "y | weights(w) ~ x + (1 | g)") { design, i, eta, sigma in
            design.additions!.weights![i] * self.normalLogDensity(design.response[i], eta, sigma)
        }
    }

    func testTruncatedRows() throws {
        try check("truncated_gaussian", "y | trunc(lb = 0, ub = 4) ~ x + (1 | g)") { design, i, eta, sigma in
            self.normalLogDensity(design.response[i], eta, sigma)
                - log(NormalDistribution.cdf((4 - eta) / sigma) - NormalDistribution.cdf((0 - eta) / sigma))
        }
    }

    func testKnownStandardErrors() throws {
        try check("eight_schools", "y | se(se) ~ 1 + (1 | school)", withSigma: false) { design, i, eta, _ in
            self.normalLogDensity(design.response[i], eta, design.additions!.standardErrors![i])
        }
        try check("dat_bcg", "yi | se(sei, sigma = TRUE) ~ 1") { design, i, eta, sigma in
            let s = design.additions!.standardErrors![i]
            return self.normalLogDensity(design.response[i], eta, (s * s + sigma * sigma).squareRoot())
        }
    }

    /// K-fold's held-out rows keep their own addition values (`ModelDesign.selectingRows`).
    func testSelectedRowsKeepTheirAdditions() throws {
        let design = try PosteriorTestData.built("censored_gaussian", "y | cens(cens, y2) ~ x + (1 | g)")
        let rows = [5, 3, 3, 17]
        let selected = design.selectingRows(rows)
        XCTAssertEqual(selected.additions?.censoring, rows.map { design.additions!.censoring![$0] })
        XCTAssertEqual(selected.additions?.censoringUpper, rows.map { design.additions!.censoringUpper![$0] })
        XCTAssertEqual(selected.response, rows.map { design.response[$0] })
    }
}
