import Foundation
import MultilevelSampling

/// What the brms-style summary of a Bayesian fit needs besides the draws' summary.
public struct BayesianFitDescription: Sendable {
    /// Family name as brms prints it (`gaussian`, `binomial`).
    public var family: String
    /// Links as brms prints them, e.g. `[("mu", "identity"), ("sigma", "identity")]`.
    public var links: [(parameter: String, link: String)]
    /// The formula as written.
    public var formula: String
    /// Name of the data set (file name without extension).
    public var dataName: String
    /// Number of observations used.
    public var observationCount: Int
    /// Chains, iterations per chain (including warm-up), warm-up and thinning.
    public var chains: Int
    public var iterations: Int
    public var warmup: Int
    public var thin: Int
    /// Number of levels of every grouping factor, by the group name used in parameter names.
    public var groupLevelCounts: [String: Int]
    /// How the draws were made, for the closing sentence (`sampling(NUTS)`, `Gibbs`).
    public var samplerDescription: String

    public init(family: String, links: [(parameter: String, link: String)], formula: String, dataName: String,
                observationCount: Int, chains: Int, iterations: Int, warmup: Int, thin: Int = 1,
                groupLevelCounts: [String: Int], samplerDescription: String = "sampling(NUTS)") {
        self.family = family
        self.links = links
        self.formula = formula
        self.dataName = dataName
        self.observationCount = observationCount
        self.chains = chains
        self.iterations = iterations
        self.warmup = warmup
        self.thin = thin
        self.groupLevelCounts = groupLevelCounts
        self.samplerDescription = samplerDescription
    }
}

/// How brms labels a parameter in its summary tables, derived from the parameter's name (DESIGN §3).
enum BrmsSummaryRow {
    /// `sd_<group>__<term>` → (group, `sd(term)`).
    case groupLevel(group: String, label: String)
    /// `b_<name>` → `name`; a monotonic effect's `bsp_mo<x>` → `mo<x>`.
    case population(label: String)
    /// A monotonic effect's simplex `simo_mo<x>1[k]` → `mo<x>1[k]`.
    case simplex(label: String)
    /// `sigma`, `shape`, `nu`, `zi`, `hu`, … → the name itself.
    case familySpecific(label: String)
    /// `r_…`, `lp__`, `Intercept` and other internal quantities: not in the summary.
    case omitted

    init(parameterName name: String) {
        if name.hasPrefix("sd_") {
            let parts = name.dropFirst(3).components(separatedBy: "__")
            self = parts.count == 2 ? .groupLevel(group: parts[0], label: "sd(\(parts[1]))") : .omitted
        } else if name.hasPrefix("cor_") {
            let parts = name.dropFirst(4).components(separatedBy: "__")
            self = parts.count == 3 ? .groupLevel(group: parts[0], label: "cor(\(parts[1]),\(parts[2]))") : .omitted
        } else if name.hasPrefix("b_") {
            self = .population(label: String(name.dropFirst(2)))
        } else if name.hasPrefix("bsp_") {
            self = .population(label: String(name.dropFirst(4)))
        } else if name.hasPrefix("simo_") {
            self = .simplex(label: String(name.dropFirst(5)))
        } else if ["sigma", "shape", "nu", "phi", "zi", "hu", "alpha"].contains(name) {
            self = .familySpecific(label: name)
        } else {
            self = .omitted
        }
    }
}

