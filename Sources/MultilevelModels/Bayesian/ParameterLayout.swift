import MultilevelData

/// Where each parameter lives in the unconstrained vector the samplers move in, in the order of
/// brms' Stan `parameters` block: `b` (centred population effects), `Intercept`, the family's
/// auxiliary parameters (log scale), then per group-level term its log `sd`, its effects
/// (level-major: the q values of level 1, then level 2, …) and its correlation Cholesky factor
/// (K(K−1)/2 values, see `CholeskyCorrelationTransform`). A term's effects are brms' standardised
/// `z` (non-centred, r = diag(sd) L z) unless the term is centred (`Term.isCentred`), when they
/// are the effects r themselves (`CentredGroupEffects`).
public struct ParameterLayout: Sendable, Equatable {
    /// The block of one group-level term `(expr | g)`.
    public struct Term: Sendable, Equatable {
        /// Grouping factor name (`Subject`, `batch:cask`).
        public var groupName: String
        /// Level labels.
        public var levelNames: [String]
        /// brms column names (`Intercept`, `Days`).
        public var columnNames: [String]
        /// Offset of the q log standard deviations.
        public var sdOffset: Int
        /// Offset of the L·q effects, `zOffset + level * q + column`: the standardised z of a
        /// non-centred term, the effects r of a centred one.
        public var zOffset: Int
        /// Offset of the K(K−1)/2 correlation values (meaningful when q ≥ 2).
        public var correlationOffset: Int
        /// Whether the term is centred: the unconstrained vector holds r_j ~ MVN(0, diag(sd) L Lᵀ
        /// diag(sd)) directly instead of z_j ~ N(0, I) (Papaspiliopoulos, Roberts & Sköld 2007).
        public var isCentred: Bool = false
        /// What a centred intercept-only term is hierarchically centred on (`HierarchicalCentring`):
        /// its effects' slots then hold γ_j = r_j + γ_parent[g(j)] (γ_Intercept = Intercept)
        /// instead of r_j. nil: plain centred (or non-centred).
        public var centringParent: CentringParent? = nil
        /// The population-level coefficients a hierarchically centred term is also centred on
        /// (`CovariateCentring`): its γ_j then also holds Σ_k b_k c_jk.
        public var centringCovariates: [CentringCovariate] = []
        /// Per level, the weight λ_j of a partially centred one-column term
        /// (`PartiallyCentredGroupEffects`): its effects' slots then hold x̂_j ~ N(λ_j μ_j, sd^{2λ_j})
        /// with μ_j its hierarchical centre (`centringParent`, `centringCovariates`). nil: the term
        /// is sampled as `isCentred` and `centringParent` say.
        public var centringWeights: [Double]? = nil
        /// Whether `centringWeights` holds the levels' information I_j instead, the weight then
        /// following the term's sd, λ_j = sd² I_j/(1 + sd² I_j) (`PartiallyCentredGroupEffects`).
        public var centringWeightsFollowSD: Bool = false

        /// Number of columns q.
        public var columnCount: Int { columnNames.count }
        /// Number of levels L.
        public var levelCount: Int { levelNames.count }
        /// Number of unconstrained correlation values q(q−1)/2.
        public var correlationCount: Int { CholeskyCorrelationTransform.freeCount(columnCount) }
        /// Whether the term has a correlation matrix (q ≥ 2).
        public var hasCorrelation: Bool { columnCount > 1 }
    }

    /// The block of one monotonic effect `mo(x)` (`MonotonicEffect`): its coefficient bsp and the
    /// D − 1 unconstrained values of its D-simplex ζ (`SimplexTransform`).
    public struct Monotonic: Sendable, Equatable {
        /// brms' name of the term (`moedu`).
        public var name: String
        /// D, the simplex's size.
        public var categoryCount: Int
        /// Offset of bsp.
        public var coefficientOffset: Int
        /// Offset of the D − 1 unconstrained simplex values.
        public var simplexOffset: Int
    }

