import Foundation
import MultilevelData
import MultilevelModels

/// lme4-style text output of `multilevel lmer`: `summary(lmer(...))` (method title, REML criterion or
/// the AIC/BIC/logLik/deviance table, scaled residual quantiles, random effects with Variance /
/// Std.Dev. / Corr, numbers of observations and groups, fixed effects with Estimate / Std. Error /
/// t value, correlation of fixed effects), the conditional modes, interval tables, and the
/// complete- and no-pooling `lm` fits. Numbers are formatted as R formats them (`format(x, digits)`:
/// the fewest decimals that show every entry of a column to `digits` significant digits).
public enum LmerSummary {
    /// `print(summary(fit))` with lme4's default digits (4). With `tests` (Satterthwaite's t tests
    /// of the coefficients), lmerTest's summary: its title and the df and Pr(>|t|) columns. With
    /// `r2`, a line with Nakagawa's marginal and conditional R² after the random effects.
    public static func text(_ fit: LinearMixedModelFit, dataName: String, tests: [FixedEffectTest]? = nil,
                            r2: NakagawaR2? = nil) -> String {
        var out = ""
        if tests != nil {
            out += (fit.method == .reml ? "Linear mixed model fit by REML" : "Linear mixed model fit by maximum likelihood")
                + ". t-tests use Satterthwaite's method [\nlmerModLmerTest]\n"
        } else {
            out += fit.method == .reml ? "Linear mixed model fit by REML ['lmerMod']\n" : "Linear mixed model fit by maximum likelihood  ['lmerMod']\n"
        }
        out += "Formula: \(fit.formulaText)\n   Data: \(dataName)\n\n"
        if fit.method == .reml {
            // lme4: format(round(criterion, 1)), 7 significant digits (-8093, 1743.6, 124701.7).
            out += "REML criterion at convergence: \(rFormat([roundDecimals(fit.criterion, 1)], digits: 7)[0])\n\n"
        } else {
            out += MixedModelSummaryLayout.informationCriteriaTable(
                aic: fit.akaikeInformationCriterion, bic: fit.bayesianInformationCriterion, logLikelihood: fit.logLikelihood,
                deviance: fit.criterion, residualDegreesOfFreedom: fit.observationCount - fit.degreesOfFreedom) + "\n"
        }
        out += "Scaled residuals: \n" + quantileTable(fit.residuals.map { $0 / fit.sigma }) + "\n"
        out += "Random effects:\n" + MixedModelSummaryLayout.randomEffectsTable(fit.varianceComponents, residualStandardDeviation: fit.sigma)
        out += MixedModelSummaryLayout.groupsLine(terms: fit.terms, observationCount: fit.observationCount) + "\n"
        if let r2 {
            out += "R2 (Nakagawa): marginal \(rFormat([r2.marginal], digits: 4)[0]), conditional \(rFormat([r2.conditional], digits: 4)[0])\n\n"
        }
        if let tests {
            out += "Fixed effects:\n" + SignificanceTable.coefficientTable(names: fit.fixedEffectNames, tests: tests)
        } else {
            out += "Fixed effects:\n" + fixedEffectsTable(fit)
        }
        out += MixedModelSummaryLayout.correlationBlock(names: fit.fixedEffectNames, covariance: fit.fixedEffectsCovariance)
        if !fit.droppedFixedEffectNames.isEmpty {
            out += "fixed-effect model matrix is rank deficient so dropping \(fit.droppedFixedEffectNames.count) column\(fit.droppedFixedEffectNames.count == 1 ? "" : "s") / coefficient\(fit.droppedFixedEffectNames.count == 1 ? "" : "s"): \(fit.droppedFixedEffectNames.joined(separator: ", "))\n"
        }
        for warning in fit.warnings { out += warning + "\n" }
        return out
    }

