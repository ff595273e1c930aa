import MultilevelData

/// Which group-level terms the joint NUTS posterior samples centred (r_j directly, see
/// `CentredGroupEffects`) and which non-centred (brms' z_j with r_j = diag(sd) L z_j). The two are
/// the same posterior; they differ in geometry. Non-centred suits levels whose data say little
/// next to the prior (the effects follow sd, the funnel is removed); centred suits levels whose
/// data dominate (then z_j ≈ r̂_j / sd is tied to sd and non-centred chains crawl along that
/// ridge) — Papaspiliopoulos, Roberts & Sköld (2007), Betancourt & Girolami (2015).
///
/// `automatic` (the default of `multilevel fit` with joint NUTS) centres term t when
/// `ParameterisationPilot`'s lower information ratio — the median over levels of
/// (1/q) Σ_k sd̂_k² (I_j)_kk, sd̂ a moment estimate of the term's standard deviations taken at
/// its lower 95% bound (sd̂² · χ²_{J−1}(0.05)/(J − 1) for J levels) and I_j the level's Fisher
/// information (gaussian n_j/σ̂², bernoulli/binomial Σ trials·p(1 − p), poisson Σ μ, …) —
/// exceeds 1: the level's data carry more information about its effect than the prior does,
/// even for an sd at the low end of what the data allow. (Dyestuff, 6 batches of 5 with
/// sd̂² · I ≈ 3, stays non-centred: centred, its sd's R-hat was 1.04.) On top of that it
/// hierarchically centres every centred intercept-only term nested in another centred
/// intercept-only term on it, and the coarsest such root term on the `Intercept`
/// (`HierarchicalCentring`, Gelfand, Sahu & Carlin 1995): the ridge between a coarse level's
/// effect and the mean of its nested levels' effects, which only the priors bound, is gone.
/// `automaticPartial` adds partial centring per level to that rule: every one-column term is
/// partially centred (`PartiallyCentredGroupEffects`, weights λ_j = sd² I_j/(1 + sd² I_j) at each
/// draw's sd, I_j from `ParameterisationPilot.levelInformation`) and every intercept-only term nested in another
/// is hierarchically centred on it (`--parameterization partial`). `automatic` chooses it only for
/// models with nested intercept-only terms (`hasNestedInterceptTerms`); on crossed terms one
/// choice per term measured better (grouseticks before nesting was recognised, 4 × 1,000, seed 2:
/// 30 divergences and R-hat 1.019 against 0 and 1.00996).
public enum ParameterisationChoice: Sendable, Equatable {
    /// Centre the terms whose pilot information ratio exceeds `automaticThreshold` and
    /// hierarchically centre them: one choice per term.
    case automatic
    /// `automatic` with every one-column term partially centred per level (see above).
    case automaticPartial
    /// Every term non-centred (brms).
    case nonCentred
    /// Every term centred.
    case centred
    /// The terms of these grouping factors centred, the others non-centred.
    case centredGroups([String])
    /// Every term centred, and the nested intercept-only terms hierarchically centred (also the
    /// coarsest on the `Intercept` when `centreOnIntercept`).
    case hierarchicallyCentred(centreOnIntercept: Bool)

    /// Whether `automatic` centres the coarsest hierarchically centrable term on the `Intercept`.
    public static let automaticCentresOnIntercept = true

    /// The automatic rule's threshold on the information ratio.
    public static let automaticThreshold = 1.0

    /// The choice as a fit directory records it (docs/fit-directory.md, `settings.parameterization`):
    /// `auto`, `auto+partial`, `centered`, `noncentered`, `centered:g1,g2` (those groups centred,
    /// the others not), `hierarchical` or `hierarchical+intercept`.
    public var recordedText: String {
        switch self {
        case .automatic: return "auto"
        case .automaticPartial: return "auto+partial"
        case .nonCentred: return "noncentered"
        case .centred: return "centered"
        case let .centredGroups(groups): return "centered:" + groups.joined(separator: ",")
        case let .hierarchicallyCentred(onIntercept): return onIntercept ? "hierarchical+intercept" : "hierarchical"
        }
    }