    /// Names of the centred terms' grouping factors, formula order (a partially centred term keeps
    /// the flag the automatic rule's information ratio gave it).
    public var centredGroupNames: [String] { terms.filter(\.isCentred).map(\.groupName) }
    /// Names of the partially centred terms' grouping factors (`PartiallyCentredGroupEffects`), formula order.
    public var partiallyCentredGroupNames: [String] { terms.filter { $0.centringWeights != nil }.map(\.groupName) }

    /// The hierarchically centred terms as (group, what it is centred on: a group name or
    /// `Intercept`), formula order.
    public var hierarchicalCentring: [(group: String, parent: String)] {
        terms.compactMap { term in
            switch term.centringParent {
            case nil: return nil
            case .intercept?: return (term.groupName, "Intercept")
            case let .term(u, _)?: return (term.groupName, terms[u].groupName)
            }
        }
    }

    /// brms names of the population-level coefficients other than the intercept (`Days`).
    public var coefficientNames: [String]
    /// Whether the model has a (centred) intercept.
    public var hasIntercept: Bool
    /// Offset of `b` (always 0).
    public var coefficientOffset: Int { 0 }
    /// Offset of `Intercept` (when `hasIntercept`).
    public var interceptOffset: Int { coefficientNames.count }
    /// The family's auxiliary parameters.
    public var auxiliaryParameters: [AuxiliaryParameter]
    /// The number of thresholds K − 1 of an ordinal model (0 otherwise): the intercept slot then
    /// holds −τ₁ and the auxiliary parameters are the K − 2 gaps (`OrdinalThresholds`).
    public var thresholdCount: Int = 0
    /// Offset of the first auxiliary parameter.
    public var auxiliaryOffset: Int
    /// The group-level terms in formula order.
    public var terms: [Term]
    /// The monotonic effects in formula order, after the group-level terms (their place in the
    /// vector does not change the posterior; brms declares them after `Intercept`).
    public var monotonic: [Monotonic] = []
    /// Total number of unconstrained values.
    public var dimension: Int

    /// The layout for a design and family; `centred[t]` makes term t centred (all non-centred when
    /// nil, as brms); `centringParents[t]` hierarchically centres the centred term t
    /// (`HierarchicalCentring.parents`).
    /// `centringWeights[t]` partially centres the one-column term t per level (the terms
    /// hierarchically centred on it must be partially centred too); with `centringWeightsFollowSD`
    /// they are the levels' information and the weights follow sd (`PartiallyCentredGroupEffects`).
    public init(design: ModelDesign, family: Family, centred: [Bool]? = nil, centringParents: [CentringParent?]? = nil,
                centringWeights: [[Double]?]? = nil) {
        self.init(design: design, family: family, centred: centred, centringParents: centringParents,
                  centringWeights: centringWeights, centringWeightsFollowSD: [])
    }

