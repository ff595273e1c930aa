import Foundation
import MultilevelSampling

/// What `multilevel diagnose` prints: the per-variable summary (mean, sd, median, MAD, 5% / 95%
/// quantiles, R̂, bulk- and tail-ESS, MCSE) and the convergence flags — R̂ ≥ 1.01, bulk- or
/// tail-ESS below 100 per chain, divergences, draws at the maximum tree depth, E-BFMI < 0.3 per
/// chain (thresholds of Vehtari et al. 2021 and Betancourt 2017) — as a text table or one JSON
/// object. Output depends only on the input (byte-identical for the same files).
public struct DiagnosticsReport: Sendable {
    public var summary: DrawsSummary
    public var checks: SamplerChecks?
    /// The files read, in order.
    public var files: [String]
    /// Notices from reading (dropped lines, interrupted runs, shortened chains).
    public var readingWarnings: [String]

    public static let rhatThreshold = 1.01
    public static let essPerChainThreshold = 100.0
    public static let energyFractionThreshold = 0.3

    public init(summary: DrawsSummary, checks: SamplerChecks?, files: [String], readingWarnings: [String]) {
        self.summary = summary
        self.checks = checks
        self.files = files
        self.readingWarnings = readingWarnings
    }

    /// The convergence problems found, one sentence each (empty when none).
    public var flags: [String] {
        var out: [String] = []
        let highRhat = summary.variables.filter { $0.rhat >= Self.rhatThreshold }
        if !highRhat.isEmpty {
            out.append("R-hat >= 1.01 for \(highRhat.count) of \(summary.variables.count) variables: "
                       + Self.list(highRhat.map { "\($0.name) (\(Self.fixed($0.rhat, 3)))" })
                       + "; the chains have not mixed — run longer or reparameterise")
        }
        let minimumESS = Self.essPerChainThreshold * Double(summary.chainCount)
        let lowESS = summary.variables.filter { $0.essBulk < minimumESS || $0.essTail < minimumESS }
        if !lowESS.isEmpty {
            out.append("bulk- or tail-ESS below 100 per chain (\(Int(minimumESS))) for \(lowESS.count) variables: "
                       + Self.list(lowESS.map { "\($0.name) (\(Self.fixed(min($0.essBulk, $0.essTail), 0)))" })
                       + "; estimates are unreliable — run longer")
        }
        let undefined = summary.variables.filter { $0.rhat.isNaN || $0.essBulk.isNaN }
        if !undefined.isEmpty {
            out.append("R-hat or ESS undefined (NA) for \(undefined.count) variables: "
                       + Self.list(undefined.map(\.name))
                       + "; their draws are constant, not finite, or too few (under 3 per half-chain) to judge convergence")
        }
        if let checks {
            let draws = summary.drawsPerChain * summary.chainCount
            let divergent = checks.divergences.reduce(0, +)
            if divergent > 0 {
                out.append("\(divergent) of \(draws) draws ended in a divergence (per chain: "
                           + checks.divergences.map(String.init).joined(separator: ", ")
                           + "); the posterior may be biased — raise adapt_delta or reparameterise")
            }
            let saturated = checks.treeDepthSaturations.reduce(0, +)
            if saturated > 0 {
                out.append("\(saturated) of \(draws) draws hit the maximum tree depth (per chain: "
                           + zip(checks.treeDepthSaturations, checks.maxTreeDepths).map { "\($0) at \($1)" }
                               .joined(separator: ", ")
                           + "); sampling is inefficient — raise max_treedepth")
            }
            for (c, fraction) in checks.energyFractions.enumerated() where fraction < Self.energyFractionThreshold {
                out.append("chain \(c + 1): E-BFMI \(Self.fixed(fraction, 3)) < 0.3; the energy distribution is explored poorly")
            }
        }
        return out
    }

    static func list(_ items: [String], limit: Int = 10) -> String {
        items.count <= limit ? items.joined(separator: ", ")
            : items.prefix(limit).joined(separator: ", ") + ", … (\(items.count - limit) more)"
    }

    static func fixed(_ x: Double, _ digits: Int) -> String {
        x.isFinite ? String(format: "%.\(digits)f", x) : "NA"
    }