/// Formats a Bayesian fit as brms' `summary(fit)` prints it (brms 2.18): the Family / Links /
/// Formula / Data / Draws header, Group-Level Effects per grouping factor with `sd(…)` and
/// `cor(…,…)` rows, Population-Level Effects (with monotonic effects' `bsp`), Simplex Parameters
/// (their `simo`), Family Specific Parameters, with columns Estimate
/// (posterior mean), Est.Error (posterior sd), l-95% CI and u-95% CI (2.5% and 97.5% quantiles),
/// Rhat, Bulk_ESS and Tail_ESS. `summary` must hold the 0.025 and 0.975 quantiles.
/// With `groupLevelEffects`, the `r_<group>[level,term]` rows follow in a table of their own.
public func brmsSummaryText(_ fit: BayesianFitDescription, summary: DrawsSummary,
                            groupLevelEffects: Bool = false) -> String {
    let lowerIndex = summary.quantileProbabilities.firstIndex { abs($0 - 0.025) < 1e-12 }
    let upperIndex = summary.quantileProbabilities.firstIndex { abs($0 - 0.975) < 1e-12 }
    func row(_ v: VariableSummary) -> [String] {
        let lower = lowerIndex.map { v.quantiles[$0] } ?? .nan
        let upper = upperIndex.map { v.quantiles[$0] } ?? .nan
        return [fixed2(v.mean), fixed2(v.sd), fixed2(lower), fixed2(upper), fixed2(v.rhat),
                essText(v.essBulk), essText(v.essTail)]
    }

    var text = " Family: \(fit.family) \n"
    text += "  Links: " + fit.links.map { "\($0.parameter) = \($0.link)" }.joined(separator: "; ") + " \n"
    text += "Formula: \(fit.formula) \n"
    text += "   Data: \(fit.dataName) (Number of observations: \(fit.observationCount)) \n"
    let total = fit.chains * ((fit.iterations - fit.warmup) / max(1, fit.thin))
    text += "  Draws: \(fit.chains) chains, each with iter = \(fit.iterations); warmup = \(fit.warmup); thin = \(fit.thin);\n"
    text += "         total post-warmup draws = \(total)\n"

    var groupOrder: [String] = []
    var groupRows: [String: [(String, [String])]] = [:]
    var population: [(String, [String])] = []
    var familySpecific: [(String, [String])] = []
    var simplexes: [(String, [String])] = []
    for v in summary.variables {
        switch BrmsSummaryRow(parameterName: v.name) {
        case let .groupLevel(group, label):
            if groupRows[group] == nil { groupOrder.append(group) }
            groupRows[group, default: []].append((label, row(v)))
        case let .population(label): population.append((label, row(v)))
        case let .familySpecific(label): familySpecific.append((label, row(v)))
        case let .simplex(label): simplexes.append((label, row(v)))
        case .omitted: break
        }
    }
    let header = ["Estimate", "Est.Error", "l-95% CI", "u-95% CI", "Rhat", "Bulk_ESS", "Tail_ESS"]
    if !groupOrder.isEmpty {
        text += "\nGroup-Level Effects: \n"
        for group in groupOrder {
            let levels = fit.groupLevelCounts[group].map(String.init) ?? "?"
            text += "~\(group) (Number of levels: \(levels)) \n"
            text += alignedTable(header: header, rows: groupRows[group] ?? [])
            text += "\n"
        }
    } else {
        text += "\n"
    }
    text += "Population-Level Effects: \n"
    text += alignedTable(header: header, rows: population)
    if !simplexes.isEmpty {
        text += "\nSimplex Parameters: \n"
        text += alignedTable(header: header, rows: simplexes)
    }
    if !familySpecific.isEmpty {
        text += "\nFamily Specific Parameters: \n"
        text += alignedTable(header: header, rows: familySpecific)
    }
    if groupLevelEffects {
        let effects = summary.variables.filter { $0.name.hasPrefix("r_") }
        if !effects.isEmpty {
            text += "\nGroup-Level Coefficients: \n"
            text += alignedTable(header: header, rows: effects.map { ($0.name, row($0)) })
        }
    }
    if fit.samplerDescription == "sampling(NUTS)" {
        // brms' own three lines.
        text += "\nDraws were sampled using sampling(NUTS). For each parameter, Bulk_ESS\n"
        text += "and Tail_ESS are effective sample size measures, and Rhat is the potential\n"
        text += "scale reduction factor on split chains (at convergence, Rhat = 1).\n"
    } else {
        // A longer sampler description gets a line of its own, so no line runs past ~80 columns.
        text += "\nDraws were sampled using \(fit.samplerDescription).\n"
        text += "For each parameter, Bulk_ESS and Tail_ESS are effective sample size measures,\n"
        text += "and Rhat is the potential scale reduction factor on split chains (at\n"
        text += "convergence, Rhat = 1).\n"
    }
    return text
}