    /// The choice from its recorded text (`recordedText`, also the model file's `parameterization`
    /// values with British spellings and hyphens); nil for anything else.
    public init?(recordedText text: String) {
        let mode = text.trimmingCharacters(in: .whitespaces)
        switch mode {
        case "auto": self = .automatic
        case "auto+partial": self = .automaticPartial
        case "centered", "centred": self = .centred
        case "noncentered", "noncentred", "non-centered", "non-centred": self = .nonCentred
        case "hierarchical": self = .hierarchicallyCentred(centreOnIntercept: false)
        case "hierarchical+intercept": self = .hierarchicallyCentred(centreOnIntercept: true)
        default:
            guard mode.hasPrefix("centered:") else { return nil }
            let groups = mode.dropFirst("centered:".count).split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard !groups.isEmpty, !groups.contains(where: \.isEmpty) else { return nil }
            self = .centredGroups(groups)
        }
    }

    /// Per term of `design`, whether it is centred; `pilot` is run only for `automatic`.
    /// Throws `ParameterisationError` when `centredGroups` names a group the model lacks.
    public func centredTerms(design: ModelDesign, family: Family) throws -> [Bool] {
        let terms = design.randomTerms
        switch self {
        case .nonCentred: return terms.map { _ in false }
        case .centred, .hierarchicallyCentred: return terms.map { _ in true }
        case let .centredGroups(groups):
            let names = Set(terms.map(\.grouping.name))
            if let unknown = groups.first(where: { !names.contains($0) }) {
                throw ParameterisationError(group: unknown, known: terms.map(\.grouping.name))
            }
            return terms.map { groups.contains($0.grouping.name) }
        case .automatic, .automaticPartial:
            guard !terms.isEmpty else { return [] }
            return ParameterisationPilot(design: design, family: family).lowerInformationRatios
                .map { $0 > Self.automaticThreshold }
        }
    }

    /// Per term of `design`, whether it is centred (`centredTerms`) and what it is hierarchically
    /// centred on (`HierarchicalCentring.parents`; only for `automatic` and
    /// `hierarchicallyCentred`, nil otherwise).
    public func parameterisation(design: ModelDesign, family: Family) throws
        -> (centred: [Bool], centringParents: [CentringParent?]) {
        let centred = try centredTerms(design: design, family: family)
        let none = [CentringParent?](repeating: nil, count: centred.count)
        switch self {
        case .automatic, .automaticPartial:
            return (centred, HierarchicalCentring.parents(design: design, centred: centred,
                                                          centreOnIntercept: Self.automaticCentresOnIntercept))
        case let .hierarchicallyCentred(centreOnIntercept):
            return (centred, HierarchicalCentring.parents(design: design, centred: centred,
                                                          centreOnIntercept: centreOnIntercept))
        case .nonCentred, .centred, .centredGroups: return (centred, none)
        }
    }
}

/// A centred parameterisation asked of a model with monotonic group-level effects `(mo(x) | g)`,
/// which are sampled non-centred only.
public struct MonotonicCentringError: Error, CustomStringConvertible {
    public let term: String
    public var description: String {
        "\(term) has a monotonic group-level effect, which is sampled non-centred only; drop the centred parameterisation option"
    }
}

/// A centred group that is not a grouping factor of the model.
public struct ParameterisationError: Error, CustomStringConvertible {
    public let group: String
    public let known: [String]
    public var description: String {
        "centred group '\(group)' is not a grouping factor of the model (its groups: \(known.isEmpty ? "none" : known.joined(separator: ", ")))"
    }
}