    /// Four significant digits, `NA` for NaN.
    static func significant(_ x: Double) -> String {
        guard x.isFinite else { return x.isNaN ? "NA" : (x > 0 ? "Inf" : "-Inf") }
        if x == 0 { return "0" }
        let magnitude = abs(x)
        if magnitude >= 1e-3 && magnitude < 1e6 {
            let decimals = max(0, 3 - Int(log10(magnitude).rounded(.down)))
            return String(format: "%.\(decimals)f", x)
        }
        return String(format: "%.3e", x)
    }

    /// The text summary: a header line, one row per variable, then the flags (or a line saying
    /// that none were found) and the reading notices.
    public func text() -> String {
        let header = ["variable", "mean", "sd", "median", "mad", "q5", "q95", "rhat", "ess_bulk", "ess_tail", "mcse_mean"]
        var rows = [header]
        for v in summary.variables {
            rows.append([v.name, Self.significant(v.mean), Self.significant(v.sd), Self.significant(v.median),
                         Self.significant(v.mad), Self.significant(v.q5), Self.significant(v.q95),
                         Self.fixed(v.rhat, 3), Self.fixed(v.essBulk, 0), Self.fixed(v.essTail, 0),
                         Self.significant(v.mcseMean)])
        }
        let widths = header.indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
        var out = "\(summary.chainCount) chain\(summary.chainCount == 1 ? "" : "s") × \(summary.drawsPerChain) draws from "
            + "\(files.count) file\(files.count == 1 ? "" : "s")\n\n"
        for row in rows {
            var line = ""
            for (c, cell) in row.enumerated() {
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                line += c == 0 ? cell + pad : "  " + pad + cell
            }
            out += line + "\n"
        }
        out += "\n"
        if let checks {
            out += "E-BFMI per chain: " + checks.energyFractions.map { Self.fixed($0, 3) }.joined(separator: ", ")
                + "; divergences: \(checks.divergences.reduce(0, +))"
                + "; at maximum tree depth: \(checks.treeDepthSaturations.reduce(0, +))\n"
        }
        let flags = self.flags
        if flags.isEmpty {
            out += "No convergence problems found (R-hat < 1.01, ESS >= 100 per chain"
                + (checks == nil ? "" : ", no divergences, no tree-depth saturation, E-BFMI >= 0.3") + ").\n"
        } else {
            for flag in flags { out += "Warning: \(flag)\n" }
        }
        for notice in readingWarnings { out += "Note: \(notice)\n" }
        return out
    }

    /// The JSON object: `chains`, `draws_per_chain`, `files`, `parameters` (per variable: mean,
    /// median, sd, mad, q5, q95, rhat, ess_bulk, ess_tail, mcse_mean, mcse_sd, mcse_q5, mcse_q95;
    /// NA as null), `sampler` (per chain: divergences, max_treedepth, treedepth_saturated, ebfmi),
    /// and `warnings` (flags, then reading notices).
    public func json() -> JSONValue {
        let parameters: [(String, JSONValue)] = summary.variables.map { v in
            (v.name, .object([
                ("mean", .optionalNumber(v.mean)), ("median", .optionalNumber(v.median)),
                ("sd", .optionalNumber(v.sd)), ("mad", .optionalNumber(v.mad)),
                ("q5", .optionalNumber(v.q5)), ("q95", .optionalNumber(v.q95)),
                ("rhat", .optionalNumber(v.rhat)), ("ess_bulk", .optionalNumber(v.essBulk)),
                ("ess_tail", .optionalNumber(v.essTail)), ("mcse_mean", .optionalNumber(v.mcseMean)),
                ("mcse_sd", .optionalNumber(v.mcseSd)), ("mcse_q5", .optionalNumber(v.mcseQ5)),
                ("mcse_q95", .optionalNumber(v.mcseQ95)),
            ]))
        }
        var object: [(String, JSONValue)] = [
            ("chains", .integer(summary.chainCount)),
            ("draws_per_chain", .integer(summary.drawsPerChain)),
            ("files", .array(files.map { .string($0) })),
            ("parameters", .object(parameters)),
        ]
        if let checks {
            object.append(("sampler", .object([
                ("divergences", .array(checks.divergences.map { .integer($0) })),
                ("max_treedepth", .array(checks.maxTreeDepths.map { .integer($0) })),
                ("treedepth_saturated", .array(checks.treeDepthSaturations.map { .integer($0) })),
                ("ebfmi", .array(checks.energyFractions.map { .optionalNumber($0) })),
            ])))
        }
        object.append(("warnings", .array((flags + readingWarnings).map { .string($0) })))
        return .object(object)
    }
}