    /// `quantile(x)` printed as lme4 prints scaled residuals (Min, 1Q, Median, 3Q, Max; type 7).
    static func quantileTable(_ values: [Double]) -> String {
        let sorted = values.sorted()
        let quantiles = [0, 0.25, 0.5, 0.75, 1].map { probability -> Double in
            guard !sorted.isEmpty else { return .nan }
            let h = Double(sorted.count - 1) * probability
            let low = Int(h.rounded(.down)), high = min(low + 1, sorted.count - 1)
            return sorted[low] + (h - Double(low)) * (sorted[high] - sorted[low])
        }
        // zapsmall(q, digits + 1): round to digits + 1 − log10(max |q|) decimals (R rounds the
        // non-integer digit count to nearest).
        let largest = quantiles.map(abs).filter(\.isFinite).max() ?? 0
        let zapped = largest > 0 ? quantiles.map { roundDecimals($0, max(0, Int((5 - log10(largest)).rounded()))) } : quantiles
        let formatted = rFormat(zapped, digits: 4)
        let labels = ["Min", "1Q", "Median", "3Q", "Max"]
        let width = max(formatted.map(\.count).max() ?? 0, labels.map(\.count).max()!)
        return labels.map { pad(left: $0, to: width) }.joined(separator: " ") + " \n"
            + formatted.map { pad(left: $0, to: width) }.joined(separator: " ") + " \n"
    }

    /// printCoefmat of Estimate, Std. Error, t value as lme4 calls it (digits 4).
    static func fixedEffectsTable(_ fit: LinearMixedModelFit) -> String {
        let (estimates, standardErrors) = MixedModelSummaryLayout.estimateColumns(fit.fixedEffects, standardErrors: fit.standardErrors)
        let tValues = rFormat(zip(fit.fixedEffects, fit.standardErrors).map { roundDecimals($0 / $1, 3) }, digits: 4)
        return coefficientTable(rowNames: fit.fixedEffectNames,
                                columns: [("Estimate", estimates), ("Std. Error", standardErrors), ("t value", tValues)])
    }

    /// `ranef(fit, condVar = TRUE)`: per grouping factor, one row per level with each term's mode
    /// and conditional SD.
    public static func conditionalModesText(_ fit: LinearMixedModelFit) -> String {
        conditionalModesText(conditionalModes(of: fit))
    }

    /// The same table for a Laplace (glmer) fit: modes on the linear-predictor scale.
    public static func conditionalModesText(_ fit: GeneralizedLinearMixedModelFit) -> String {
        conditionalModesText(conditionalModes(of: fit))
    }

    static func conditionalModesText(_ modes: [ConditionalMode]) -> String {
        var out = "Conditional modes (conditional SDs) of the random effects:\n"
        var groups: [String] = []
        for mode in modes where !groups.contains(mode.group) { groups.append(mode.group) }
        for group in groups {
            let entries = modes.filter { $0.group == group }
            var terms: [String] = []
            for entry in entries where !terms.contains(entry.term) { terms.append(entry.term) }
            var levels: [String] = []
            for entry in entries where !levels.contains(entry.level) { levels.append(entry.level) }
            out += "$\(group)\n"
            var columns: [(String, [String])] = []
            for term in terms {
                let chosen = entries.filter { $0.term == term }
                columns.append((term, rFormat(chosen.map(\.mode), digits: 4)))
                columns.append(("condsd(\(term))", rFormat(chosen.map { $0.conditionalSD ?? .nan }, digits: 4)))
            }
            out += coefficientTable(rowNames: levels, columns: columns) + "\n"
        }
        return out
    }

    /// A `confint` table: parameter, 2.5 %, 97.5 % (brms names).
    public static func intervalsText(_ parameters: [NamedEstimate], title: String, level: Double = 0.95) -> String {
        let withIntervals = parameters.filter { $0.lower != nil }
        let lowerLabel = percentLabel((1 - level) / 2), upperLabel = percentLabel((1 + level) / 2)
        let lower = rFormat(withIntervals.map { $0.lower! }, digits: 7), upper = rFormat(withIntervals.map { $0.upper! }, digits: 7)
        return "\(title):\n" + coefficientTable(rowNames: withIntervals.map(\.name), columns: [(lowerLabel, lower), (upperLabel, upper)])
    }