extension ParameterisationChoice {
    /// Whether an intercept-only term of `design` is nested in another (`NestedLevelInformation
    /// .child`): then `automatic` partially centres as `automaticPartial` does. On lme4's
    /// grouseticks (broods in locations, 4 × 1,000, seeds 1–3) that gave 1/3/0 divergences, R-hat
    /// 1.012/1.011/1.006 and sd_LOCATION's 2.5% quantile 0.11/0.07/0.10 against 0.063 in a long
    /// non-centred run at adapt_delta 0.99 (fixture `grouseticks_long_noncentered.json`), where one
    /// choice per term gave 0 divergences, R-hat up to 1.08 and 0.09/0.19/0.19 (LOCATION centred, by
    /// the rows' information) or 64–703 divergences (LOCATION non-centred, by the nested one). With
    /// weights fixed at the pilot's variances (the coarse term's at its lower 95% bound), seeds 1–5:
    /// 0/0/1/1/0 divergences, R-hat 1.0125/1.0089/1.0147/1.0075/1.0053, and sd_LOCATION's 2.5%
    /// quantile above the long run's on every seed (z 1.61/2.80/2.00/0.77/1.84); with the weights
    /// following sd (now): 0 divergences on every seed, R-hat 1.0067/1.0187/1.0058/1.0136/1.0233,
    /// z 0.41/−2.36/−1.47/2.26/−1.41 (`GrouseticksCoverageTests` checks the quantiles of both sds).
    static func hasNestedInterceptTerms(_ design: ModelDesign) -> Bool {
        design.randomTerms.indices.contains { NestedLevelInformation.child(of: $0, terms: design.randomTerms) != nil }
    }

    /// `parameterisation` with, for `automaticPartial` (and `automatic` when intercept-only terms
    /// are nested, `hasNestedInterceptTerms`), the partial-centring weights of every one-column
    /// term (nil for the other terms and choices), and per term whether they follow its sd
    /// (`PartiallyCentredGroupEffects`): then they are the levels' information I_j from the pilot
    /// (`ParameterisationPilot.levelInformation`, the marginal one for a term with another nested
    /// in it) and λ_j = sd² I_j/(1 + sd² I_j) at each draw's sd.
    public func parameterisationWithWeights(design: ModelDesign, family: Family) throws
        -> (centred: [Bool], centringParents: [CentringParent?], centringWeights: [[Double]?], centringWeightsFollowSD: [Bool]) {
        let terms = design.randomTerms
        if terms.contains(where: { !$0.monotonic.isEmpty }) {
            // (mo(x) | g) is sampled as brms samples it, every term non-centred (its effects r
            // multiply mo(ζ, x), which a centred or partially centred prior does not handle).
            switch self {
            case .automatic, .automaticPartial, .nonCentred:
                return ([Bool](repeating: false, count: terms.count), [CentringParent?](repeating: nil, count: terms.count),
                        [[Double]?](repeating: nil, count: terms.count), [Bool](repeating: false, count: terms.count))
            default:
                throw MonotonicCentringError(term: terms.first { !$0.monotonic.isEmpty }!.text)
            }
        }
        guard self == .automaticPartial || (self == .automatic && Self.hasNestedInterceptTerms(design)), !terms.isEmpty else {
            let (centred, parents) = try parameterisation(design: design, family: family)
            return (centred, parents, [[Double]?](repeating: nil, count: centred.count), centred.map { _ in false })
        }
        let pilot = ParameterisationPilot(design: design, family: family)
        // Every one-column term is partially centred, so every nested intercept-only term is
        // hierarchically centred on the one it is nested in (its weights say how much).
        let oneColumn = terms.map { $0.columnCount == 1 }
        let centred = pilot.lowerInformationRatios.map { $0 > Self.automaticThreshold }
        let parents = HierarchicalCentring.parents(design: design, centred: oneColumn,
                                                   centreOnIntercept: Self.automaticCentresOnIntercept)
        let partial = terms.indices.map { t -> [Double]? in oneColumn[t] ? pilot.levelInformation[t] : nil }
        return (centred, parents, partial, oneColumn)
    }
}