    /// The layout as above, term t's partial-centring weights following its sd when
    /// `centringWeightsFollowSD[t]` (missing entries: false).
    public init(design: ModelDesign, family: Family, centred: [Bool]?, centringParents: [CentringParent?]?,
                centringWeights: [[Double]?]?, centringWeightsFollowSD: [Bool]) {
        precondition(centred == nil || centred!.count == design.randomTerms.count, "one flag per group-level term")
        precondition(centringParents == nil || centringParents!.indices.allSatisfy { t in
            centringParents![t] == nil || ((centred?[t] ?? false) || centringWeights?[t] != nil)
                && design.randomTerms[t].columnCount == 1
        }, "only centred or partially centred intercept-only terms are hierarchically centred")
        precondition(centringParents == nil || design.hasIntercept || !centringParents!.contains(.intercept),
                     "centring on the intercept needs one")
        precondition(centringWeights == nil || centringWeights!.indices.allSatisfy { t in
            guard let weights = centringWeights![t] else { return true }
            let childIsPlain = centringParents?.indices.contains { u in
                if case let .term(v, _)? = centringParents![u] { return v == t && centringWeights![u] == nil }
                return false
            } ?? false
            return design.randomTerms[t].columnCount == 1 && weights.count == design.randomTerms[t].grouping.levelCount
                && !childIsPlain
        }, "only one-column terms are partially centred, with one weight per level, and their children too")
        let names = design.fixedEffectNames
        hasIntercept = design.hasIntercept
        coefficientNames = (hasIntercept ? Array(names.dropFirst()) : names).map(brmsName(ofColumn:))
        auxiliaryParameters = family.auxiliaryParameters(for: design)
        thresholdCount = family.thresholdCount(for: design)
        auxiliaryOffset = coefficientNames.count + (hasIntercept ? 1 : 0)
        var offset = auxiliaryOffset + auxiliaryParameters.count
        var terms: [Term] = []
        for (t, term) in design.randomTerms.enumerated() {
            let q = term.columnCount
            let levels = term.grouping.levels
            let sdOffset = offset
            let zOffset = sdOffset + q
            let correlationOffset = zOffset + levels.count * q
            offset = correlationOffset + CholeskyCorrelationTransform.freeCount(q)
            terms.append(Term(groupName: term.grouping.name, levelNames: levels,
                              columnNames: term.brmsColumnNames, sdOffset: sdOffset, zOffset: zOffset,
                              correlationOffset: correlationOffset, isCentred: centred?[t] ?? false,
                              centringParent: centringParents?[t] ?? nil,
                              centringWeights: centringWeights?[t] ?? nil,
                              centringWeightsFollowSD: t < centringWeightsFollowSD.count && centringWeightsFollowSD[t]
                                  && centringWeights?[t] != nil))
        }
        if let centringParents {
            for (t, covariates) in CovariateCentring.covariates(design: design, parents: centringParents).enumerated() {
                terms[t].centringCovariates = covariates
            }
        }
        self.terms = terms
        for effect in design.monotonic {
            monotonic.append(Monotonic(name: effect.name, categoryCount: effect.categoryCount,
                                       coefficientOffset: offset, simplexOffset: offset + 1))
            offset += effect.categoryCount
        }
        dimension = offset
    }

    /// Offset of an auxiliary parameter, if the family has it.
    public func offset(of parameter: AuxiliaryParameter) -> Int? {
        auxiliaryParameters.firstIndex(of: parameter).map { auxiliaryOffset + $0 }
    }

    /// Names of the unconstrained values, Stan-style with the transform spelled out
    /// (`b[1]`, `Intercept`, `log(sigma)`, `log(sd_1[2])`, `z_1[2,5]` — `r_1[2,5]` for a centred
    /// term, `gamma_1[1,5]` for a hierarchically centred one —, `atanh(cpc_1[2,1])`),
    /// for messages (a non-finite gradient) and debugging output.
    public var unconstrainedNames: [String] {
        var names: [String] = []
        names.reserveCapacity(dimension)
        for k in coefficientNames.indices { names.append("b[\(k + 1)]") }
        if hasIntercept { names.append(thresholdCount > 0 ? "-Intercept[1]" : "Intercept") }
        for (a, parameter) in auxiliaryParameters.enumerated() {
            if parameter == .thresholdGap {
                names.append("log(Intercept[\(a + 2)] - Intercept[\(a + 1)])")
                continue
            }
            names.append(parameter.isUnbounded ? parameter.rawValue
                         : parameter.isProbability ? "logit(\(parameter.rawValue))" : parameter.lowerBound == 0 ? "log(\(parameter.rawValue))"
                                                    : "log(\(parameter.rawValue) - \(Int(parameter.lowerBound)))")
        }
        for (t, term) in terms.enumerated() {
            let id = t + 1
            for k in 0..<term.columnCount { names.append("log(sd_\(id)[\(k + 1)])") }
            let effect = term.centringWeights != nil ? "xhat" : term.centringParent != nil ? "gamma" : term.isCentred ? "r" : "z"
            for level in 0..<term.levelCount {
                for k in 0..<term.columnCount { names.append("\(effect)_\(id)[\(k + 1),\(level + 1)]") }
            }
            for i in 1..<max(1, term.columnCount) {
                for j in 0..<i { names.append("atanh(cpc_\(id)[\(i + 1),\(j + 1)])") }
            }
        }
        for (m, effect) in monotonic.enumerated() {
            names.append("bsp[\(m + 1)]")
            for k in 1..<effect.categoryCount { names.append("stick(simo_\(m + 1))[\(k)]") }
        }
        return names
    }
}
