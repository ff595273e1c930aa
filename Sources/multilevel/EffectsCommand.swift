import Foundation
import Multilevel

/// `multilevel effects FIT --effect Days [--by-group Subject] [--plots DIR]`: brms'
/// `conditional_effects` (and the same grid with confidence bands for lmer fits), as a table and
/// an SVG with the band.
struct EffectsCommand: Command {
    let name = "effects"
    let summary = "Conditional effects of a predictor with their band (brms conditional_effects; lmer confidence bands)."
    let usage = "FIT --effect X[:F] [options]"
    let discussion = """
    FIT is a fit directory (fit --output DIR, lmer --output DIR) or a model file, fitted first.
    Prints, as CSV, the expected response over a grid of the effect (100 points over the observed
    range of a numeric predictor, or each level of a factor; X:F gives one line per level of F),
    with the other numeric predictors at their mean and factors at their reference level:
    estimate__, se__, lower__, upper__ as brms names them. Bayesian fits: median, MAD and the
    2.5% and 97.5% quantiles of posterior_epred at the population level (re_formula = NA); lmer
    fits: the fixed-effects prediction with its delta-method standard error and 95% confidence
    limits. --by-group G gives one line per level of the grouping factor G with its group-level
    effects (the course's picture: each subject's line with its band). --plots DIR writes the
    lines with their bands as SVG (effects.svg). For a distributional fit (bf()) --dpar sigma
    gives that parameter's conditional effects (brms' conditional_effects(dpar = "sigma")).
    """
    var options: [OptionSpec] {
        [
            .option("effect", "X", "The predictor (Days), or two joined by ':' (Days:f) for one line per level of the second."),
            .option("by-group", "G", "One line per level of grouping factor G, with its group-level effects."),
            .option("dpar", "NAME", "Distributional fits (bf()): the conditional effects of the predicted parameter NAME, e.g. sigma (brms' dpar =)."),
            .option("plots", "DIR", "Write effects.svg (lines with their bands and the data) into DIR."),
            .flag("json", "Print one JSON object instead of CSV."),
        ] + FitInputOptions.specs
    }

    func run(_ arguments: ParsedArguments) throws -> Int32 {
        guard let effect = arguments.value("effect") else { throw UsageError("missing --effect X (a population-level predictor, e.g. --effect Days)") }
        if let path = arguments.value("plots") { try checkPlotDirectory(path) }
        let fitted = try loadFittedModel(arguments, command: name)
        let byGroup = arguments.value("by-group")
        let dpar = try arguments.value("dpar").map { name -> AuxiliaryParameter in
            guard let parameter = AuxiliaryParameter(rawValue: name) else {
                throw UsageError("option --dpar: '\(name)' is not a distributional parameter (sigma, shape, phi, nu, …)")
            }
            return parameter
        }
        let effects = try fitted.conditionalEffects(effect: effect, byGroup: byGroup, seed: fitted.settings?.seed ?? 1, dpar: dpar)
        let names = effects.gridColumns + ["estimate__", "se__", "lower__", "upper__"]
        if arguments.has("json") {
            let rows: [JSONValue] = effects.grid.indices.map { i in
                .object(zip(effects.gridColumns, effects.grid[i]).map { ($0, JSONValue.string($1)) }
                        + [("estimate__", .number(effects.estimate[i])), ("se__", .number(effects.standardError[i])),
                           ("lower__", .number(effects.lower[i])), ("upper__", .number(effects.upper[i]))])
            }
            writeStandardOutput(JSONValue.object([("effect", .string(effect)), ("by_group", byGroup.map { .string($0) } ?? .null),
                                                  ("dpar", dpar.map { .string($0.rawValue) } ?? .null),
                                                  ("kind", .string(fitted.kind.rawValue)), ("rows", .array(rows))]).serialized() + "\n")
        } else {
            var text = names.joined(separator: ",") + "\n"
            for i in effects.grid.indices {
                text += (effects.grid[i].map { $0.contains(",") ? "\"\($0)\"" : $0 }
                         + [effects.estimate[i], effects.standardError[i], effects.lower[i], effects.upper[i]].map(formatNumber))
                    .joined(separator: ",") + "\n"
            }
            writeStandardOutput(text)
        }
        if let path = arguments.value("plots") {
            let directory = try prepareDirectory(path)
            try writePlots([("effects.svg", effectsSVG(effects, fitted: fitted, effect: effect, byGroup: byGroup, dpar: dpar))],
                           into: directory)
        }
        return 0
    }

    /// The lines with their bands: one panel (population, or one line per level of a second
    /// effect), or one panel per group with the group's data (no data for a dpar's effects: not on
    /// its scale).
    private func effectsSVG(_ effects: ConditionalEffects, fitted: FittedModel, effect: String, byGroup: String?,
                            dpar: AuxiliaryParameter?) -> String {
        let variable = effects.gridColumns[0]
        let title = "\(fitted.formula.text): \(fitted.kind == .bayesian ? "posterior median with 95% credible band" : "estimate with 95% confidence band")"
        let palette = ["#1b6ca8", "#d1495b", "#2e933c", "#edae49", "#66429a", "#00798c"]
        let response = dpar == nil ? fitted.design.response : []
        let yLabel = dpar?.rawValue ?? fitted.design.responseName
        let dataX: [Double] = {
            if case .numeric(let values)? = fitted.data.column(named: variable) { return values }
            return []
        }()
        // Lines keyed by the second effect's level (or one line).
        func curves(rows: [Int]) -> [FittedCurve] {
            var keys: [String] = []
            var byKey: [String: [Int]] = [:]
            for i in rows {
                let key = effects.gridColumns.count > 1 && byGroup == nil ? effects.grid[i][1] : ""
                if byKey[key] == nil { keys.append(key) }
                byKey[key, default: []].append(i)
            }
            return keys.enumerated().map { k, key in
                let r = byKey[key]!
                return FittedCurve(method: key.isEmpty ? fitted.engine : "\(effects.gridColumns[1]) = \(key)",
                                   x: r.map { effects.x[$0] ?? Double($0) }, estimate: r.map { effects.estimate[$0] },
                                   lower: r.map { effects.lower[$0] }, upper: r.map { effects.upper[$0] },
                                   color: palette[k % palette.count])
            }
        }
        guard let group = byGroup else {
            return PopulationFitPlot(title: title, xLabel: variable, yLabel: yLabel,
                                     dataX: dataX.count == response.count ? dataX : [], dataY: dataX.count == response.count ? response : [],
                                     curves: curves(rows: Array(effects.grid.indices))).svg()
        }
        let term = fitted.design.randomTerms.first { $0.grouping.name == group }
        let panels: [GroupPanel] = (term?.grouping.levels ?? []).map { level in
            let rows = effects.grid.indices.filter { effects.grid[$0].last == level }
            let members = term.map { t in t.grouping.levelIndex.indices.filter { t.grouping.levels[t.grouping.levelIndex[$0]] == level } } ?? []
            let hasData = !dataX.isEmpty && !response.isEmpty
            return GroupPanel(label: level, dataX: hasData ? members.map { dataX[$0] } : [], dataY: hasData ? members.map { response[$0] } : [],
                              curves: curves(rows: rows))
        }
        return GroupLatticePlot(title: title, xLabel: variable, yLabel: yLabel, panels: panels).svg()
    }
}
