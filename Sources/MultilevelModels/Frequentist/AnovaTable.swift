import MultilevelData

/// One row of lmerTest's `anova(fit, type = …)`: the term's F test with Satterthwaite's or
/// Kenward–Roger's denominator df, Sum Sq = F · NumDF · σ̂² and Mean Sq = F · σ̂² (lmerTest's scaling
/// of F back to the response scale; F before Kenward–Roger's scaling λ, as lmerTest's `mk_Ftable`).
public struct AnovaTableRow: Sendable, Equatable {
    public var term: String
    public var test: FTest
    public var sumOfSquares: Double
    public var meanSquare: Double
}

/// lmerTest's ANOVA table of a linear mixed model: one F test per fixed-effect term on its type I
/// type II or type III hypotheses (`AnovaHypotheses`), with Satterthwaite's df. Terms without a
/// testable hypothesis (every column aliased) are left out.
public func anovaTable(_ satterthwaite: some FixedEffectTesting, design: ModelDesign, sigma: Double, type: Int) -> [AnovaTableRow] {
    let hypotheses = type == 1 ? AnovaHypotheses.typeI(design) : type == 2 ? AnovaHypotheses.typeII(design) : AnovaHypotheses.typeIII(design)
    return zip(design.fixedTermLabels, hypotheses).compactMap { term, contrasts in
        guard !contrasts.isEmpty else { return nil }
        let test = satterthwaite.fTest(contrasts: contrasts)
        let meanSquare = test.statistic / test.scaling * sigma * sigma
        return AnovaTableRow(term: term, test: test, sumOfSquares: meanSquare * Double(test.numeratorDegreesOfFreedom),
                             meanSquare: meanSquare)
    }
}