/// The warnings brms (rstan) prints after sampling, one line each: divergences after warm-up,
/// transitions at the maximum tree depth, R-hat ≥ 1.01 and low bulk/tail ESS (< 100 per chain).
public func brmsWarnings(summary: DrawsSummary, divergences: Int, treeDepthSaturations: Int,
                         maxTreeDepth: Int) -> [String] {
    var warnings: [String] = []
    if divergences > 0 {
        warnings.append("There were \(divergences) divergent transitions after warmup. Increasing adapt_delta above the current value may help.")
    }
    if treeDepthSaturations > 0 {
        warnings.append("There were \(treeDepthSaturations) transitions after warmup that exceeded the maximum treedepth (\(maxTreeDepth)). Increase max_treedepth above \(maxTreeDepth).")
    }
    let reported = summary.variables.filter { $0.name != "lp__" }
    let badRhat = reported.filter { $0.rhat.isFinite && $0.rhat >= 1.01 }
    if !badRhat.isEmpty {
        let worst = badRhat.map(\.rhat).max() ?? .nan
        warnings.append("The largest R-hat is \(String(format: "%.2f", worst)) (\(badRhat.count) parameters with R-hat >= 1.01), indicating chains have not mixed. Running the chains for more iterations may help.")
    }
    let threshold = 100.0 * Double(summary.chainCount)
    if reported.contains(where: { $0.essBulk.isFinite && $0.essBulk < threshold }) {
        warnings.append("Bulk Effective Samples Size (ESS) is too low, indicating posterior means and medians may be unreliable. Running the chains for more iterations may help.")
    }
    if reported.contains(where: { $0.essTail.isFinite && $0.essTail < threshold }) {
        warnings.append("Tail Effective Samples Size (ESS) is too low, indicating posterior variances and tail quantiles may be unreliable. Running the chains for more iterations may help.")
    }
    return warnings
}

/// A number rounded to two decimals as brms prints summary columns (`NA` when not finite).
func fixed2(_ x: Double) -> String {
    guard x.isFinite else { return "NA" }
    let text = String(format: "%.2f", x)
    return text == "-0.00" ? "0.00" : text
}

/// An effective sample size rounded to an integer (`NA` when not finite).
func essText(_ x: Double) -> String {
    guard x.isFinite else { return "NA" }
    return String(Int(x.rounded()))
}

/// A table with a left-aligned label column and right-aligned value columns, as R prints a
/// data frame: each column as wide as its widest entry, one space between columns.
func alignedTable(header: [String], rows: [(String, [String])]) -> String {
    let labelWidth = rows.map { $0.0.count }.max() ?? 0
    var widths = header.map(\.count)
    for (_, values) in rows {
        for (k, v) in values.enumerated() where k < widths.count { widths[k] = max(widths[k], v.count) }
    }
    func pad(_ s: String, _ w: Int, left: Bool) -> String {
        let fill = String(repeating: " ", count: max(0, w - s.count))
        return left ? s + fill : fill + s
    }
    var text = pad("", labelWidth, left: true)
    for (k, h) in header.enumerated() { text += " " + pad(h, widths[k], left: false) }
    text += "\n"
    for (label, values) in rows {
        text += pad(label, labelWidth, left: true)
        for (k, v) in values.enumerated() where k < widths.count { text += " " + pad(v, widths[k], left: false) }
        text += "\n"
    }
    return text
}