    /// Complete pooling, `summary(lm(y ~ x))` coefficients with `confint`.
    public static func completePoolingText(_ fit: LeastSquaresFit, formula: String) -> String {
        "Complete pooling: lm(\(formula))\n\n" + leastSquaresTable(fit.coefficients, level: fit.level) + "\n" + leastSquaresFooter(fit)
    }

    /// No pooling: one line per group (estimate, SE and interval of each term).
    public static func noPoolingText(_ fit: NoPoolingFit) -> String {
        var out = "No pooling: one line per \(fit.group), lm(\(fit.formula)) (shared residual SD)\n\n"
        var columns: [(String, [String])] = []
        let level = fit.leastSquares.level
        for (t, term) in fit.termNames.enumerated() {
            let entries = fit.perGroup.map { $0[t] }
            columns.append((term, rFormat(entries.map { $0?.estimate ?? .nan }, digits: 5)))
            columns.append(("SE", rFormat(entries.map { $0?.standardError ?? .nan }, digits: 4)))
            columns.append((percentLabel((1 - level) / 2), rFormat(entries.map { $0?.lower ?? .nan }, digits: 5)))
            columns.append((percentLabel((1 + level) / 2), rFormat(entries.map { $0?.upper ?? .nan }, digits: 5)))
        }
        out += coefficientTable(rowNames: fit.levels, columns: columns) + "\n" + leastSquaresFooter(fit.leastSquares)
        return out
    }

    static func leastSquaresTable(_ coefficients: [NamedEstimate], level: Double) -> String {
        let joint = rFormat(coefficients.map(\.estimate) + coefficients.map { $0.standardError! }, digits: 5)
        let p = coefficients.count
        let t = rFormat(coefficients.map { roundDecimals($0.estimate / $0.standardError!, 3) }, digits: 4)
        return coefficientTable(rowNames: coefficients.map(\.name), columns: [
            ("Estimate", Array(joint[0..<p])), ("Std. Error", Array(joint[p...])), ("t value", t),
            (percentLabel((1 - level) / 2), rFormat(coefficients.map { $0.lower! }, digits: 6)),
            (percentLabel((1 + level) / 2), rFormat(coefficients.map { $0.upper! }, digits: 6)),
        ])
    }

    static func leastSquaresFooter(_ fit: LeastSquaresFit) -> String {
        var out = "Residual standard error: \(rFormat([fit.sigma], digits: 4)[0]) on \(fit.residualDegreesOfFreedom) degrees of freedom\n"
        out += "logLik: \(String(format: "%.2f", fit.logLikelihood)) (df = \(fit.observationCount - fit.residualDegreesOfFreedom + 1)), AIC: \(String(format: "%.2f", fit.akaikeInformationCriterion)), BIC: \(String(format: "%.2f", fit.bayesianInformationCriterion))\n"
        if !fit.droppedNames.isEmpty { out += "Coefficients not defined because of singularities: \(fit.droppedNames.joined(separator: ", "))\n" }
        return out
    }

    // MARK: R-style formatting

    /// R's `format(x, digits = d)` for a numeric vector (`formatReal`): each entry rounded to d
    /// significant digits; fixed notation with the fewest common decimals that show every entry so,
    /// unless scientific notation is narrower (1e300, 1e-12); right-aligned to a common width;
    /// NaN as `NA`.
    static func rFormat(_ values: [Double], digits: Int) -> [String] {
        let digits = max(1, digits)
        var negative = false
        var widestLeft = 1, decimals = 0, largestExponent = Int.min, smallestExponent = Int.max, mostSignificant = 0
        for x in values where x.isFinite {
            let (significant, exponent) = significantDigitsAndExponent(x, digits: digits)
            if x < 0 { negative = true }
            widestLeft = max(widestLeft, (x < 0 ? 1 : 0) + max(1, exponent + 1))
            decimals = max(decimals, significant - exponent - 1)
            largestExponent = max(largestExponent, exponent)
            smallestExponent = min(smallestExponent, exponent)
            mostSignificant = max(mostSignificant, significant)
        }
        var strings: [String]
        let fixedWidth = widestLeft + decimals + (decimals > 0 ? 1 : 0)
        let exponentDigits = largestExponent >= 100 || smallestExponent <= -99 ? 2 : 1
        let mantissaDecimals = mostSignificant - 1
        let scientificWidth = (negative ? 1 : 0) + (mantissaDecimals > 0 ? 1 : 0) + mantissaDecimals + 4 + exponentDigits
        if mostSignificant == 0 || fixedWidth <= scientificWidth {
            strings = values.map { $0.isFinite ? String(format: "%.\(decimals)f", $0) : "NA" }
        } else {
            strings = values.map { $0.isFinite ? String(format: "%.\(mantissaDecimals)e", $0) : "NA" }
        }
        let width = strings.map(\.count).max() ?? 0
        return strings.map { pad(left: $0, to: width) }
    }

