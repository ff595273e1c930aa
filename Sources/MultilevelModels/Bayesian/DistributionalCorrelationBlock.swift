/// The group-level effects of a distributional model that share one correlation matrix: a single
/// term `(x | g)` of one predictor, or the terms of one grouping factor that brms' `|ID|` syntax
/// joins across the formula's parts (`bf(y ~ x + (1 |p| g), sigma ~ (1 |p| g))`; Bürkner 2018, The
/// R Journal 10(1), §3). Its Q columns are the members' columns in order (the mean's first), with
/// one standard deviation each (kept by the member terms), one Q × Q Cholesky correlation factor
/// L with an LKJ(η) prior, and standardised effects z (levels × Q, non-centred):
///
///     (r_m[j, k])_{m, k} = diag(sd) L z_j,   z_j ~ N(0, I_Q),
///
/// so that brms' `cor_g__Intercept__sigma_Intercept` is the correlation between a level's effect
/// on the mean and on σ.
struct DistributionalCorrelationBlock: Sendable {
    /// The grouping factor's name and level labels.
    var groupName: String
    var levelNames: [String]
    /// The members, in order: predictor index and term index within it.
    var memberPredictors: [Int] = []
    var memberTerms: [Int] = []
    /// brms names of the Q columns, with the dpar prefix (`Intercept`, `sigma_Intercept`).
    var columnNames: [String] = []
    /// Offsets in the unconstrained vector: Q(Q − 1)/2 correlation values, levels × Q effects z.
    var correlationOffset = 0, zOffset = 0
    /// Offsets in the scratch: effects r and ∂/∂r (levels × Q each), the factor and its adjoint
    /// (Q × Q each), sd values and ∂/∂sd (Q each).
    var effectStart = 0, effectGradientStart = 0, factorStart = 0, factorAdjointStart = 0
    var sdStart = 0, sdGradientStart = 0

    var columnCount: Int { columnNames.count }
    var levelCount: Int { levelNames.count }

    /// Scratch doubles the block needs.
    var scratchCount: Int { 2 * levelCount * columnCount + 2 * columnCount * columnCount + 2 * columnCount }

    /// The blocks of `predictors`, each term assigned its block and its first column in it: a term
    /// without an ID is a block of its own; terms with the same ID join the block of the first,
    /// which must have the same grouping factor (one line naming both otherwise).
    static func blocks(of predictors: inout [DistributionalPredictor]) throws -> [DistributionalCorrelationBlock] {
        var blocks: [DistributionalCorrelationBlock] = []
        var blockOfID: [String: Int] = [:]
        for p in predictors.indices {
            for t in predictors[p].terms.indices {
                let term = predictors[p].terms[t]
                let b: Int
                if let id = term.correlationID, let existing = blockOfID[id] {
                    guard blocks[existing].groupName == term.groupName, blocks[existing].levelNames == term.levelNames else {
                        throw DistributionalModelError("bf(): |\(id)| joins group-level terms of different grouping factors (\(blocks[existing].groupName) and \(term.groupName)); an ID correlates the terms of one grouping factor")
                    }
                    b = existing
                } else {
                    b = blocks.count
                    blocks.append(DistributionalCorrelationBlock(groupName: term.groupName, levelNames: term.levelNames))
                    if let id = term.correlationID { blockOfID[id] = b }
                }
                predictors[p].terms[t].block = b
                predictors[p].terms[t].blockColumn = blocks[b].columnCount
                blocks[b].memberPredictors.append(p)
                blocks[b].memberTerms.append(t)
                blocks[b].columnNames += term.columnNames.map { predictors[p].namePrefix + $0 }
            }
        }
        return blocks
    }

    /// Whether term `t` of predictor `p` is the block's last member (where the layout places the
    /// block's correlation values and z, right after that member's standard deviations).
    func endsWith(predictor p: Int, term t: Int) -> Bool {
        memberPredictors.last == p && memberTerms.last == t
    }
}
