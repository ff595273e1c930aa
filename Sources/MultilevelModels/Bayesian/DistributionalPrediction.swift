import MultilevelData
import MultilevelSampling

/// One predicted auxiliary parameter of a distributional prediction: its position in the
/// family's auxiliary parameters and its linear predictor on the new rows (a `.linpred`
/// `PosteriorPrediction` of the dpar's own formula, read from the dpar's draws).
struct PredictedAuxiliary: Sendable {
    var index: Int
    var parameter: AuxiliaryParameter
    var linear: PosteriorPrediction
}

extension PosteriorPrediction {
    /// Posterior predictions of a brms distributional model `bf(y ~ …, dpar ~ …)` for new rows
    /// (brms' `posterior_epred` / `posterior_linpred` / `posterior_predict` and `log_lik`): every
    /// predicted auxiliary parameter has its own linear predictor on the new row,
    ///
    ///     η_dpar,i⁽ˢ⁾ = x_dpar,i·b_dpar⁽ˢ⁾ + Σ z_dpar,i·r_dpar⁽ˢ⁾[level],   dpar_i⁽ˢ⁾ = g⁻¹(η_dpar,i⁽ˢ⁾)
    ///
    /// (Bürkner 2018, The R Journal 10(1), §2; g the dpar's link, `AuxiliaryParameter.distributionalLink`),
    /// read from the draws brms names `b_sigma_Days`, `r_Subject__sigma[308,Intercept]`,
    /// `sd_Subject__sigma_Intercept`; the mean's η and the family's mean or draw then use the row's
    /// own values. New levels of a dpar's group-level terms are drawn as the mean's are (`newLevels`).
    /// `dpar` gives brms' `dpar =` argument: `.linpred` is then η_dpar, `.epred` the dpar's value.
    ///
    /// - Parameters:
    ///   - parameters: per predicted dpar, its fitted design and the design of the new rows for
    ///     its formula.
    public init(draws: Draws, fitted: ModelDesign, family: Family, newData: NewDataDesign,
                parameters: [(parameter: AuxiliaryParameter, fitted: ModelDesign, newData: NewDataDesign)],
                type: PredictionType, dpar: AuxiliaryParameter? = nil, newLevels: NewLevelSampling = .uncertainty,
                seed: UInt64) throws {
        try self.init(draws: draws, fitted: fitted, family: family, newData: newData, type: type, newLevels: newLevels,
                      seed: seed, predicted: Set(parameters.map(\.parameter)))
        let auxiliary = family.auxiliaryParameters
        var parts: [PredictedAuxiliary] = []
        for (k, part) in parameters.enumerated() {
            guard let index = auxiliary.firstIndex(of: part.parameter) else {
                throw FamilyError(message: "prediction: family \(family.name) has no parameter '\(part.parameter.rawValue)'")
            }
            let linear = try PosteriorPrediction(
                draws: DistributionalDrawNames.draws(draws, of: part.parameter), fitted: part.fitted, family: family,
                newData: part.newData, type: .linpred, newLevels: newLevels,
                seed: seed &+ UInt64(k + 1) &* 0xD1B5_4A32_D192_ED03, predicted: Set(auxiliary))
            parts.append(PredictedAuxiliary(index: index, parameter: part.parameter, linear: linear))
        }
        predictedAuxiliary = parts
        if let dpar {
            guard let r = parts.firstIndex(where: { $0.parameter == dpar }) else {
                let predicted = parts.map(\.parameter.rawValue).joined(separator: ", ")
                throw FamilyError(message: "prediction: dpar '\(dpar.rawValue)' is not predicted by the model's formula (it predicts \(predicted.isEmpty ? "no auxiliary parameter" : predicted))")
            }
            guard type != .prediction else {
                throw FamilyError(message: "prediction: dpar '\(dpar.rawValue)' takes type linpred or epred (brms' posterior_linpred/posterior_epred with dpar), not prediction")
            }
            requestedAuxiliary = r
        }
    }
}

/// The draws of one predicted auxiliary parameter under the mean's names, so that the code that
/// reads a mean's linear predictor reads the dpar's: `b_sigma_Days` → `b_Days`,
/// `r_Subject__sigma[308,Intercept]` → `r_Subject[308,Intercept]`, `sd_Subject__sigma_Intercept`
/// → `sd_Subject__Intercept`, `cor_Subject__sigma_A__sigma_B` → `cor_Subject__A__B` (brms'
/// naming, `DistributionalPosterior.parameterNames`). Every other variable is hidden behind a
/// name no formula can produce. The values are shared, not copied.
enum DistributionalDrawNames {
    static func draws(_ draws: Draws, of parameter: AuxiliaryParameter) -> Draws {
        Draws(variableNames: draws.variableNames.map { renamed($0, parameter: parameter) }, chains: draws.chains)
    }

    static func renamed(_ name: String, parameter: AuxiliaryParameter) -> String {
        let prefix = parameter.rawValue + "_", suffix = "__" + parameter.rawValue
        let hidden = "\u{1}" + name
        if name.hasPrefix("b_" + prefix) { return "b_" + name.dropFirst(2 + prefix.count) }
        if name.hasPrefix("r_"), let bracket = name.firstIndex(of: "["), name[..<bracket].hasSuffix(suffix) {
            return String(name[..<bracket].dropLast(suffix.count)) + name[bracket...]
        }
        if name.hasPrefix("sd_"), let range = name.range(of: "__" + prefix) {
            return name.replacingCharacters(in: range, with: "__")
        }
        if name.hasPrefix("cor_"), name.components(separatedBy: "__").count == 3 {
            let pieces = name.components(separatedBy: "__")
            guard pieces[1].hasPrefix(prefix), pieces[2].hasPrefix(prefix) else { return hidden }
            return pieces[0] + "__" + pieces[1].dropFirst(prefix.count) + "__" + pieces[2].dropFirst(prefix.count)
        }
        return hidden
    }
}