    /// R's `scientific()`: the significant digits (at most `digits`, trailing zeros dropped) and
    /// the decimal exponent of x rounded to `digits` significant digits (0 for x = 0).
    static func significantDigitsAndExponent(_ x: Double, digits: Int) -> (significant: Int, exponent: Int) {
        guard x != 0 else { return (1, 0) }
        let text = String(format: "%.\(digits - 1)e", abs(x))
        let parts = text.split(separator: "e")
        let exponent = Int(parts[1]) ?? 0
        var mantissa = parts[0].replacingOccurrences(of: ".", with: "")
        while mantissa.count > 1 && mantissa.hasSuffix("0") { mantissa.removeLast() }
        return (mantissa.count, exponent)
    }

    static func roundDecimals(_ x: Double, _ decimals: Int) -> Double {
        let scale = pow(10, Double(decimals))
        return (x * scale).rounded() / scale
    }

    static func percentLabel(_ p: Double) -> String {
        let percent = p * 100
        return (percent == percent.rounded() ? String(Int(percent)) : String(format: "%g", percent)) + " %"
    }

    /// R's `abbreviate(name, minlength)`: drop lower-case vowels from the right, then lower-case
    /// letters, then any letters, until the name is short enough (the first character is kept).
    static func abbreviate(_ name: String, minimumLength: Int) -> String {
        var characters = Array(name)
        func drop(_ predicate: (Character) -> Bool) {
            var i = characters.count - 1
            while characters.count > minimumLength && i > 0 {
                if predicate(characters[i]) { characters.remove(at: i) }
                i -= 1
            }
        }
        drop { "aeiou".contains($0) }
        drop { $0.isLowercase }
        drop { $0.isLetter }
        return String(characters)
    }

    static func pad(left text: String, to width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }

    static func pad(right text: String, to width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    /// A character matrix printed as R's `print(quote = FALSE)`: columns left-aligned, one space apart.
    static func leftAlignedTable(_ columns: [[String]], leadingSpace: Bool = true) -> String {
        let widths = columns.map { $0.map(\.count).max() ?? 0 }
        let rows = columns.first?.count ?? 0
        var out = ""
        for r in 0..<rows {
            out += (leadingSpace ? " " : "") + columns.indices.map { pad(right: columns[$0][r], to: widths[$0]) }.joined(separator: " ") + "\n"
        }
        return out
    }

    /// A numeric table as `printCoefmat` prints it: row names left-aligned, columns right-aligned.
    static func coefficientTable(rowNames: [String], columns: [(String, [String])]) -> String {
        let nameWidth = rowNames.map(\.count).max() ?? 0
        let widths = columns.map { column in max(column.0.count, column.1.map(\.count).max() ?? 0) }
        var out = String(repeating: " ", count: nameWidth)
        for (k, column) in columns.enumerated() { out += " " + pad(left: column.0, to: widths[k]) }
        out += "\n"
        for (r, name) in rowNames.enumerated() {
            out += pad(right: name, to: nameWidth)
            for (k, column) in columns.enumerated() { out += " " + pad(left: column.1[r], to: widths[k]) }
            out += "\n"
        }
        return out
    }
}
